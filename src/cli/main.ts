/**
 * The `paperboy` binary: one program with roles (`serve`, and the maintenance commands). Each command exits 0 on
 * success and otherwise prints one clear line on stderr and exits non-zero; stack traces only with DEBUG=paperboy.
 */
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.ts';
import { DatabaseTooNewError } from '../storage/migrate.ts';
import { registerDigestCommand } from './digest.ts';
import { registerImportCommand } from './import.ts';
import { registerIngestCommand } from './ingest.ts';
import { registerReindexCommand } from './reindex.ts';
import { CliError } from './runtime.ts';
import { registerTokensCommand } from './tokens.ts';
import { registerUsersCommand } from './users.ts';
import { registerWorkerCommand } from './worker.ts';

/** Exit code for a command line that could not be understood. */
const EXIT_USAGE = 2;

const program = new Command();
program
  .name('paperboy')
  .description('A self-hostable daily-papers hub: serve the site, import arXiv metadata.')
  .version('0.1.0')
  .showHelpAfterError('(run paperboy --help for usage)')
  .exitOverride();

program
  .command('serve')
  .description('serve the web site and API (PORT, HOST, DATABASE_URL; see README)')
  .action(async () => {
    // Loaded on demand: the web app (Fastify, KaTeX, views) is not needed by the other commands.
    const { serve } = await import('./serve.ts');
    await serve();
  });

registerImportCommand(program);
registerIngestCommand(program);
registerUsersCommand(program);
registerTokensCommand(program);
registerWorkerCommand(program);
registerDigestCommand(program);
registerReindexCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = reportFailure(error);
}

function reportFailure(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander already printed its message (or the help). --help and --version succeed; anything else it
    // refuses (no command, an unknown command or option, a missing argument) is a usage error: exit 2.
    return error.exitCode === 0 ? 0 : EXIT_USAGE;
  }
  if (process.env.DEBUG?.includes('paperboy')) console.error(error);
  if (error instanceof CliError) {
    console.error(`paperboy: ${error.message}`);
    return error.exitCode;
  }
  if (error instanceof ConfigError || error instanceof DatabaseTooNewError) {
    console.error(`paperboy: ${error.message}`);
    return 1;
  }
  const message = error instanceof Error ? error.message : String(error);
  console.error(`paperboy: ${message.split('\n')[0]}`);
  return 1;
}
