/**
 * `paperboy import FILE... [--feature] [--dry-run]`: loads arXiv metadata files into the database. Every input is
 * checked (readable, a format we know) before anything is written, then imported in turn; see HELP_TEXT for the
 * formats, the output and the exit codes.
 */
import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { ImportSourceError } from '../ingest/events.ts';
import type { ImportFormat } from '../ingest/format-detection.ts';
import {
  ImportDatabaseError,
  type ImportMessage,
  type ImportSummary,
  importStream,
  requireFormat,
  UnknownFormatError,
} from '../ingest/import-stream.ts';
import { InputError, openFileInput, type PeekedInput, peekInput, stdinInput } from '../ingest/input.ts';
import { createProgressDisplay } from '../ingest/progress.ts';
import { importFileResumably, RESUMABLE_FORMATS } from '../ingest/snapshot-resume.ts';
import { formatImportSummary } from '../ingest/summary.ts';
import { type IngestStore, KyselyIngestStore } from '../storage/ingest-store.ts';
import { CliError, openRuntime } from './runtime.ts';

/** Skip messages printed per input before the rest are only counted. */
const MAX_MESSAGES_PER_INPUT = 20;
/** Exit code when every input was read but some records were skipped (or an input ended early). */
export const EXIT_SOME_SKIPPED = 3;

const HELP_TEXT = `
Formats (recognised from the content, whatever the file is called):
  arXiv metadata snapshot JSON lines  Kaggle's arxiv-metadata-oai-snapshot.json (also Paperboy's sample-data/*.jsonl)
  OAI-PMH ListRecords XML (arXivRaw)  pages of https://oaipmh.arxiv.org/oai?verb=ListRecords&metadataPrefix=arXivRaw
  arXiv API Atom XML                  answers of https://export.arxiv.org/api/query
  Hugging Face daily_papers JSON      answers of https://huggingface.co/api/daily_papers
Compressed files are not read directly: pipe them, e.g. gunzip -c FILE.gz | paperboy import -

Each paper is stored by its arXiv id and merged with what the database already has (versions are combined), so
importing the same file twice changes nothing. A bad record (broken JSON, a malformed id, no title, bytes that are
not UTF-8, ...) is skipped with its position and the rest is imported; a truncated file keeps the records before
the cut. Deleted OAI-PMH records are skipped and counted, without affecting the exit code.

An interrupted import of a JSON-lines file (the snapshot, the sample) resumes: after every batch of 500 records
the position is saved in the database, and importing the same file again (same path, size, modification time and
first 64 KiB) continues after the last saved line, saying "resuming at line N / byte B of FILE". --restart reads the
file from its start. Standard input (-) cannot resume, nor can XML and JSON documents: they are read whole again
(which is harmless: nothing is written twice).

--feature lists each imported paper on the daily feed (a paper already listed keeps its day): on the day the source
listed it (Hugging Face's publishedAt), else the day arXiv announced its first version (submissions close 14:00
America/New_York on weekdays and are announced at 20:00 Sunday to Thursday; holidays are ignored), else its
first-version date, else today; days are in PAPERBOY_TIMEZONE.

Output: one summary line per input on stdout (prefixed "dry run, nothing written:" with --dry-run), e.g.
  oai.xml (OAI-PMH arXivRaw): 999 imported (999 new, 0 updated, 0 unchanged), 1 skipped, resumption token ...
Skipped records (the first ${MAX_MESSAGES_PER_INPUT} per input, then a count) and errors go to stderr; a progress bar too,
only when stderr is a terminal.

Exit codes:
  0  every record was imported
  3  finished, but some records were skipped or an input ended early
  1  nothing more could be done: an unknown format, an unreadable file, an arXiv API or OAI-PMH error answer,
     a database error (inputs are all checked first, so an unknown format or a missing file writes nothing)
  2  usage error

Examples:
  paperboy import arxiv-metadata-oai-snapshot.json
  curl -s 'https://export.arxiv.org/api/query?id_list=2206.00927' | paperboy import --feature -
  paperboy import --dry-run page-*.xml
`;

interface ImportCommandOptions {
  feature?: boolean;
  dryRun?: boolean;
  restart?: boolean;
}

/** Adds the `import` command to the program. */
export function registerImportCommand(program: Command): void {
  program
    .command('import')
    .description('import arXiv metadata: snapshot, OAI-PMH, arXiv API or Hugging Face files (- reads stdin)')
    .argument('<files...>', 'files to import, - for standard input')
    .option('--feature', 'also list each imported paper on the daily feed')
    .option('--dry-run', 'read and check everything, report what would change, write nothing')
    .option('--restart', 'read a JSON-lines file from its start even if an interrupted import of it saved a position')
    .addHelpText('after', HELP_TEXT)
    .action(async (files: string[], options: ImportCommandOptions) => {
      await runImport(files, options);
    });
}

/** An input checked before the import starts: its format, and how to read it from the start. */
interface PreparedInput {
  name: string;
  format: ImportFormat;
  /** The file's path; null for standard input. */
  path: string | null;
  open(): Promise<PeekedInput>;
}

async function runImport(files: string[], options: ImportCommandOptions): Promise<void> {
  if (files.filter((f) => f === '-').length > 1) throw new CliError('- (standard input) can be given only once', 2);
  const prepared: PreparedInput[] = [];
  for (const file of files) prepared.push(await prepareInput(file));

  const runtime = await openRuntime(process.env, { readOnly: options.dryRun ?? false });
  const now = new Date();
  const incomplete: ImportSummary[] = [];
  const ingest = new KyselyIngestStore(runtime.database.db);
  try {
    for (const input of prepared) {
      const summary = await importOne(runtime.store, ingest, input, {
        feature: options.feature ?? false,
        dryRun: options.dryRun ?? false,
        restart: options.restart ?? false,
        timeZone: runtime.config.timeZone,
        now,
      });
      process.stdout.write(`${formatImportSummary(summary)}\n`);
      if (summary.skipped > 0 || summary.stopped) incomplete.push(summary);
    }
  } finally {
    await runtime.database.close();
  }
  if (incomplete.length > 0) {
    throw new CliError(incompleteMessage(incomplete, prepared.length, options.dryRun ?? false), EXIT_SOME_SKIPPED);
  }
}

/**
 * The closing line when some records were skipped: `oai.xml: 1 record skipped (see above); the rest was imported`
 * (in a dry run: `the rest would be imported; nothing was written`).
 */
function incompleteMessage(incomplete: ImportSummary[], inputs: number, dryRun: boolean): string {
  const skipped = incomplete.reduce((sum, s) => sum + s.skipped, 0);
  const stopped = incomplete.filter((s) => s.stopped).length;
  const which = inputs === 1 ? incomplete[0]!.name : `${incomplete.length} of ${inputs} inputs`;
  const parts: string[] = [];
  if (skipped > 0) parts.push(`${skipped} ${skipped === 1 ? 'record' : 'records'} skipped`);
  if (stopped > 0) parts.push(inputs === 1 ? 'the input ended early' : `${stopped} ended early`);
  const rest = dryRun ? 'the rest would be imported; nothing was written' : 'the rest was imported';
  return `${which}: ${parts.join(' and ')} (see above); ${rest}`;
}

/** Opens an input and recognises its format; a file is closed again and reopened at import time. */
async function prepareInput(file: string): Promise<PreparedInput> {
  try {
    if (file === '-') {
      const peeked = await peekInput(stdinInput());
      const format = requireFormat(peeked);
      let opened = false;
      return {
        name: peeked.name,
        format,
        path: null,
        async open() {
          if (opened) throw new Error('standard input can be read only once');
          opened = true;
          return peeked;
        },
      };
    }
    const peeked = await peekInput(await openFileInput(file));
    try {
      return {
        name: file,
        format: requireFormat(peeked),
        path: file,
        open: async () => peekInput(await openFileInput(file)),
      };
    } finally {
      await peeked.close();
    }
  } catch (error) {
    throw asCliError(error);
  }
}

async function importOne(
  store: Parameters<typeof importStream>[0],
  ingest: IngestStore,
  prepared: PreparedInput,
  options: { feature: boolean; dryRun: boolean; restart: boolean; timeZone: string; now: Date },
): Promise<ImportSummary> {
  if (prepared.path !== null && !options.dryRun && RESUMABLE_FORMATS.has(prepared.format)) {
    return importResumably(store, ingest, { ...prepared, path: prepared.path }, options);
  }
  let input: PeekedInput;
  try {
    input = await prepared.open();
  } catch (error) {
    throw asCliError(error);
  }
  const display = createProgressDisplay(process.stderr, input.name, input.sizeBytes);
  let shown = 0;
  let hidden = 0;
  const onMessage = (message: ImportMessage) => {
    if (shown < MAX_MESSAGES_PER_INPUT) {
      shown += 1;
      display.log(`${input.name}: ${message.position}: ${messageLabel(message)}${message.text}`);
    } else hidden += 1;
  };
  try {
    return await importStream(store, input, {
      ...options,
      format: prepared.format,
      onProgress: (progress) => display.update(progress),
      onMessage,
    });
  } catch (error) {
    throw asCliError(error, input.name);
  } finally {
    display.stop();
    if (hidden > 0) process.stderr.write(`${input.name}: …and ${hidden} more\n`);
  }
}

/** A line-based file, continuing an interrupted import of it (see snapshot-resume.ts). */
async function importResumably(
  store: Parameters<typeof importStream>[0],
  ingest: IngestStore,
  prepared: PreparedInput & { path: string },
  options: { feature: boolean; restart: boolean; timeZone: string; now: Date },
): Promise<ImportSummary> {
  const { size } = await stat(prepared.path).catch(() => ({ size: 0 }));
  const display = createProgressDisplay(process.stderr, prepared.name, size > 0 ? size : null);
  let shown = 0;
  let hidden = 0;
  try {
    const result = await importFileResumably({ papers: store, ingest }, prepared.path, prepared.name, {
      format: prepared.format,
      feature: options.feature,
      restart: options.restart,
      timeZone: options.timeZone,
      now: options.now,
      onResume: (resume) => {
        const before = `${resume.recordsBefore} ${resume.recordsBefore === 1 ? 'record' : 'records'} read before`;
        display.log(
          `resuming at line ${resume.line + 1} / byte ${resume.offsetBytes} of ${prepared.name} (${before}, saved ${resume.savedAt})`,
        );
      },
      onProgress: (progress) => display.update(progress),
      onMessage: (message) => {
        if (shown < MAX_MESSAGES_PER_INPUT) {
          shown += 1;
          display.log(`${prepared.name}: ${message.position}: ${messageLabel(message)}${message.text}`);
        } else hidden += 1;
      },
    });
    return result.summary;
  } catch (error) {
    throw asCliError(error, prepared.name);
  } finally {
    display.stop();
    if (hidden > 0) process.stderr.write(`${prepared.name}: …and ${hidden} more\n`);
  }
}

function messageLabel(message: ImportMessage): string {
  switch (message.kind) {
    case 'skipped':
      return 'skipped: ';
    case 'deleted':
      return 'skipped: ';
    case 'warning':
      return 'warning: ';
    case 'stopped':
      return '';
  }
}

/** The one-line, exit-code-carrying form of what went wrong; `inputName` prefixes errors the source reported. */
function asCliError(error: unknown, inputName?: string): unknown {
  if (error instanceof CliError) return error;
  if (error instanceof InputError || error instanceof ImportDatabaseError || error instanceof UnknownFormatError) {
    return new CliError(error.message, 1);
  }
  if (error instanceof ImportSourceError) {
    return new CliError(inputName ? `${inputName}: ${error.message}` : error.message, 1);
  }
  return error;
}
