/** Page numbers in feed URLs (`?p=2`): 1-based for people, validated so that a bad one is a 400, not a 500. */
import { HttpError } from '../../../commands/errors.ts';

/** Papers per feed page. */
export const FEED_PAGE_SIZE = 50;
/** Highest page number accepted at all (50,000 papers at 50 a page): keeps offsets sane. */
const MAX_PAGE = 1_000;
/** Pages linked on either side of the current one before the list is elided with "…". */
const PAGE_LINK_RADIUS = 2;

/** The page asked for by `?p=` (absent = 1). */
export function requirePageNumber(raw: unknown): number {
  if (raw === undefined || raw === '') return 1;
  const text = Array.isArray(raw) ? String(raw[0]) : String(raw);
  if (!/^\d{1,4}$/.test(text) || Number(text) < 1 || Number(text) > MAX_PAGE) {
    const shown = text.length > 20 ? `${text.slice(0, 20)}…` : text;
    throw new HttpError(400, 'invalid_parameter', `'p' must be a page number from 1 to ${MAX_PAGE} (got '${shown}')`);
  }
  return Number(text);
}

export interface PageLink {
  page: number;
  href: string;
  current: boolean;
}

export interface Paging {
  page: number;
  pageCount: number;
  previous: PageLink | null;
  next: PageLink | null;
  /** Page numbers to link, with null where a gap is elided. */
  pages: (PageLink | null)[];
}

export function pageCount(total: number, pageSize = FEED_PAGE_SIZE): number {
  return Math.max(1, Math.ceil(total / pageSize));
}

/** Links for the pages of a list at `basePath` (page 1 has no `?p=`, so that it has one address). */
export function paging(basePath: string, page: number, total: number, pageSize = FEED_PAGE_SIZE): Paging {
  const count = pageCount(total, pageSize);
  const link = (n: number): PageLink => ({
    page: n,
    href: n === 1 ? basePath : `${basePath}?p=${n}`,
    current: n === page,
  });
  const pages: (PageLink | null)[] = [];
  for (let n = 1; n <= count; n++) {
    const nearCurrent = Math.abs(n - page) <= PAGE_LINK_RADIUS;
    if (n === 1 || n === count || nearCurrent) pages.push(link(n));
    else if (pages[pages.length - 1] !== null) pages.push(null);
  }
  return {
    page,
    pageCount: count,
    previous: page > 1 ? link(page - 1) : null,
    next: page < count ? link(page + 1) : null,
    pages,
  };
}
