/**
 * `/search`: the search box (it works without JavaScript; with it, results follow the typing), the filters it
 * understands, and the results with the query's words marked.
 */
import type { SearchPageModel } from '../presenters/html/search-page.ts';
import { CommentIcon, UpvoteIcon } from './icons.tsx';
import { Layout } from './layout.tsx';
import { RichText } from './rich-text.tsx';

export const SEARCH_SCRIPT_PATH = '/static/search.js';

export function SearchPageView({ page }: { page: SearchPageModel }) {
  const title = page.q ? `Search: ${page.q}` : 'Search';
  const feedPath = page.q && !page.problem ? `/feeds/search?q=${encodeURIComponent(page.q)}` : null;
  return (
    <Layout
      title={title}
      description="Search the papers by title, authors and abstract, with filters."
      noIndex={page.q !== ''}
      section="search"
      scripts={[SEARCH_SCRIPT_PATH]}
      feeds={
        feedPath
          ? [{ path: '/feeds/search', query: `q=${encodeURIComponent(page.q)}`, title: `Paperboy: ${title}` }]
          : []
      }
    >
      <div class="search-page">
        <h1>Search</h1>
        <form class="search-form" method="get" action="/search">
          <label for="search-q">Search papers</label>
          <div class="search-row">
            <input
              id="search-q"
              type="search"
              name="q"
              value={page.q}
              maxLength={250}
              autocomplete="off"
              aria-describedby="search-help"
              aria-invalid={page.problem ? 'true' : undefined}
            />
            <button type="submit" class="button button-primary">
              Search
            </button>
          </div>
          <p id="search-help" class="muted search-help">
            Words match titles, authors and abstracts; <code>"quoted phrases"</code> match in order. Filters:{' '}
            <code>cat:cs.LG</code>, <code>author:"Cheng Lu"</code>, <code>after:2023-01-01</code>,{' '}
            <code>before:2024-06-30</code>.
          </p>
        </form>
        <section id="search-results" aria-live="polite" aria-label="Results">
          <Results page={page} />
        </section>
      </div>
    </Layout>
  );
}

function Results({ page }: { page: SearchPageModel }) {
  if (page.problem)
    return (
      <p class="form-problem" role="alert">
        {page.problem}
      </p>
    );
  if (page.q === '') return null;
  if (page.results.length === 0) {
    return <p class="empty-state">{page.page > 1 ? 'No more results.' : `Nothing matches “${page.q}”.`}</p>;
  }
  return (
    <>
      <ol class="search-results" start={(page.page - 1) * 20 + 1}>
        {page.results.map((result) => (
          <li class="search-result">
            <h2 class="search-result-title">
              <a href={result.href}>
                <RichText html={result.titleHtml} />
              </a>
            </h2>
            <p class="search-result-meta">
              <span class="arxiv-id">{result.id}</span>
              {result.firstVersion && <span> · {result.firstVersion}</span>}
              {result.categories[0] && <span> · {result.categories.join(' ')}</span>}
              <span class="count">
                {' '}
                · <UpvoteIcon /> {result.upvotes}
                <span class="visually-hidden"> upvotes</span> <CommentIcon /> {result.numComments}
                <span class="visually-hidden"> comments</span>
              </span>
            </p>
            <p class="search-result-authors">{result.authors}</p>
            <RichText as="p" class="search-result-snippet" html={result.snippetHtml} />
          </li>
        ))}
      </ol>
      {(page.previousHref || page.nextHref) && (
        <nav class="pagination" aria-label="Result pages">
          {page.previousHref && (
            <a rel="prev" href={page.previousHref}>
              ← Previous results
            </a>
          )}
          {page.nextHref && (
            <a rel="next" href={page.nextHref}>
              More results →
            </a>
          )}
        </nav>
      )}
    </>
  );
}
