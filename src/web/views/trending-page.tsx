/**
 * The trending page: the last days' papers ranked by upvotes that fade with time, each with its current points,
 * and a plain explanation of the formula right above the list (a ranking people can check is one they can trust).
 */
import type { TrendingPage } from '../presenters/html/trending-page.ts';
import { Pagination } from './feed-page.tsx';
import { Layout } from './layout.tsx';
import { PaperList } from './paper-list.tsx';
import { UPVOTE_SCRIPT_PATH } from './upvote-button.tsx';

export interface TrendingPageViewProps {
  page: TrendingPage;
  canonicalUrl: string | null;
  /** The papers the signed-in viewer has upvoted. */
  upvoted: ReadonlySet<string>;
}

/** The page itself: header and explanation, then the feed's own cards (with points) and paging. */
export function TrendingPageView({ page, canonicalUrl, upvoted }: TrendingPageViewProps) {
  return (
    <Layout
      title={page.documentTitle}
      description={page.description}
      canonicalUrl={canonicalUrl}
      math
      section="trending"
      scripts={[UPVOTE_SCRIPT_PATH]}
      feeds={[{ path: '/feeds/trending', title: 'Paperboy: trending papers' }]}
    >
      <div class="feed trending">
        <header class="feed-header">
          <p class="kicker">Trending</p>
          <h1>{page.heading}</h1>
          <p class="feed-summary">{page.summary}</p>
          <Explanation page={page} />
        </header>
        {page.empty ? (
          <section class="empty-state" aria-labelledby="empty-title">
            <h2 id="empty-title">Nothing is trending yet</h2>
            <p>{page.empty.message}</p>
            {page.empty.latest && (
              <p>
                The latest papers were listed on <a href={page.empty.latest.href}>{page.empty.latest.label}</a>.
              </p>
            )}
          </section>
        ) : (
          <PaperList
            cards={page.cards}
            firstRank={page.firstRank}
            upvoted={upvoted}
            returnTo={page.path}
            points={page.points}
          />
        )}
        {page.paging && <Pagination paging={page.paging} />}
      </div>
    </Layout>
  );
}

function Explanation({ page }: { page: TrendingPage }) {
  const halfLife = page.halfLifeHours % 24 === 0 ? days(page.halfLifeHours / 24) : `${page.halfLifeHours} hours`;
  const listing = page.listingWeightVotes === 1 ? 'one upvote' : `${page.listingWeightVotes} upvotes`;
  return (
    <div class="trending-explanation">
      <p>
        Papers listed in the last {days(page.windowDays)}, ranked by upvotes that fade with time: every upvote loses
        half its weight each {halfLife === '1 day' ? 'day' : halfLife}, and being listed counts as {listing} at the
        moment of listing, so new papers start high and stay there only if people upvote them. A paper’s{' '}
        <strong>points</strong> are its upvotes (and listing) faded to now, as of{' '}
        <time datetime={page.asOf.iso}>{page.asOf.text}</time>.
      </p>
      <details>
        <summary>How the score is computed</summary>
        <p>
          points = {page.listingWeightVotes === 1 ? '' : `${page.listingWeightVotes} × `}2
          <sup>−(hours since listing) / {page.halfLifeHours}</sup> + Σ<sub>upvotes</sub> 2
          <sup>−(hours since the upvote) / {page.halfLifeHours}</sup>
        </p>
        <p>
          Because every vote fades at the same rate, the order of two papers only changes when someone votes. So
          Paperboy stores each paper’s score as a logarithm of its faded votes measured from a fixed date, updates it
          when a vote is cast or withdrawn, and sorts by it: the ranking costs nothing to read and is never stale. Like
          Hacker News, votes count less as they age; unlike it, the age is that of each vote, not of the paper, so an
          older paper that people start upvoting again can trend again.
        </p>
      </details>
    </div>
  );
}

function days(count: number): string {
  return `${count} ${count === 1 ? 'day' : 'days'}`;
}
