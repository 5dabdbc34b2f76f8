/**
 * `paperboy digest preview [--cadence daily|weekly] [--out FILE] [--email ADDRESS]`: writes the digest as it would be
 * mailed now to an HTML file and prints the file's path, so that an operator can open it in a browser (or a mail
 * client) before any subscriber gets one. With --email the "for you" section uses that subscription's topics.
 * Sending is not done here (see the digest sender).
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { previewDigest } from '../digest/compose.ts';
import { todayIn } from '../domain/feed-period.ts';
import { type Cadence, checkCadence, NO_TOPICS } from '../domain/subscription-topics.ts';
import { createLexicalSearch } from '../search/lexical-search.ts';
import { KyselySubscriptionStore } from '../storage/subscription-store.ts';
import { CliError, openRuntime } from './runtime.ts';
import { requireEmailArgument } from './users.ts';

/** Exit code for arguments that cannot be right. */
const EXIT_USAGE = 2;
/** Where the preview goes without --out (the working directory). */
const DEFAULT_PREVIEW_FILE = 'digest-preview.html';
/** No account has this id: the subscription lookup then goes by address only. */
const NO_USER_ID = -1;

interface PreviewOptions {
  cadence: string;
  out: string;
  email?: string;
}

export function registerDigestCommand(program: Command): void {
  const digest = program.command('digest').description('the email digest of trending papers: preview it');

  digest
    .command('preview')
    .description('write the digest as it would be mailed now to an HTML file and print its path')
    .option('--cadence <cadence>', 'daily or weekly', 'daily')
    .option('--out <file>', 'the HTML file to write', DEFAULT_PREVIEW_FILE)
    .option('--email <address>', 'use the topics of this address\'s subscription for the "for you" section')
    .action(async (options: PreviewOptions) => {
      const cadence = checkCadence(options.cadence);
      if (!cadence.ok) throw new CliError(cadence.problem, EXIT_USAGE);
      const email = options.email === undefined ? null : requireEmailArgument(options.email);
      const path = resolve(options.out);
      // Loaded on demand, like `serve`: the site's views (Preact) are not needed by the other commands.
      const { SITE_NAME } = await import('../web/views/layout.tsx');
      const runtime = await openRuntime();
      try {
        const { config, database, store } = runtime;
        const topics = email === null ? NO_TOPICS : await subscriptionTopics(database.db, email, cadence.value);
        const preview = await previewDigest(
          { store, db: database.db, search: createLexicalSearch(database.db, database.dialect) },
          {
            cadence: cadence.value,
            topics,
            size: config.digestSize,
            today: todayIn(config.timeZone),
            baseUrl: config.baseUrl,
            siteName: SITE_NAME,
          },
        );
        if (!preview)
          throw new CliError('the instance has no papers yet, so no digest would be sent (nothing written)');
        writeFileSync(path, preview.html);
        process.stdout.write(`${path}\n`);
        process.stderr.write(`subject: ${preview.subject}\n`);
      } finally {
        await runtime.database.close();
      }
    });
}

/** The topics of the address's live subscription of this cadence (or of its other one), or a refusal. */
async function subscriptionTopics(
  db: ConstructorParameters<typeof KyselySubscriptionStore>[0],
  email: string,
  cadence: Cadence,
) {
  const live = await new KyselySubscriptionStore(db).listForUser(NO_USER_ID, email);
  const mine = live.filter((subscription) => subscription.email === email);
  const chosen = mine.find((subscription) => subscription.cadence === cadence) ?? mine[0];
  if (!chosen) throw new CliError(`no live subscription has the address ${email}`);
  return chosen.topics;
}
