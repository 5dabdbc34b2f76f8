/**
 * The admins' ingest page: per source, how many runs and failures and the last success; then every run, newest
 * first, in pages: when, which source, what was asked, how it ended, how long it took, its counts, and its errors
 * folded in a <details> (no JavaScript needed).
 */
import type { IngestRunRow, IngestRunsPageModel } from '../presenters/html/ingest-runs.ts';
import { Layout } from './layout.tsx';

export function IngestRunsPage({ model }: { model: IngestRunsPageModel }) {
  return (
    <Layout title="Ingest runs" section="admin" noIndex>
      <div class="admin ingest-runs">
        <p class="ingest-back">
          <a href="/admin">← Moderation</a>
        </p>
        <h1>Ingest runs</h1>
        <Summary model={model} />
        <nav class="ingest-filters" aria-label="Sources">
          {model.filters.map((filter) =>
            filter.current ? <span aria-current="page">{filter.label}</span> : <a href={filter.href}>{filter.label}</a>,
          )}
        </nav>
        <Runs model={model} />
      </div>
    </Layout>
  );
}

/** What anonymous visitors see at /admin/ingest: a sign-in prompt (the page answers 401). */
export function IngestSignInPage() {
  return (
    <Layout title="Sign in to see ingest runs" noIndex>
      <section class="error-page" aria-labelledby="ingest-sign-in-title">
        <h1 id="ingest-sign-in-title">Sign in to see ingest runs</h1>
        <p class="error-message">The ingest runs page is for this instance's admins.</p>
        <p>
          <a class="button button-primary" href="/login?next=%2Fadmin%2Fingest">
            Sign in
          </a>
        </p>
      </section>
    </Layout>
  );
}

function Summary({ model }: { model: IngestRunsPageModel }) {
  return (
    <section class="ingest-summary" aria-labelledby="ingest-summary-title">
      <h2 id="ingest-summary-title">By source</h2>
      <div class="audit-table-wrap">
        <table class="audit-table">
          <thead>
            <tr>
              <th scope="col">Source</th>
              <th scope="col">Runs</th>
              <th scope="col">Failed</th>
              <th scope="col">Last success (UTC)</th>
            </tr>
          </thead>
          <tbody>
            {model.summary.map((row) => (
              <tr data-source={row.source}>
                <th scope="row">{row.sourceLabel}</th>
                <td>{row.runs}</td>
                <td>{row.failures}</td>
                <td>
                  {row.lastSuccessAt === null ? (
                    <span class="muted">never</span>
                  ) : (
                    <time datetime={row.lastSuccessAt}>{row.lastSuccessLabel}</time>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Runs({ model }: { model: IngestRunsPageModel }) {
  const title = model.sourceLabel ? `Runs: ${model.sourceLabel}` : 'Runs';
  return (
    <section class="audit-log" aria-labelledby="ingest-runs-title">
      <h2 id="ingest-runs-title">{title}</h2>
      {model.rows.length === 0 ? (
        <p class="muted">No ingest runs yet.</p>
      ) : (
        <div class="audit-table-wrap">
          <table class="audit-table ingest-table">
            <caption class="visually-hidden">Ingest runs, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Started (UTC)</th>
                <th scope="col">Source</th>
                <th scope="col">Asked</th>
                <th scope="col">Status</th>
                <th scope="col">Took</th>
                <th scope="col">Counts</th>
                <th scope="col">Errors</th>
              </tr>
            </thead>
            <tbody>
              {model.rows.map((row) => (
                <RunRow row={row} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {model.pageCount > 1 && (
        <nav class="pagination" aria-label="Ingest run pages">
          {model.newerHref ? <a href={model.newerHref}>Newer</a> : <span class="muted">Newer</span>}
          <span>
            Page {model.page} of {model.pageCount}
          </span>
          {model.olderHref ? <a href={model.olderHref}>Older</a> : <span class="muted">Older</span>}
        </nav>
      )}
    </section>
  );
}

function RunRow({ row }: { row: IngestRunRow }) {
  return (
    <tr id={`run-${row.id}`} data-run-id={row.id}>
      <td>
        <time datetime={row.startedAt}>{row.startedLabel}</time>
      </td>
      <td>{row.sourceLabel}</td>
      <td>
        <KeyValues items={row.params} empty="defaults" />
      </td>
      <td>
        <span class={`ingest-status ingest-status-${row.status}`}>{row.statusLabel}</span>
      </td>
      <td class="ingest-duration">{row.durationLabel}</td>
      <td>
        <KeyValues items={row.counts.map(({ name, value }) => ({ name, value: value.toLocaleString('en') }))} />
      </td>
      <td>
        {row.errors.length === 0 ? (
          <span class="muted">none</span>
        ) : (
          <details class="ingest-errors">
            <summary>
              {row.errors.length} {row.errors.length === 1 ? 'error' : 'errors'}
            </summary>
            <ul class="ingest-error-list">
              {row.errors.map((error) => (
                <li>{error}</li>
              ))}
            </ul>
          </details>
        )}
      </td>
    </tr>
  );
}

function KeyValues({ items, empty = 'none' }: { items: { name: string; value: string }[]; empty?: string }) {
  if (items.length === 0) return <span class="muted">{empty}</span>;
  return (
    <ul class="audit-detail">
      {items.map(({ name, value }) => (
        <li>
          {name}: {value}
        </li>
      ))}
    </ul>
  );
}
