/** The site's page addresses, built in one place so that links and routes agree. */
import type { FeedPeriod, PeriodKind } from '../../../domain/feed-period.ts';

const PERIOD_SEGMENT: Record<PeriodKind, string> = { day: 'date', week: 'week', month: 'month' };

/** `/papers/2206.00927`, `/papers/hep-th/9901001` (an old-style id keeps its slash: the route accepts it). */
export function paperPath(id: string): string {
  return `/papers/${id}`;
}

/** `/papers/date/2024-02-29`, `/papers/week/2024-W09`, `/papers/month/2024-02`. */
export function periodPath(period: Pick<FeedPeriod, 'kind' | 'key'>): string {
  return `/papers/${PERIOD_SEGMENT[period.kind]}/${period.key}`;
}

/** The feed page of one day. */
export function dayPath(day: string): string {
  return `/papers/date/${day}`;
}

/**
 * The id part of a paper address as people paste it, tidied before validation: an `arXiv:` prefix and trailing
 * slashes are dropped (the page then redirects to the canonical address).
 */
export function paperIdFromPath(raw: string): string {
  return raw.replace(/^arxiv:/i, '').replace(/\/+$/, '');
}
