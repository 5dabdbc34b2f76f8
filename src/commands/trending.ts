/**
 * Reading the trending list: papers listed in the last TRENDING_WINDOW_DAYS days, ordered by their stored trending
 * score (domain/trending.ts), with those scores so that pages can show each paper's current points.
 */
import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import { TRENDING_WINDOW_DAYS } from '../domain/trending.ts';
import type { ListedPaper, PaperStore } from '../storage/paper-store.ts';
import type { Database } from '../storage/schema.ts';

export interface TrendingRequest {
  /** Today in the instance's time zone (`YYYY-MM-DD`): the window ends here. */
  today: string;
  offset: number;
  limit: number;
}

export interface TrendingResult {
  /** First and last day of the window, inclusive. */
  from: string;
  to: string;
  items: ListedPaper[];
  /** The stored score of each paper shown, by id. */
  scores: Map<string, number>;
  /** Papers in the window in all (for paging). */
  total: number;
  /** The most recent day with any listing (to point somewhere when the window is empty). */
  latestDay: string | null;
}

/** The first day of the trending window that ends on `today`. */
export function trendingWindowStart(today: string): string {
  return DateTime.fromISO(today, { zone: 'utc' })
    .minus({ days: TRENDING_WINDOW_DAYS - 1 })
    .toISODate()!;
}

/** One page of the window in trending order, its size, and the scores to show as points (one extra query). */
export async function readTrending(
  store: PaperStore,
  db: Kysely<Database>,
  request: TrendingRequest,
): Promise<TrendingResult> {
  const from = trendingWindowStart(request.today);
  const window = { from, to: request.today };
  const [items, total, latestDay] = await Promise.all([
    store.listFeed({ ...window, sort: 'trending', offset: request.offset, limit: request.limit }),
    store.countFeed(window),
    store.latestListingDay(),
  ]);
  const ids = items.map((item) => item.paper.id);
  const rows =
    ids.length === 0
      ? []
      : await db.selectFrom('papers').select(['id', 'trending_score']).where('id', 'in', ids).execute();
  const scores = new Map(rows.map((row) => [row.id, Number(row.trending_score)]));
  return { from, to: request.today, items, scores, total, latestDay };
}
