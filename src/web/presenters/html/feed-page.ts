/**
 * The daily feed page's content: the period's papers as cards, with the navigation a reader needs around them
 * (earlier/later period with papers, day/week/month switch, pages) and what to do when a period is empty.
 */
import { DateTime } from 'luxon';
import { HttpError } from '../../../commands/errors.ts';
import type { FeedResult } from '../../../commands/feed.ts';
import { type FeedPeriod, type PeriodKind, periodContaining, periodTitle } from '../../../domain/feed-period.ts';
import { longDay, shortDay } from './dates.ts';
import { FEED_PAGE_SIZE, type Paging, pageCount, paging } from './paging.ts';
import { type PaperCard, presentPaperCard } from './paper-card.ts';
import { periodPath } from './paths.ts';

/** Longest meta description, in characters (search engines show about this much). */
const DESCRIPTION_MAX_CHARS = 300;

export interface NavLink {
  href: string;
  /** Short visible label: `Wed 28 Feb 2024`, `Week 8 of 2024`, `January 2024`. */
  label: string;
}

export interface PeriodSwitch {
  kind: PeriodKind;
  label: string;
  href: string;
  current: boolean;
}

export interface EmptyPeriod {
  /** `No papers were listed on this day`. */
  heading: string;
  /** A sentence after the heading, when there is more to say. */
  message: string | null;
  /** The closest earlier and later days with papers. */
  before: NavLink | null;
  after: NavLink | null;
}

export interface FeedPage {
  documentTitle: string;
  description: string;
  /** Small line above the heading: `Latest papers`, `Papers of the week`. */
  kicker: string;
  heading: string;
  /** `24 papers, most upvoted first`; null when there are none. */
  summary: string | null;
  /** The period's kind; null when the instance has no papers at all. */
  kind: PeriodKind | null;
  cards: PaperCard[];
  /** Rank of the first card (for `<ol start>`). */
  firstRank: number;
  switches: PeriodSwitch[];
  /** The nearest earlier and later periods of the same kind that have papers. */
  previous: NavLink | null;
  next: NavLink | null;
  /** Set when the period has no papers. */
  empty: EmptyPeriod | null;
  /** Set when the period has more than one page. */
  paging: Paging | null;
  /** The page's own address when it has one other than `/` (for `<link rel="canonical">`). */
  canonicalPath: string | null;
}

export interface FeedPageRequest {
  /** True for `/`, the latest day with papers. */
  latest: boolean;
  page: number;
}

const KICKER: Record<PeriodKind, string> = {
  day: 'Daily papers',
  week: 'Papers of the week',
  month: 'Papers of the month',
};

export function presentFeedPage(feed: FeedResult, request: FeedPageRequest): FeedPage {
  const period = feed.period;
  if (period === null) return emptyInstancePage();
  const heading = periodTitle(period);
  const count = pageCount(feed.total);
  if (request.page > count) {
    const pages = feed.total === 0 ? 'no papers' : `${pluralise(count, 'page')} of papers`;
    throw new HttpError(404, 'not_found', `${heading} has ${pages}; there is no page ${request.page}.`);
  }
  const basePath = request.latest ? '/' : periodPath(period);
  const cards = feed.items.map(presentPaperCard);
  const pageSuffix = count > 1 ? `, page ${request.page} of ${count}` : '';
  return {
    documentTitle: `${request.latest ? 'Latest papers' : 'Papers'}: ${heading}${pageSuffix}`,
    description: describe(feed.total, period, cards),
    kicker: request.latest ? 'Latest papers' : KICKER[period.kind],
    heading,
    summary: feed.total > 0 ? `${pluralise(feed.total, 'paper')}${feed.total > 1 ? ', most upvoted first' : ''}` : null,
    kind: period.kind,
    cards,
    firstRank: (request.page - 1) * FEED_PAGE_SIZE + 1,
    switches: periodSwitches(period, feed.items[0]?.listing.listedOn ?? period.start),
    previous: feed.nearest.before ? periodLink(periodContaining(period.kind, feed.nearest.before)) : null,
    next: feed.nearest.after ? periodLink(periodContaining(period.kind, feed.nearest.after)) : null,
    empty: feed.total === 0 ? emptyPeriod(period, feed.nearest) : null,
    paging: count > 1 ? paging(basePath, request.page, feed.total) : null,
    canonicalPath: request.latest ? null : `${basePath}${request.page > 1 ? `?p=${request.page}` : ''}`,
  };
}

function emptyInstancePage(): FeedPage {
  return {
    documentTitle: 'No papers yet',
    description: 'This Paperboy instance has not listed any papers yet.',
    kicker: 'Latest papers',
    heading: 'No papers yet',
    summary: null,
    kind: null,
    cards: [],
    firstRank: 1,
    switches: [],
    previous: null,
    next: null,
    empty: {
      heading: 'The feed is empty',
      message:
        'This instance has not listed any papers on its daily feed yet. Its administrator can import papers with ' +
        '“paperboy import FILE --feature”.',
      before: null,
      after: null,
    },
    paging: null,
    canonicalPath: null,
  };
}

function emptyPeriod(period: FeedPeriod, nearest: FeedResult['nearest']): EmptyPeriod {
  const dayLink = (day: string): NavLink => ({ href: periodPath(periodContaining('day', day)), label: longDay(day) });
  const none = nearest.before === null && nearest.after === null;
  return {
    heading: `No papers were listed ${period.kind === 'day' ? 'on this day' : `in this ${period.kind}`}`,
    message: none ? 'Nor on any other day yet: this instance has no papers on its feed.' : null,
    before: nearest.before ? dayLink(nearest.before) : null,
    after: nearest.after ? dayLink(nearest.after) : null,
  };
}

/** Day, week and month views around `anchorDay` (a day of this period that has papers, when there is one). */
function periodSwitches(period: FeedPeriod, anchorDay: string): PeriodSwitch[] {
  const kinds: [PeriodKind, string][] = [
    ['day', 'Day'],
    ['week', 'Week'],
    ['month', 'Month'],
  ];
  return kinds.map(([kind, label]) => ({
    kind,
    label,
    href: periodPath(kind === period.kind ? period : periodContaining(kind, anchorDay)),
    current: kind === period.kind,
  }));
}

function periodLink(period: FeedPeriod): NavLink {
  return { href: periodPath(period), label: shortPeriodLabel(period) };
}

/** `Wed 28 Feb 2024`, `Week 8 of 2024`, `January 2024`. */
function shortPeriodLabel(period: FeedPeriod): string {
  if (period.kind === 'day') return shortDay(period.start);
  const start = DateTime.fromISO(period.start, { zone: 'utc' }).setLocale('en-GB');
  if (period.kind === 'week') return `Week ${start.weekNumber} of ${start.weekYear}`;
  return start.toFormat('LLLL yyyy');
}

/** `on Thursday, 29 February 2024`, `in week 9 of 2024 (26 Feb – 3 Mar)`, `in February 2024`. */
function periodPhrase(period: FeedPeriod): string {
  return period.kind === 'day' ? `on ${periodTitle(period)}` : `in ${lowerFirst(periodTitle(period))}`;
}

function describe(total: number, period: FeedPeriod, cards: PaperCard[]): string {
  if (total === 0) return `No papers were listed ${periodPhrase(period)}.`;
  const lead = `${pluralise(total, 'paper')} listed ${periodPhrase(period)}, most upvoted first: `;
  const titles = cards.map((card) => card.titleText).join('; ');
  const text = lead + titles;
  return text.length > DESCRIPTION_MAX_CHARS ? `${text.slice(0, DESCRIPTION_MAX_CHARS - 1).trimEnd()}…` : text;
}

function pluralise(count: number, noun: string): string {
  return `${count.toLocaleString('en-GB')} ${noun}${count === 1 ? '' : 's'}`;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
