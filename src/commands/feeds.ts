/**
 * What each subscribable feed holds: the daily list (the most recent listings), trending (the trending window in
 * trending order), one arXiv category, or one author. Shared by the RSS and Atom answers (and later the digests).
 */
import { trendingWindowStart } from '../commands/trending.ts';
import { todayIn } from '../domain/feed-period.ts';
import type { ListedPaper, PaperStore } from '../storage/paper-store.ts';
import { HttpError } from './errors.ts';

/** Entries per feed: a day's list on a busy instance, and what feed readers comfortably fetch. */
export const FEED_ENTRY_LIMIT = 50;
/** An arXiv category as arXiv writes it (`cs.LG`, `hep-th`, `math.AG`). */
const CATEGORY_PATTERN = /^[a-z][a-z-]*(?:\.[A-Za-z][A-Za-z-]*)?$/;
/** Author names longer than this are not names. */
const MAX_AUTHOR_NAME_LENGTH = 200;

export type FeedSelection =
  | { kind: 'daily' }
  | { kind: 'trending' }
  | { kind: 'category'; category: string }
  | { kind: 'author'; author: string };

/** Checks a category from a feed address; a malformed one is a 400 naming the expected shape. */
export function requireCategory(raw: string): string {
  if (!CATEGORY_PATTERN.test(raw)) {
    throw new HttpError(
      400,
      'invalid_parameter',
      `'${raw.slice(0, 40)}' is not an arXiv category such as cs.LG or hep-th.`,
    );
  }
  return raw;
}

/** Checks an author name from a feed address: one to 200 characters, no control characters. */
export function requireAuthorName(raw: string): string {
  const name = raw.trim().replace(/\s+/g, ' ');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (name.length === 0 || name.length > MAX_AUTHOR_NAME_LENGTH || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new HttpError(400, 'invalid_parameter', `An author's name has 1 to ${MAX_AUTHOR_NAME_LENGTH} characters.`);
  }
  return name;
}

/** The entries of a feed, newest listing first (trending: in trending order). */
export async function readFeedEntries(
  store: PaperStore,
  selection: FeedSelection,
  timeZone: string,
  now: Date = new Date(),
): Promise<ListedPaper[]> {
  const page = { offset: 0, limit: FEED_ENTRY_LIMIT };
  switch (selection.kind) {
    case 'daily':
      return store.listFeed({ ...page, sort: 'publishedAt' });
    case 'trending': {
      const today = todayIn(timeZone, now);
      return store.listFeed({ ...page, sort: 'trending', from: trendingWindowStart(today), to: today });
    }
    case 'category':
      return store.listFeed({ ...page, sort: 'publishedAt', category: selection.category });
    case 'author':
      return store.listFeed({ ...page, sort: 'publishedAt', author: selection.author });
  }
}
