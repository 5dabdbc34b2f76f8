/**
 * `paperboy tokens create EMAIL [--name NAME]`: a personal API token for an account, for scripts and agents set up
 * by the operator. The token is printed once, as the LAST line of the output, so that `| tail -n 1` captures it;
 * only its hash is stored.
 */
import type { Command } from 'commander';
import { TOKEN_NAME_MAX_LENGTH } from '../domain/account-names.ts';
import { CliError } from './runtime.ts';
import { describeUser, requireEmailArgument, withAccounts } from './users.ts';

/** Exit code for arguments that cannot be right. */
const EXIT_USAGE = 2;
const DEFAULT_TOKEN_NAME = 'command line';

export function registerTokensCommand(program: Command): void {
  const tokens = program.command('tokens').description('manage personal API tokens');

  tokens
    .command('create')
    .description('create a personal API token for an account; the token is the last line of the output')
    .argument('<email>', 'the email address of the account')
    .option('--name <name>', 'what the token is for, shown in the account settings', DEFAULT_TOKEN_NAME)
    .action(async (rawEmail: string, options: { name: string }) => {
      const email = requireEmailArgument(rawEmail);
      const name = options.name.trim();
      if (name === '' || name.length > TOKEN_NAME_MAX_LENGTH || /\p{Cc}/u.test(name)) {
        throw new CliError(`--name must be one line of 1 to ${TOKEN_NAME_MAX_LENGTH} characters`, EXIT_USAGE);
      }
      const { user, token } = await withAccounts(async (accounts) => {
        const found = await accounts.getUserByEmail(email);
        if (!found)
          throw new CliError(`no account has the email ${email} (create it with: paperboy users create ${email})`);
        const created = await accounts.createApiToken(found.id, name);
        return { user: found, token: created.token };
      });
      process.stdout.write(`created token "${name}" for ${describeUser(user)}\n`);
      process.stdout.write('it is shown only now; send it as "Authorization: Bearer <token>":\n');
      process.stdout.write(`${token}\n`);
    });
}
