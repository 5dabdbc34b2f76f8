/**
 * Hugging Face's `daily_papers` JSON (`GET https://huggingface.co/api/daily_papers`): an array of
 * `{paper: {id, title, summary, authors: [{name}], publishedAt, githubRepo?, projectPage?}, publishedAt, ...}`.
 * Beware the quirk: `paper.publishedAt` is arXiv's date (kept as the first version's date), while the item's own
 * `publishedAt` is when the paper was listed on the daily feed (used for `--feature`). Hugging Face does not give
 * categories, versions beyond the first, comments or DOIs: those stay unknown.
 */
import { cleanAuthorName } from '../domain/authors.ts';
import type { ParseEvent } from './events.ts';
import { MAX_ITEM_BYTES, splitJsonArray } from './json-array.ts';
import { buildPaperRecord } from './record-builder.ts';
import { normaliseSourceDate } from './source-dates.ts';
import { findInvalidUtf8 } from './utf8.ts';

/** Parses a daily_papers array item by item; a bad item is rejected with its index and the rest go on. */
export async function* parseHfDailyPapers(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<ParseEvent> {
  for await (const event of splitJsonArray(chunks)) {
    const position = `item ${event.index} (line ${event.line})`;
    if (event.kind === 'broken') {
      if (event.inItem) yield { kind: 'rejected', position, reason: event.reason };
      yield { kind: 'stopped', position: `line ${event.line}`, reason: event.reason };
      return;
    }
    if (event.kind === 'too-large') {
      yield { kind: 'rejected', position, reason: `larger than ${MAX_ITEM_BYTES / 1024 / 1024} MiB` };
      continue;
    }
    const invalidAt = findInvalidUtf8(event.bytes);
    if (invalidAt >= 0) {
      yield { kind: 'rejected', position, reason: 'not valid UTF-8' };
      continue;
    }
    let item: unknown;
    try {
      item = JSON.parse(event.bytes.toString('utf8'));
    } catch (error) {
      yield { kind: 'rejected', position, reason: `broken JSON (${(error as Error).message})` };
      continue;
    }
    yield itemEvent(item, position);
  }
}

function itemEvent(item: unknown, position: string): ParseEvent {
  if (!isObject(item) || !isObject(item.paper)) {
    return { kind: 'rejected', position, reason: "not a daily paper (no 'paper' object)" };
  }
  const paper = item.paper;
  const firstVersionDate = typeof paper.publishedAt === 'string' ? paper.publishedAt : null;
  const result = buildPaperRecord({
    id: paper.id,
    title: paper.title ?? item.title,
    abstract: paper.summary,
    authors: Array.isArray(paper.authors)
      ? paper.authors.map((a: unknown) => (isObject(a) && typeof a.name === 'string' ? cleanAuthorName(a.name) : ''))
      : [],
    categories: [],
    versions: firstVersionDate ? [{ version: 1, created: firstVersionDate }] : [],
    githubRepo: paper.githubRepo,
    projectPage: paper.projectPage,
  });
  if (!result.ok) return { kind: 'rejected', position, reason: result.reason };
  const listedText =
    typeof item.publishedAt === 'string'
      ? item.publishedAt
      : typeof paper.submittedOnDailyAt === 'string'
        ? paper.submittedOnDailyAt
        : null;
  const listedAt = listedText === null ? null : normaliseSourceDate(listedText);
  return { kind: 'record', position, record: result.record, listedAt: listedAt?.includes('T') ? listedAt : null };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
