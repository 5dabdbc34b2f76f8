/**
 * `paperboy ingest <source>`: papers from arXiv's live services. Each source registers its own subcommand:
 * `daily` (the announcement feed, then the API for full metadata) and `oai` (an OAI-PMH harvest).
 */
import type { Command } from 'commander';
import { registerIngestDailyCommand } from './ingest-daily.ts';
import { registerIngestOaiCommand } from './ingest-oai.ts';

export function registerIngestCommand(program: Command): void {
  const ingest = program
    .command('ingest')
    .description(
      "fetch papers from arXiv's services (see `paperboy ingest daily --help`, `paperboy ingest oai --help`)",
    );
  registerIngestDailyCommand(ingest);
  registerIngestOaiCommand(ingest);
}
