/**
 * The one place where what a source says about a paper becomes a PaperRecord: every format parser maps its fields
 * here, so validation (a strict arXiv id, a title) and cleaning (whitespace, dates, categories) are the same for all
 * formats, and a record that fails any check is rejected whole with a reason a user can act on.
 */
import { parseArxivId, truncateForMessage } from '../domain/arxiv-id.ts';
import type { PaperRecord, PaperVersion } from '../domain/paper.ts';
import { findPaperLinks } from '../domain/paper-links.ts';
import { cleanAbstract, cleanOptionalText, cleanTitle } from '../domain/text.ts';
import { normaliseSourceDate } from './source-dates.ts';

/** A paper's fields as a source gives them, before validation. Parsers pass through what they do not understand. */
export interface SourcePaperFields {
  /** An arXiv id, possibly with a version suffix (`2202.12139v1`). */
  id: unknown;
  title: unknown;
  abstract: unknown;
  /** Author names, already split and cleaned by the parser (formats differ too much to share that step). */
  authors: string[];
  /** Categories, primary first (duplicates and blanks are dropped here). */
  categories: string[];
  /** `{version: 'v1' | 1, created: 'Mon, 2 Apr 2007 19:18:42 GMT' | '2023-08-13' | ISO | null}` */
  versions: ReadonlyArray<{ version: unknown; created: unknown }>;
  comments?: unknown;
  journalRef?: unknown;
  doi?: unknown;
  reportNo?: unknown;
  license?: unknown;
  submitter?: unknown;
  githubRepo?: unknown;
  projectPage?: unknown;
}

/** A clean record, or the reason the source's record is rejected. */
export type BuildResult = { ok: true; record: PaperRecord } | { ok: false; reason: string };

/** Validates and cleans a source's fields into a PaperRecord, or says why the record cannot be imported. */
export function buildPaperRecord(fields: SourcePaperFields): BuildResult {
  if (fields.id === undefined || fields.id === null || fields.id === '') return { ok: false, reason: 'no arXiv id' };
  if (typeof fields.id !== 'string') return { ok: false, reason: `the arXiv id is not text (${typeof fields.id})` };
  const id = parseArxivId(fields.id.trim());
  if (!id.ok) return { ok: false, reason: `invalid arXiv id: ${id.reason}` };

  if (typeof fields.title !== 'string' || cleanTitle(fields.title) === '') {
    return { ok: false, reason: `${id.value.id} has no title` };
  }
  if (fields.abstract !== undefined && fields.abstract !== null && typeof fields.abstract !== 'string') {
    return { ok: false, reason: `${id.value.id}: the abstract is not text` };
  }

  const versions: PaperVersion[] = [];
  for (const raw of fields.versions) {
    const version = parseVersionNumber(raw.version);
    if (version === null) {
      return { ok: false, reason: `${id.value.id}: version '${truncateForMessage(String(raw.version))}' is not vN` };
    }
    let created: string | null = null;
    if (typeof raw.created === 'string' && raw.created.trim() !== '') {
      created = normaliseSourceDate(raw.created);
      if (created === null) {
        return {
          ok: false,
          reason: `${id.value.id}: v${version} has an unreadable date '${truncateForMessage(raw.created)}'`,
        };
      }
    }
    versions.push({ version, created });
  }
  versions.sort((a, b) => a.version - b.version);

  const record: PaperRecord = {
    id: id.value.id,
    title: cleanTitle(fields.title),
    abstract: typeof fields.abstract === 'string' ? cleanAbstract(fields.abstract) : '',
    authors: fields.authors.filter((name) => name.length > 0),
    categories: uniqueCategories(fields.categories),
    versions,
    comments: cleanOptionalText(fields.comments),
    journalRef: cleanOptionalText(fields.journalRef),
    doi: cleanOptionalText(fields.doi),
    reportNo: cleanOptionalText(fields.reportNo),
    license: cleanOptionalText(fields.license),
    submitter: cleanOptionalText(fields.submitter),
    githubRepo: httpUrlOrNull(fields.githubRepo),
    projectPage: httpUrlOrNull(fields.projectPage),
  };
  // Links the source does not give are looked for in the raw text (line breaks intact: URLs get wrapped there).
  if (record.githubRepo === null || record.projectPage === null) {
    const found = findPaperLinks({ abstract: textOrNull(fields.abstract), comments: textOrNull(fields.comments) });
    record.githubRepo ??= found.githubRepo;
    record.projectPage ??= found.projectPage;
  }
  // PostgreSQL text cannot hold U+0000 (a JSON line can, as \u0000): refuse the record rather than fail its batch.
  if (textValues(record).some((text) => text.includes('\u0000'))) {
    return { ok: false, reason: `${record.id} contains a NUL character` };
  }
  return { ok: true, record };
}

function textValues(record: PaperRecord): string[] {
  const values = [record.title, record.abstract, ...record.authors, ...record.categories];
  for (const value of [
    record.comments,
    record.journalRef,
    record.doi,
    record.reportNo,
    record.license,
    record.submitter,
  ]) {
    if (value !== null) values.push(value);
  }
  return values;
}

/** Splits arXiv's space-separated category list (`"math.CO cs.CG"`), primary first. */
export function splitCategories(raw: unknown): string[] {
  return typeof raw === 'string' ? raw.split(/\s+/).filter((c) => c.length > 0) : [];
}

function uniqueCategories(categories: string[]): string[] {
  return [...new Set(categories.map((c) => c.trim()).filter((c) => c.length > 0))];
}

/** `'v2'`, `'2'` or `2` -> 2; anything else -> null. */
function parseVersionNumber(raw: unknown): number | null {
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  const match = /^v?([1-9]\d{0,3})$/.exec(text);
  return match ? Number(match[1]) : null;
}

function httpUrlOrNull(raw: unknown): string | null {
  const text = cleanOptionalText(raw);
  if (text === null) return null;
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? text : null;
  } catch {
    return null;
  }
}

function textOrNull(raw: unknown): string | null {
  return typeof raw === 'string' ? raw : null;
}
