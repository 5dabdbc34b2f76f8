/**
 * What a format parser tells the importer, one event at a time, so that parsers stay pure (bytes in, events out) and
 * the importer alone decides about batching, storage, the daily feed and reporting.
 */
import type { PaperRecord } from '../domain/paper.ts';

/** Where something is in the input, as a reader can find it: `line 12`, `record 7 (line 130)`, `item 3`. */
export type Position = string;

/** One thing a parser found, in input order. */
export type ParseEvent =
  /** A valid record. `listedAt` is when the source itself listed it on a daily feed (Hugging Face), else null. */
  | { kind: 'record'; position: Position; record: PaperRecord; listedAt: string | null }
  /** A record that is skipped, and why; nothing of it is written. */
  | { kind: 'rejected'; position: Position; reason: string }
  /** A record the source marks as deleted (OAI-PMH): skipped, not an error. */
  | { kind: 'deleted'; position: Position; identifier: string }
  /** The input ended early or broke (truncated or malformed XML, unterminated JSON array): the rest is unread. */
  | { kind: 'stopped'; position: Position; reason: string }
  /** Something about the input as a whole, for the summary. */
  | { kind: 'note'; note: SourceNote };

/** Facts about an input as a whole, shown in its summary line. */
export type SourceNote =
  /** An OAI-PMH page's resumption token: empty when the list is complete. */
  | { kind: 'oai-resumption'; token: string; completeListSize: number | null; cursor: number | null }
  /** An OAI-PMH answer saying no records match the request. */
  | { kind: 'oai-no-records' }
  /** An arXiv API answer's totals (opensearch). */
  | { kind: 'atom-totals'; totalResults: number | null; startIndex: number | null; itemsPerPage: number | null }
  /** Something odd that did not cost a record (e.g. bad bytes outside any record). */
  | { kind: 'warning'; position: Position; message: string };

/**
 * The source itself says the import cannot go on: the arXiv API's error feed, an OAI-PMH error, a metadata format
 * we do not read. The message is one line meant for the user.
 */
export class ImportSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportSourceError';
  }
}
