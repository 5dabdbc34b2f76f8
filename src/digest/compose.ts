/**
 * What a digest contains, chosen at send time: the top trending papers (the same order as /papers/trending) and a
 * "for you" section for the subscription's topics. Matching is done by the database: categories and authors through
 * the feed's own filters (so "for you" agrees with /papers?cat= and the author pages), keywords through the
 * catalogue's lexical search (so a keyword matches what the search box would find). Nothing is invented: papers
 * are shown with the metadata the catalogue holds.
 */
import type { Kysely } from 'kysely';
import { readTrending, trendingWindowStart } from '../commands/trending.ts';
import { type DigestPeriod, previewPeriodOn } from '../domain/digest-period.ts';
import type { Paper } from '../domain/paper.ts';
import { parseSearchQuery } from '../domain/search-query.ts';
import type { SubscriptionTopics } from '../domain/subscription-topics.ts';
import type { LexicalSearch } from '../search/lexical-search.ts';
import type { PaperStore } from '../storage/paper-store.ts';
import type { Database } from '../storage/schema.ts';
import { type RenderedDigest, renderDigest } from './render.ts';

/** Papers in the "for you" section at most: a few extra, not a second digest. */
export const FOR_YOU_MAX_PAPERS = 5;
/**
 * Search hits read per keyword, in papers. Search ranks the whole catalogue by relevance, and only hits listed in
 * the digest's days count, so this is generous; a keyword matching more papers than this is too broad to be useful.
 */
export const KEYWORD_HITS_LIMIT = 500;

/** Why a paper is in "for you": the topic it matched, as the subscriber wrote it. */
export type ForYouReason =
  | { kind: 'category'; value: string }
  | { kind: 'author'; value: string }
  | { kind: 'keyword'; value: string };

export interface DigestPaper {
  paper: Paper;
  /** The day it was listed on the feed (`YYYY-MM-DD`). */
  listedOn: string;
}

export interface ForYouPaper extends DigestPaper {
  reasons: ForYouReason[];
}

export interface DigestContent {
  period: DigestPeriod;
  /** The top trending papers at send time, best first. */
  top: DigestPaper[];
  /** Papers matching the topics that are not in `top`, best trending first; empty without topics. */
  forYou: ForYouPaper[];
  /** Whether the subscription has any topics (an empty "for you" then says "nothing matched"). */
  hasTopics: boolean;
}

export interface DigestSources {
  store: PaperStore;
  db: Kysely<Database>;
  search: LexicalSearch;
}

export interface ComposeRequest {
  period: DigestPeriod;
  topics: SubscriptionTopics;
  /** How many trending papers (PAPERBOY_DIGEST_SIZE). */
  size: number;
}

/**
 * The digest's content, or null when the instance has no papers at all (the one case a digest is skipped: an
 * instance whose week was quiet still sends its trending list, even if it is the same papers as before).
 */
export async function composeDigest(sources: DigestSources, request: ComposeRequest): Promise<DigestContent | null> {
  const { store, db } = sources;
  if ((await store.countPapers()) === 0) return null;
  const { period, topics, size } = request;
  const trending = await readTrending(store, db, { today: period.today, offset: 0, limit: size });
  const top = trending.items.map((item) => ({ paper: item.paper, listedOn: item.listing.listedOn }));
  const hasTopics = topics.categories.length + topics.authors.length + topics.keywords.length > 0;
  const forYou = hasTopics ? await matchTopics(sources, request, new Set(top.map((item) => item.paper.id))) : [];
  return { period, top, forYou, hasTopics };
}

/** The days "for you" looks at: the trending window, and the whole period when it starts earlier (ISO days sort). */
function forYouRange(period: DigestPeriod): { from: string; to: string } {
  const windowStart = trendingWindowStart(period.today);
  const [from] = [period.start, windowStart].sort();
  return { from: from!, to: period.today };
}

async function matchTopics(
  sources: DigestSources,
  request: ComposeRequest,
  inTop: Set<string>,
): Promise<ForYouPaper[]> {
  const { store, db, search } = sources;
  const range = forYouRange(request.period);
  // Each filter ranks by trending, so the best FOR_YOU_MAX_PAPERS of the union outside the top list are among the
  // first size + FOR_YOU_MAX_PAPERS of each filter's answer.
  const perFilter = request.size + FOR_YOU_MAX_PAPERS;
  const found = new Map<string, ForYouPaper>();
  const add = (paper: Paper, listedOn: string, reason: ForYouReason) => {
    if (inTop.has(paper.id)) return;
    const entry = found.get(paper.id) ?? { paper, listedOn, reasons: [] };
    if (!entry.reasons.some((r) => r.kind === reason.kind && r.value === reason.value)) entry.reasons.push(reason);
    found.set(paper.id, entry);
  };
  for (const category of request.topics.categories) {
    const items = await store.listFeed({ ...range, sort: 'trending', offset: 0, limit: perFilter, category });
    for (const item of items) add(item.paper, item.listing.listedOn, { kind: 'category', value: category });
  }
  for (const author of request.topics.authors) {
    const items = await store.listFeed({ ...range, sort: 'trending', offset: 0, limit: perFilter, author });
    for (const item of items) add(item.paper, item.listing.listedOn, { kind: 'author', value: author });
  }
  for (const keyword of request.topics.keywords) {
    // The keyword as one phrase (its words in order), never as search syntax: `cat:` or quotes in it are just text.
    const words = keyword.match(/[\p{L}\p{N}]+/gu) ?? [];
    if (words.length === 0) continue;
    const parsed = parseSearchQuery(`"${words.join(' ')}"`);
    if (!parsed.ok) continue;
    const hits = await search.search(parsed.query, { limit: KEYWORD_HITS_LIMIT, offset: 0 });
    if (hits.length === 0) continue;
    const papers = await store.getPapersWithListings(hits.map((hit) => hit.id));
    for (const { paper, listing } of papers.values()) {
      if (!listing || paper.hiddenAt || listing.listedOn < range.from || listing.listedOn > range.to) continue;
      add(paper, listing.listedOn, { kind: 'keyword', value: keyword });
    }
  }
  if (found.size === 0) return [];
  const ids = [...found.keys()];
  const rows = await db.selectFrom('papers').select(['id', 'trending_score']).where('id', 'in', ids).execute();
  const scores = new Map(rows.map((row) => [row.id, Number(row.trending_score)]));
  return ids
    .sort((a, b) => (scores.get(b) ?? 0) - (scores.get(a) ?? 0) || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, FOR_YOU_MAX_PAPERS)
    .map((id) => found.get(id)!);
}

export interface PreviewRequest {
  cadence: DigestPeriod['cadence'];
  topics: SubscriptionTopics;
  size: number;
  /** The instance's calendar day (`YYYY-MM-DD`): a daily preview on a weekend shows the last weekday's digest. */
  today: string;
  baseUrl: string;
  siteName: string;
}

/**
 * The digest as it would be mailed now, for an admin to look at (`paperboy digest preview`, /digest/preview), or
 * null when the instance has no papers. Its footer link is a preview stand-in on the instance (an unsigned link that
 * unsubscribes nobody), so that clicking around a preview can never end someone's subscription.
 */
export async function previewDigest(sources: DigestSources, request: PreviewRequest): Promise<RenderedDigest | null> {
  const period = previewPeriodOn(request.cadence, request.today);
  const content = await composeDigest(sources, { period, topics: request.topics, size: request.size });
  if (!content) return null;
  return renderDigest(content, {
    baseUrl: request.baseUrl,
    siteName: request.siteName,
    unsubscribeLink: `${request.baseUrl}/subscriptions/unsubscribe?preview=1`,
  });
}
