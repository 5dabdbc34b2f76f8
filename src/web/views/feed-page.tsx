/** The daily feed: one day's, week's or month's papers, most upvoted first, with navigation around the period. */
import type { FeedPage, NavLink } from '../presenters/html/feed-page.ts';
import type { Paging } from '../presenters/html/paging.ts';
import { Layout } from './layout.tsx';
import { PaperList } from './paper-list.tsx';
import { SubscribeBox } from './subscribe-box.tsx';
import { UPVOTE_SCRIPT_PATH } from './upvote-button.tsx';

export interface FeedPageViewProps {
  page: FeedPage;
  canonicalUrl: string | null;
  /** The papers the signed-in viewer has upvoted (empty for anonymous readers). */
  upvoted?: ReadonlySet<string>;
}

const NONE_UPVOTED: ReadonlySet<string> = new Set();

export function FeedPageView({ page, canonicalUrl, upvoted = NONE_UPVOTED }: FeedPageViewProps) {
  // The page's own address, where the no-JavaScript upvote form comes back to.
  const returnTo = page.canonicalPath ?? (page.paging && page.paging.page > 1 ? `/?p=${page.paging.page}` : '/');
  return (
    <Layout
      title={page.documentTitle}
      description={page.description}
      canonicalUrl={canonicalUrl}
      math
      section="papers"
      scripts={[UPVOTE_SCRIPT_PATH]}
    >
      <div class="feed">
        <header class="feed-header">
          <p class="kicker">{page.kicker}</p>
          <h1>{page.heading}</h1>
          {page.summary && <p class="feed-summary">{page.summary}</p>}
          {page.kind && <PeriodNav page={page} />}
        </header>
        {page.empty ? (
          <EmptyState empty={page.empty} />
        ) : (
          <PaperList
            cards={page.cards}
            firstRank={page.firstRank}
            upvoted={upvoted}
            returnTo={returnTo}
            points={null}
          />
        )}
        {page.paging && <Pagination paging={page.paging} />}
        <SubscribeBox />
      </div>
    </Layout>
  );
}

function PeriodNav({ page }: { page: FeedPage }) {
  const noun = page.kind ?? 'day';
  return (
    <nav class="period-nav" aria-label="Periods">
      <StepLink link={page.previous} direction="previous" noun={noun} />
      <ul class="period-switch">
        {page.switches.map((item) => (
          <li>
            <a href={item.href} aria-current={item.current ? 'page' : undefined}>
              {item.label}
            </a>
          </li>
        ))}
      </ul>
      <StepLink link={page.next} direction="next" noun={noun} />
    </nav>
  );
}

function StepLink({ link, direction, noun }: { link: NavLink | null; direction: 'previous' | 'next'; noun: string }) {
  const arrow = direction === 'previous' ? '←' : '→';
  const word = direction === 'previous' ? 'Earlier' : 'Later';
  if (!link) {
    return (
      <span class={`step step-${direction} step-none`}>
        <span class="step-dir">{word}</span>
        <span class="step-label">No {direction === 'previous' ? 'earlier' : 'later'} papers</span>
      </span>
    );
  }
  return (
    <a class={`step step-${direction}`} href={link.href} rel={direction === 'previous' ? 'prev' : 'next'}>
      <span class="step-dir">
        {direction === 'previous' && <span aria-hidden="true">{arrow} </span>}
        {word}
        <span class="visually-hidden"> {noun} with papers:</span>
        {direction === 'next' && <span aria-hidden="true"> {arrow}</span>}
      </span>
      <span class="step-label">{link.label}</span>
    </a>
  );
}

function EmptyState({ empty }: { empty: NonNullable<FeedPage['empty']> }) {
  return (
    <section class="empty-state" aria-labelledby="empty-title">
      <h2 id="empty-title">{empty.heading}</h2>
      {empty.message && <p>{empty.message}</p>}
      {(empty.before || empty.after) && (
        <>
          <p>The nearest days with papers:</p>
          <ul class="nearest">
            {empty.before && (
              <li>
                earlier, <a href={empty.before.href}>{empty.before.label}</a>
              </li>
            )}
            {empty.after && (
              <li>
                later, <a href={empty.after.href}>{empty.after.label}</a>
              </li>
            )}
          </ul>
        </>
      )}
    </section>
  );
}

/** Previous/next and numbered page links below a list of papers (the feed, the trending list). */
export function Pagination({ paging }: { paging: Paging }) {
  return (
    <nav class="pagination" aria-label="Pages">
      {paging.previous ? (
        <a class="page-step" href={paging.previous.href} rel="prev">
          <span aria-hidden="true">← </span>Previous page
        </a>
      ) : (
        <span class="page-step page-step-none">Previous page</span>
      )}
      <ol class="page-numbers">
        {paging.pages.map((link) =>
          link === null ? (
            <li class="page-gap" aria-hidden="true">
              …
            </li>
          ) : (
            <li>
              <a href={link.href} aria-current={link.current ? 'page' : undefined}>
                <span class="visually-hidden">Page </span>
                {link.page}
              </a>
            </li>
          ),
        )}
      </ol>
      {paging.next ? (
        <a class="page-step" href={paging.next.href} rel="next">
          Next page<span aria-hidden="true"> →</span>
        </a>
      ) : (
        <span class="page-step page-step-none">Next page</span>
      )}
    </nav>
  );
}
