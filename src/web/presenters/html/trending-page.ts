/**
 * The trending page's content: the window's papers in trending order as feed cards, each with its current points,
 * and the numbers the page's explanation of the formula quotes (so that the text and the code cannot disagree).
 */
import { DateTime } from 'luxon';
import { HttpError } from '../../../commands/errors.ts';
import type { TrendingResult } from '../../../commands/trending.ts';
import {
  currentPoints,
  HALF_LIFE_HOURS,
  LISTING_WEIGHT_VOTES,
  TRENDING_WINDOW_DAYS,
} from '../../../domain/trending.ts';
import { shortDay } from './dates.ts';
import type { NavLink } from './feed-page.ts';
import { FEED_PAGE_SIZE, type Paging, pageCount, paging } from './paging.ts';
import { type PaperCard, presentPaperCard } from './paper-card.ts';
import { dayPath } from './paths.ts';

/** The trending page's address. */
export const TRENDING_PATH = '/papers/trending';

export interface TrendingPage {
  documentTitle: string;
  description: string;
  heading: string;
  /** `12 papers listed Mon 2 Jun 2025 – Sun 8 Jun 2025`. */
  summary: string;
  cards: PaperCard[];
  /** Each shown paper's current points, by id. */
  points: Map<string, number>;
  firstRank: number;
  paging: Paging | null;
  /** Set when no paper was listed in the window. */
  empty: { message: string; latest: NavLink | null } | null;
  /** The formula's constants, as the explanation states them. */
  halfLifeHours: number;
  listingWeightVotes: number;
  windowDays: number;
  /** When the points were computed: `<time datetime>` and a label (`14:05 UTC, 8 June 2025`). */
  asOf: { iso: string; text: string };
  /** This page's own address (for the return path of its forms and its canonical link). */
  path: string;
}

export interface TrendingPageRequest {
  page: number;
  nowMs: number;
}

/** The page model; a page past the end is a 404, like the feed's. */
export function presentTrendingPage(result: TrendingResult, request: TrendingPageRequest): TrendingPage {
  const count = pageCount(result.total);
  if (request.page > count) {
    throw new HttpError(
      404,
      'not_found',
      `The trending list has ${plural(count, 'page')}; there is no page ${request.page}.`,
    );
  }
  const cards = result.items.map(presentPaperCard);
  const points = new Map(
    cards.map((card) => [card.id, currentPoints(result.scores.get(card.id) ?? Number.NaN, request.nowMs)]),
  );
  const range = `${shortDay(result.from)} – ${shortDay(result.to)}`;
  const pageSuffix = count > 1 ? `, page ${request.page} of ${count}` : '';
  const now = DateTime.fromMillis(request.nowMs, { zone: 'utc' }).setLocale('en-GB');
  const latest = result.latestDay;
  return {
    documentTitle: `Trending papers${pageSuffix}`,
    description:
      result.total > 0
        ? `The ${plural(result.total, 'paper')} listed in the last ${TRENDING_WINDOW_DAYS} days, ranked by recent upvotes.`
        : `No papers were listed in the last ${TRENDING_WINDOW_DAYS} days.`,
    heading: 'Trending papers',
    summary: `${plural(result.total, 'paper')} listed ${range}`,
    cards,
    points,
    firstRank: (request.page - 1) * FEED_PAGE_SIZE + 1,
    paging: count > 1 ? paging(TRENDING_PATH, request.page, result.total) : null,
    empty:
      result.total === 0
        ? {
            message: `No papers were listed in the last ${TRENDING_WINDOW_DAYS} days, so nothing is trending yet.`,
            latest: latest ? { href: dayPath(latest), label: shortDay(latest) } : null,
          }
        : null,
    halfLifeHours: HALF_LIFE_HOURS,
    listingWeightVotes: LISTING_WEIGHT_VOTES,
    windowDays: TRENDING_WINDOW_DAYS,
    asOf: { iso: now.toISO()!, text: now.toFormat("HH:mm 'UTC', d LLLL yyyy") },
    path: request.page > 1 ? `${TRENDING_PATH}?p=${request.page}` : TRENDING_PATH,
  };
}

function plural(count: number, noun: string): string {
  return `${count.toLocaleString('en-GB')} ${noun}${count === 1 ? '' : 's'}`;
}
