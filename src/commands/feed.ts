/**
 * Reading the daily feed: which period to show, its papers in order, and where the neighbouring papers are.
 * Shared by the HTML pages and the JSON API so that both always agree.
 */
import { type FeedPeriod, type PeriodKind, parsePeriod, periodContaining } from '../domain/feed-period.ts';
import type { FeedSort, ListedPaper, PaperStore } from '../storage/paper-store.ts';
import { HttpError } from './errors.ts';

/** The username under which the instance's own listings (sample data, imports, arXiv listings) appear. */
export const SYSTEM_SUBMITTER = 'paperboy';

export interface FeedRequest {
  /** The period asked for; null = the latest day that has papers. */
  period: FeedPeriod | null;
  sort: FeedSort;
  offset: number;
  limit: number;
  /** Only papers listed by this username; `SYSTEM_SUBMITTER` names the instance's own listings. */
  submitter?: string;
}

export interface FeedResult {
  /** The period shown (null only when the feed is completely empty). */
  period: FeedPeriod | null;
  items: ListedPaper[];
  /** How many papers the period has in all (for paging). */
  total: number;
  /** The closest days with papers before and after the period, for navigation from an empty or edge period. */
  nearest: { before: string | null; after: string | null };
}

/** Parses a period from a URL, turning a malformed or impossible one into a 400. */
export function requirePeriod(kind: PeriodKind, input: string): FeedPeriod {
  const result = parsePeriod(kind, input);
  if (!result.ok) throw new HttpError(400, 'invalid_date', result.reason);
  return result.value;
}

/** One period of the feed (or the latest day with papers), with paging and navigation facts. */
export async function readFeed(store: PaperStore, request: FeedRequest): Promise<FeedResult> {
  let period = request.period;
  if (period === null) {
    const latest = await store.latestListingDay();
    if (latest === null) return { period: null, items: [], total: 0, nearest: { before: null, after: null } };
    period = periodContaining('day', latest);
  }
  const filter = submitterFilter(request.submitter);
  const [items, total, nearest] = await Promise.all([
    readFeedItems(store, { ...request, period }),
    filter ? store.countFeed({ from: period.start, to: period.end, ...filter }) : 0,
    store.nearestListingDays(period.start, period.end),
  ]);
  return { period, items, total, nearest };
}

/**
 * Just the papers of a period, or of all days when `period` is null (Hugging Face's API without a date): newest
 * listing first or by upvotes, paged. Skips the counting and navigation that pages need.
 */
export async function readFeedItems(store: PaperStore, request: FeedRequest): Promise<ListedPaper[]> {
  const filter = submitterFilter(request.submitter);
  if (!filter) return [];
  const range = request.period ? { from: request.period.start, to: request.period.end } : {};
  return store.listFeed({ ...range, sort: request.sort, offset: request.offset, limit: request.limit, ...filter });
}

/** What a submitter filter means for the store: the instance's own listings, or one person's submissions. */
function submitterFilter(
  submitter: string | undefined,
): { systemListingsOnly: boolean; submitterUsername?: string } | null {
  if (submitter === undefined) return { systemListingsOnly: false };
  if (submitter === SYSTEM_SUBMITTER) return { systemListingsOnly: true };
  return { systemListingsOnly: false, submitterUsername: submitter };
}
