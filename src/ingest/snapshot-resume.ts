/**
 * Importing the whole arXiv snapshot (2.9 M records, 4.5 GB of JSON lines) takes long enough to be interrupted: a
 * reboot, a kill, a full disk. This module makes `paperboy import FILE` of such a file resumable:
 *
 * - the file is recognised by a fingerprint (absolute path, size, modification time and a SHA-256 of its first
 *   64 KiB), so a file that changed, or another file at the same path, starts from the beginning;
 * - after each committed batch (import-stream.ts: one transaction per BATCH_SIZE_RECORDS records), the byte offset
 *   just past the batch's last line is saved (IngestStore state, keyed by the fingerprint) with the line number and
 *   the counts so far; a crash between the commit and the save costs one batch written again, which changes nothing;
 * - importing the same file again starts reading at that offset; a completed import deletes the saved position;
 *   `restart` ignores it.
 *
 * Only regular files in a line-based format (the snapshot, the sample) can resume: standard input cannot be read
 * again, and an XML or JSON document cannot be entered in the middle. Each import is recorded as a run (source
 * 'snapshot'); a run left 'running' by a killed process is marked 'interrupted' when the next one resumes it.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import type { IngestCounts, IngestStore } from '../storage/ingest-store.ts';
import type { PaperStore } from '../storage/paper-store.ts';
import type { Position } from './events.ts';
import type { ImportFormat } from './format-detection.ts';
import { type ImportOptions, type ImportSummary, importStream } from './import-stream.ts';
import { type ImportInput, InputError } from './input.ts';

/** Formats made of lines: a byte offset just past a line is a place to start again. */
export const RESUMABLE_FORMATS: ReadonlySet<ImportFormat> = new Set(['arxiv-snapshot', 'paperboy-sample']);
/** How much of the start of a file its fingerprint hashes. */
export const FINGERPRINT_HEAD_BYTES = 64 * 1024;
/** Chunk size for reading the file (as input.ts). */
const READ_CHUNK_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;
/** At most this many error sentences are kept for the run (the rest are counted). */
const MAX_RUN_ERRORS = 50;

/** What identifies a file across runs. */
export interface FileFingerprint {
  /** The state key: `snapshot:` and a SHA-256 over the parts below. */
  key: string;
  path: string;
  sizeBytes: number;
  mtimeMs: number;
  headSha256: string;
}

/** Where a resumed import starts. */
export interface SnapshotResume {
  /** The last line that was committed (the import goes on at the next). */
  line: number;
  /** The byte offset just past that line. */
  offsetBytes: number;
  /** Records imported (and skipped) before, by the earlier runs. */
  recordsBefore: number;
  savedAt: string;
}

/** What one resumable import did: the summary of this run's part of the file, and where it started. */
export interface ResumableImportResult {
  summary: ImportSummary;
  resumed: SnapshotResume | null;
  runId: number;
  /** The counts of the whole file across the runs that imported it. */
  totals: SnapshotTotals;
}

/** Counts across the runs of one file. */
export type SnapshotTotals = Required<Pick<IngestCounts, 'inserted' | 'updated' | 'unchanged' | 'skipped'>> & {
  imported: number;
};

/** What is saved after each batch. */
interface SavedPosition {
  path: string;
  line: number;
  offsetBytes: number;
  totals: SnapshotTotals;
  runId: number;
  savedAt: string;
}

export interface ResumableImportOptions extends Omit<ImportOptions, 'onBatchCommitted' | 'format' | 'dryRun'> {
  format: ImportFormat;
  /** Ignore a saved position and read the file from its start. */
  restart?: boolean;
  /** Told before reading when the import continues a saved position. */
  onResume?: (resume: SnapshotResume) => void;
}

/** A file's fingerprint (see the module comment); throws InputError when it cannot be read. */
export async function fingerprintFile(path: string): Promise<FileFingerprint> {
  try {
    const absolute = await realpath(path);
    const info = await stat(absolute);
    const handle = await open(absolute, 'r');
    let head: Buffer;
    try {
      const buffer = Buffer.alloc(Math.min(FINGERPRINT_HEAD_BYTES, info.size));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      head = buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
    const headSha256 = createHash('sha256').update(head).digest('hex');
    const parts = { path: absolute, sizeBytes: info.size, mtimeMs: Math.trunc(info.mtimeMs), headSha256 };
    const key = `snapshot:${createHash('sha256').update(JSON.stringify(parts)).digest('hex')}`;
    return { key, ...parts };
  } catch (error) {
    throw new InputError(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Imports a line-based file, continuing where an interrupted import of the same file stopped; `name` is how the
 * user named it (for messages). Writes are those of importStream; the position is saved after each batch.
 */
export async function importFileResumably(
  stores: { papers: PaperStore; ingest: IngestStore },
  path: string,
  name: string,
  options: ResumableImportOptions,
): Promise<ResumableImportResult> {
  if (!RESUMABLE_FORMATS.has(options.format)) {
    throw new Error(`${options.format} files cannot be imported resumably (only line-based formats can)`);
  }
  const fingerprint = await fingerprintFile(path);
  if (options.restart) await stores.ingest.deleteState(fingerprint.key);
  const saved = await stores.ingest.getState<SavedPosition>(fingerprint.key);
  const resumed: SnapshotResume | null = saved
    ? {
        line: saved.line,
        offsetBytes: saved.offsetBytes,
        recordsBefore: saved.totals.imported + saved.totals.skipped,
        savedAt: saved.savedAt,
      }
    : null;
  if (saved) await markInterrupted(stores.ingest, saved.runId);
  const before: SnapshotTotals = saved?.totals ?? { imported: 0, inserted: 0, updated: 0, unchanged: 0, skipped: 0 };
  const runId = await stores.ingest.startRun('snapshot', {
    file: fingerprint.path,
    sizeBytes: fingerprint.sizeBytes,
    feature: options.feature ?? false,
    ...(resumed ? { resumedAtLine: resumed.line + 1, resumedAtByte: resumed.offsetBytes } : {}),
  });
  if (resumed) options.onResume?.(resumed);

  const startOffset = resumed?.offsetBytes ?? 0;
  const lineBase = resumed?.line ?? 0;
  const lines = new LineEnds(startOffset);
  const input: ImportInput = {
    name,
    sizeBytes: fingerprint.sizeBytes - startOffset,
    chunks: lines.track(readFrom(fingerprint.path, startOffset)),
  };
  const errors: string[] = [];
  const totals = (summary: Readonly<ImportSummary>): SnapshotTotals => ({
    imported: before.imported + summary.imported,
    inserted: before.inserted + summary.inserted,
    updated: before.updated + summary.updated,
    unchanged: before.unchanged + summary.unchanged,
    skipped: before.skipped + summary.skipped,
  });
  const runCounts = (summary: Readonly<ImportSummary>): IngestCounts & { imported: number } => ({
    imported: summary.imported,
    inserted: summary.inserted,
    updated: summary.updated,
    unchanged: summary.unchanged,
    skipped: summary.skipped,
    listed: summary.listed,
  });

  let summary: ImportSummary;
  try {
    summary = await importStream(stores.papers, input, {
      ...options,
      onProgress: options.onProgress
        ? (progress) => options.onProgress?.({ ...progress, bytesRead: progress.bytesRead + startOffset })
        : undefined,
      onMessage: (message) => {
        const position = shiftLine(message.position, lineBase);
        if (message.kind === 'skipped' && errors.length < MAX_RUN_ERRORS) errors.push(`${position}: ${message.text}`);
        options.onMessage?.({ ...message, position });
      },
      onBatchCommitted: async ({ lastPosition, summary: sofar }) => {
        const line = lineNumberOf(lastPosition);
        const offsetBytes = line === null ? null : lines.offsetAfter(line);
        if (line === null || offsetBytes === null) return;
        const position: SavedPosition = {
          path: fingerprint.path,
          line: lineBase + line,
          offsetBytes,
          totals: totals(sofar),
          runId,
          savedAt: new Date().toISOString(),
        };
        await stores.ingest.setState(fingerprint.key, position);
        await stores.ingest.updateRun(runId, { status: 'running', counts: runCounts(sofar), errors });
      },
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await stores.ingest.updateRun(runId, { status: 'failed', counts: {}, errors: [message, ...errors] });
    throw error;
  }
  await stores.ingest.deleteState(fingerprint.key);
  await stores.ingest.updateRun(runId, {
    status: summary.skipped > 0 || summary.stopped ? 'partial' : 'ok',
    counts: runCounts(summary),
    errors,
  });
  return { summary, resumed, runId, totals: totals(summary) };
}

/** A run that was cut off (killed, crashed) still says 'running': say what became of it. */
async function markInterrupted(ingest: IngestStore, runId: number): Promise<void> {
  const runs = await ingest.listRuns({ limit: 20, source: 'snapshot' });
  const run = runs.find((r) => r.id === runId);
  if (run?.status === 'running') await ingest.updateRun(runId, { status: 'interrupted', counts: run.counts });
}

async function* readFrom(path: string, start: number): AsyncGenerator<Uint8Array> {
  const stream = createReadStream(path, { start, highWaterMark: READ_CHUNK_BYTES });
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (error) {
    throw new InputError(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    stream.destroy();
  }
}

/** `line 12` -> 12; positions of line-based formats always start so. */
function lineNumberOf(position: Position): number | null {
  const match = /^line (\d+)/.exec(position);
  return match ? Number(match[1]) : null;
}

/** A position in the part of the file read by this run, as a line of the whole file. */
function shiftLine(position: Position, lineBase: number): Position {
  return lineBase === 0 ? position : position.replace(/^line (\d+)/, (_, n: string) => `line ${Number(n) + lineBase}`);
}

/**
 * The byte offset (in the whole file) just past each line read, for the lines not yet committed: the parser reads
 * ahead of the batch being written, so the offsets of a chunk's worth of lines are kept until a commit passes them.
 */
class LineEnds {
  private readonly ends: number[] = [];
  /** The line number (counted from 1 in this run's part of the file) of `ends[0]`. */
  private firstLine = 1;
  private offset: number;

  constructor(startOffset: number) {
    this.offset = startOffset;
  }

  async *track(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of chunks) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      for (let at = buffer.indexOf(NEWLINE); at >= 0; at = buffer.indexOf(NEWLINE, at + 1)) {
        this.ends.push(this.offset + at + 1);
      }
      this.offset += buffer.length;
      yield chunk;
    }
    // A last line without a newline ends at the end of the file.
    if (this.ends.length === 0 || this.ends[this.ends.length - 1] !== this.offset) this.ends.push(this.offset);
  }

  /** The offset just past `line`, forgetting it and the lines before; null when that line was not read. */
  offsetAfter(line: number): number | null {
    const index = line - this.firstLine;
    if (index < 0 || index >= this.ends.length) return null;
    const offset = this.ends[index]!;
    this.ends.splice(0, index + 1);
    this.firstLine = line + 1;
    return offset;
  }
}
