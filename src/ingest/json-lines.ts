/**
 * JSON lines in the arXiv metadata snapshot format (Kaggle's `arxiv-metadata-oai-snapshot.json`) and its lighter
 * variant, Paperboy's bundled sample (`sample-data/seed-papers.jsonl`). Lines are split on bytes and decoded one by
 * one, so memory stays constant on a 4.5 GB file and a line with bytes that are not UTF-8 costs only that line.
 */
import { authorFromParsedName, splitAuthorList } from '../domain/authors.ts';
import type { ParseEvent } from './events.ts';
import { buildPaperRecord, splitCategories } from './record-builder.ts';
import { findInvalidUtf8 } from './utf8.ts';

/** Longest line we accept: real snapshot lines are under 100 KiB; this bounds memory on a file that is not lines. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;
const NEWLINE = 0x0a;

/** One line's bytes (without its newline), or a line too long to keep. */
export type LineEvent =
  | { kind: 'line'; lineNumber: number; bytes: Buffer; lastWithoutNewline: boolean }
  | { kind: 'too-long'; lineNumber: number };

/**
 * Splits a byte stream into lines (on `\n`; a `\r` before it is left to the JSON parser, which treats it as
 * whitespace). A line longer than `maxLineBytes` is reported as too long and skipped without being kept in memory.
 */
export async function* splitLines(
  chunks: AsyncIterable<Uint8Array>,
  maxLineBytes = MAX_LINE_BYTES,
): AsyncGenerator<LineEvent> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let tooLong = false;
  let lineNumber = 1;
  for await (const chunk of chunks) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    while (start < buffer.length) {
      const newline = buffer.indexOf(NEWLINE, start);
      const end = newline < 0 ? buffer.length : newline;
      if (!tooLong) {
        if (pendingBytes + (end - start) > maxLineBytes) {
          tooLong = true;
          pending = [];
          pendingBytes = 0;
        } else if (end > start) {
          pending.push(buffer.subarray(start, end));
          pendingBytes += end - start;
        }
      }
      if (newline < 0) break;
      if (tooLong) yield { kind: 'too-long', lineNumber };
      else {
        const bytes = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
        yield { kind: 'line', lineNumber, bytes, lastWithoutNewline: false };
      }
      pending = [];
      pendingBytes = 0;
      tooLong = false;
      lineNumber += 1;
      start = newline + 1;
    }
    // Keep only what the pending line needs: the chunk may be reused by its producer.
    if (pending.length > 0 && pending[pending.length - 1]!.buffer === buffer.buffer) {
      pending[pending.length - 1] = Buffer.from(pending[pending.length - 1]!);
    }
  }
  if (tooLong) yield { kind: 'too-long', lineNumber };
  else if (pendingBytes > 0) {
    yield { kind: 'line', lineNumber, bytes: Buffer.concat(pending, pendingBytes), lastWithoutNewline: true };
  }
}

/** Parses snapshot or sample JSON lines into records; a bad line is rejected with its line number and the rest go on. */
export async function* parseArxivJsonLines(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<ParseEvent> {
  for await (const line of splitLines(chunks)) {
    const position = `line ${line.lineNumber}`;
    if (line.kind === 'too-long') {
      yield { kind: 'rejected', position, reason: `longer than ${MAX_LINE_BYTES / 1024 / 1024} MiB` };
      continue;
    }
    const bytes =
      line.lineNumber === 1 && startsWithBom(line.bytes) ? line.bytes.subarray(UTF8_BOM.length) : line.bytes;
    if (isBlank(bytes)) continue;
    const invalidAt = findInvalidUtf8(bytes);
    if (invalidAt >= 0) {
      const byte = bytes[invalidAt]!.toString(16).toUpperCase().padStart(2, '0');
      yield { kind: 'rejected', position, reason: `not valid UTF-8 (byte 0x${byte} at column ${invalidAt + 1})` };
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(bytes.toString('utf8'));
    } catch (error) {
      const truncated = line.lastWithoutNewline ? '; the file may be truncated' : '';
      yield { kind: 'rejected', position, reason: `broken JSON (${(error as Error).message})${truncated}` };
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      yield { kind: 'rejected', position, reason: 'not a JSON object' };
      continue;
    }
    const problem = shapeProblem(value as Record<string, unknown>);
    if (problem) {
      yield { kind: 'rejected', position, reason: problem };
      continue;
    }
    const result = buildPaperRecord(snapshotFields(value as Record<string, unknown>));
    if (result.ok) yield { kind: 'record', position, record: result.record, listedAt: null };
    else yield { kind: 'rejected', position, reason: result.reason };
  }
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

function startsWithBom(bytes: Buffer): boolean {
  return bytes.length >= UTF8_BOM.length && bytes.subarray(0, UTF8_BOM.length).equals(UTF8_BOM);
}

/**
 * Fields of the wrong kind, which would otherwise be read as "unknown" and import a paper with its authors or
 * versions silently missing. Absent or null fields are fine: unknown stays unknown.
 */
function shapeProblem(line: Record<string, unknown>): string | null {
  const present = (value: unknown) => value !== undefined && value !== null;
  if (present(line.versions) && !Array.isArray(line.versions)) return "'versions' is not a list";
  if (present(line.authors) && typeof line.authors !== 'string') return "'authors' is not text";
  if (present(line.authors_parsed) && !Array.isArray(line.authors_parsed)) return "'authors_parsed' is not a list";
  if (present(line.categories) && typeof line.categories !== 'string') return "'categories' is not text";
  return null;
}

/** Maps one snapshot (or sample) object to source fields. `authors_parsed` is preferred when it has names. */
function snapshotFields(line: Record<string, unknown>) {
  return {
    id: line.id,
    title: line.title,
    abstract: line.abstract,
    authors: snapshotAuthors(line.authors_parsed, line.authors),
    categories: splitCategories(line.categories),
    versions: Array.isArray(line.versions)
      ? line.versions.map((v: unknown) => {
          const entry = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
          return { version: entry.version, created: entry.created };
        })
      : [],
    comments: line.comments,
    journalRef: line['journal-ref'],
    doi: line.doi,
    reportNo: line['report-no'],
    license: line.license,
    submitter: line.submitter,
  };
}

function snapshotAuthors(parsed: unknown, raw: unknown): string[] {
  if (Array.isArray(parsed) && parsed.length > 0 && parsed.every(Array.isArray)) {
    const names = (parsed as unknown[][]).map(authorFromParsedName).filter((n) => n.length > 0);
    if (names.length > 0) return names;
  }
  return typeof raw === 'string' ? splitAuthorList(raw) : [];
}

function isBlank(bytes: Buffer): boolean {
  for (const byte of bytes) {
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) return false;
  }
  return true;
}
