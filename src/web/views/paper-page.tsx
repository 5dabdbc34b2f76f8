/** One paper: title, authors, the whole abstract with its math typeset, and everything known about it. */
import type { ComponentChildren } from 'preact';
import type { PaperPageExtras } from '../../commands/paper-extras.ts';
import type { DayLabel } from '../presenters/html/dates.ts';
import type { PaperPage } from '../presenters/html/paper-page.ts';
import { DiscussionSection } from './discussion.tsx';
import { CommentIcon } from './icons.tsx';
import { Layout } from './layout.tsx';
import { RichText } from './rich-text.tsx';
import { SimilarPapersSection } from './similar-papers.tsx';
import { UPVOTE_SCRIPT_PATH, UpvoteButton } from './upvote-button.tsx';

export interface PaperPageViewProps {
  page: PaperPage;
  canonicalUrl: string | null;
  /** What depends on the community and the viewer: their upvote, the discussion. */
  extras?: PaperPageExtras;
}

const NO_EXTRAS: PaperPageExtras = { upvoted: false, discussion: null, similar: [] };

export function PaperPageView({ page, canonicalUrl, extras = NO_EXTRAS }: PaperPageViewProps) {
  const head = page.citation.map((meta) => <meta name={meta.name} content={meta.content} />);
  return (
    <Layout
      title={page.documentTitle}
      description={page.description}
      canonicalUrl={canonicalUrl}
      math
      head={head}
      feeds={
        page.categories[0]
          ? [{ path: `/feeds/category/${page.categories[0].code}`, title: `Paperboy: ${page.categories[0].code}` }]
          : []
      }
      section="papers"
      scripts={[UPVOTE_SCRIPT_PATH]}
    >
      <article class="paper" aria-labelledby="paper-title">
        <header class="paper-header">
          <p class="kicker">
            <span class="arxiv-id">arXiv:{page.id}</span>
            {page.categories[0] && <span class="category primary">{page.categories[0].code}</span>}
            {page.listedOn && (
              <a class="listed-link" href={page.listedOn.href}>
                Listed {page.listedOn.day.text}
              </a>
            )}
          </p>
          <h1 id="paper-title" class="paper-title">
            <RichText html={page.titleHtml} />
          </h1>
          <Authors page={page} />
          {page.submission && (
            <div class="submission-note">
              <p class="submission-by">
                Submitted by <a href={page.submission.href}>@{page.submission.username}</a>
                {page.submission.name !== page.submission.username && ` (${page.submission.name})`}
              </p>
              {page.submission.comment && <blockquote class="submission-comment">{page.submission.comment}</blockquote>}
            </div>
          )}
          <div class="paper-actions">
            <a class="button button-primary" href={page.pdfUrl}>
              Read the PDF
            </a>
            <a class="button" href={page.absUrl}>
              arXiv page
            </a>
            {page.code && (
              <a class="button" href={page.code.href} rel="nofollow noopener">
                Code
              </a>
            )}
            {page.projectPage && (
              <a class="button" href={page.projectPage.href} rel="nofollow noopener">
                Project page
              </a>
            )}
            <div class="counts">
              <UpvoteButton
                paperId={page.id}
                upvotes={page.upvotes}
                upvoted={extras.upvoted}
                variant="page"
                titleText={page.documentTitle}
              />
              <span class="count count-comments">
                <CommentIcon />
                {page.numComments} {page.numComments === 1 ? 'comment' : 'comments'}
              </span>
            </div>
          </div>
        </header>
        <div class="paper-body">
          <section class="paper-abstract" aria-labelledby="abstract-title">
            <h2 id="abstract-title">Abstract</h2>
            {page.abstractParagraphs.length > 0 ? (
              page.abstractParagraphs.map((html) => <RichText as="p" html={html} />)
            ) : (
              <p class="muted">arXiv gave no abstract for this paper.</p>
            )}
          </section>
          <aside class="paper-details" aria-labelledby="details-title">
            <h2 id="details-title">Details</h2>
            <Details page={page} />
          </aside>
        </div>
      </article>
      <SimilarPapersSection papers={extras.similar} />
      <DiscussionSection paperId={page.id} discussion={extras.discussion} />
    </Layout>
  );
}

function Authors({ page }: { page: PaperPage }) {
  if (page.authors.length === 0) return <p class="paper-authors muted">Authors unknown</p>;
  const fold = page.authorsBeforeFold;
  if (fold === null) {
    return (
      <p class="paper-authors">
        <span class="visually-hidden">Authors: </span>
        {page.authors.join(', ')}
      </p>
    );
  }
  return (
    <div class="paper-authors">
      <p>
        <span class="visually-hidden">Authors: </span>
        {page.authors.slice(0, fold).join(', ')}, …
      </p>
      <details>
        <summary>All {page.authors.length} authors</summary>
        <p>{page.authors.join(', ')}</p>
      </details>
    </div>
  );
}

function Details({ page }: { page: PaperPage }) {
  return (
    <dl class="details-list">
      <Row term="First version">
        <Day day={page.firstVersion} />
        {!page.firstVersion && page.idMonth && <span class="muted"> (its id dates from {page.idMonth})</span>}
      </Row>
      <Row term="Latest version">
        {page.latestVersion ? (
          <>
            v{page.latestVersion.number}, <Day day={page.latestVersion.day} />
          </>
        ) : (
          <span class="muted">unknown</span>
        )}
      </Row>
      <Row term="On the daily feed">
        {page.listedOn ? (
          <a href={page.listedOn.href}>
            <time datetime={page.listedOn.day.iso}>{page.listedOn.day.text}</time>
          </a>
        ) : (
          <span class="muted">not listed</span>
        )}
      </Row>
      {page.categories.length > 0 && (
        <Row term="Categories">
          <ul class="categories">
            {page.categories.map((category) => (
              <li class={category.primary ? 'category primary' : 'category'}>
                {category.code}
                {category.primary && <span class="visually-hidden"> (primary)</span>}
              </li>
            ))}
          </ul>
        </Row>
      )}
      {page.commentsHtml && (
        <Row term="Comments">
          <RichText html={page.commentsHtml} />
        </Row>
      )}
      {page.journalRefHtml && (
        <Row term="Journal reference">
          <RichText html={page.journalRefHtml} />
        </Row>
      )}
      {page.dois.length > 0 && (
        <Row term={page.dois.length > 1 ? 'DOIs' : 'DOI'}>
          {page.dois.map((doi, index) => (
            <>
              {index > 0 && ', '}
              <a class="doi" href={doi.href}>
                {doi.text}
              </a>
            </>
          ))}
        </Row>
      )}
      {page.reportNo && <Row term="Report number">{page.reportNo}</Row>}
      {page.license && (
        <Row term="License">
          {page.license.href ? <a href={page.license.href}>{page.license.name}</a> : page.license.name}
        </Row>
      )}
      {page.code && (
        <Row term="Code">
          <a class="url" href={page.code.href} rel="nofollow noopener">
            {page.code.text}
          </a>
        </Row>
      )}
      {page.projectPage && (
        <Row term="Project page">
          <a class="url" href={page.projectPage.href} rel="nofollow noopener">
            {page.projectPage.text}
          </a>
        </Row>
      )}
      {page.submitter && <Row term="Submitted to arXiv by">{page.submitter}</Row>}
    </dl>
  );
}

function Row({ term, children }: { term: string; children: ComponentChildren }) {
  return (
    <div class="details-row">
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function Day({ day }: { day: DayLabel | null }) {
  if (!day) return <span class="muted">unknown</span>;
  return <time datetime={day.iso}>{day.text}</time>;
}
