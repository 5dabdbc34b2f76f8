/**
 * The friendly page for 4xx and 5xx answers on the site: what went wrong in a sentence, what addresses look like
 * when the request was malformed, and where to go next. Never a stack trace.
 */
import type { ComponentChildren } from 'preact';
import { Layout } from './layout.tsx';

export interface ErrorPageProps {
  status: number;
  title: string;
  message: string;
  /** Extra suggestions shown before the usual ones (e.g. the paper on arXiv). */
  children?: ComponentChildren;
}

export function ErrorPage({ status, title, message, children }: ErrorPageProps) {
  return (
    <Layout title={title} noIndex>
      <section class="error-page" aria-labelledby="error-title">
        <p class="error-status">
          <span class="visually-hidden">Error </span>
          {status}
        </p>
        <h1 id="error-title">{title}</h1>
        <p class="error-message">{sentence(message)}</p>
        {status === 400 && <AddressHelp />}
        <h2 class="error-next">Where to go from here</h2>
        <ul class="error-links">
          {children}
          <li>
            <a href="/">The latest papers</a>
          </li>
          {status >= 500 && <li>Or try again in a moment: the error has been logged.</li>}
        </ul>
      </section>
    </Layout>
  );
}

/** Examples of well-formed addresses, for someone who typed or pasted a wrong one. */
function AddressHelp() {
  return (
    <div class="address-help">
      <p>Addresses on this site look like these:</p>
      <ul>
        <li>
          a paper: <code>/papers/2206.00927</code> or <code>/papers/hep-th/9901001</code>
        </li>
        <li>
          a day: <code>/papers/date/2024-02-29</code>
        </li>
        <li>
          a week: <code>/papers/week/2024-W09</code>
        </li>
        <li>
          a month: <code>/papers/month/2024-02</code>
        </li>
      </ul>
    </div>
  );
}

/** Messages from commands are clauses ("'abc' is not an arXiv id"); a page shows a sentence. */
function sentence(message: string): string {
  const trimmed = message.trim();
  const capitalised = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?…]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}
