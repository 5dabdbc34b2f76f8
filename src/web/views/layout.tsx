/**
 * The page frame shared by every page: head (title, description, stylesheets, colour schemes), a skip link, the
 * site header, the main landmark and the footer. No script: every page works without JavaScript.
 */
import type { ComponentChildren } from 'preact';
import { ICON_HREF, KATEX_STYLE_SHEET_HREF, STYLE_SHEET_HREF } from './assets.ts';
import { usePageContext } from './page-context.ts';

export const SITE_NAME = 'Paperboy';

/** Browser UI colours matching the page background in each scheme (see style.css). */
const THEME_COLOR_LIGHT = '#fbfaf7';
const THEME_COLOR_DARK = '#16181d';

export interface LayoutProps {
  /** The page's own title; the site name is appended. */
  title: string;
  description?: string;
  /** Absolute address of the page's canonical form. */
  canonicalUrl?: string | null;
  /** Loads KaTeX's stylesheet (pages with typeset math). */
  math?: boolean;
  /** Keeps search engines from indexing the page (error pages). */
  noIndex?: boolean;
  /** Extra `<head>` elements (e.g. citation metadata). */
  head?: ComponentChildren;
  /** Which site section is current, for the header navigation. */
  section?: 'papers' | 'trending' | 'search' | 'submit' | 'account' | 'admin';
  /** Scripts (progressive enhancement only: every page works without them), as `/static/...` paths. */
  scripts?: string[];
  /** Feeds this page advertises besides the site-wide daily feed (e.g. trending on the trending page). */
  feeds?: AlternateFeed[];
  children: ComponentChildren;
}

/** A feed advertised with `<link rel="alternate">`: a path without its `.rss`/`.atom` ending, and a title. */
export interface AlternateFeed {
  path: string;
  title: string;
  /** A query string for the feed (without `?`), e.g. a search's `q=...`. */
  query?: string;
}

/** Every page advertises the daily list; feed readers find it from any address of the site. */
const DAILY_FEED: AlternateFeed = { path: '/feeds/daily', title: `${SITE_NAME}: daily papers` };

export function Layout({
  title,
  description,
  canonicalUrl,
  math,
  noIndex,
  head,
  section,
  scripts,
  feeds = [],
  children,
}: LayoutProps) {
  const fullTitle = `${title} · ${SITE_NAME}`;
  const { viewer, csrf } = usePageContext();
  const current = (name: LayoutProps['section']) => (section === name ? 'true' : undefined);
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{fullTitle}</title>
        {description && <meta name="description" content={description} />}
        <meta name="color-scheme" content="light dark" />
        <meta name="theme-color" media="(prefers-color-scheme: light)" content={THEME_COLOR_LIGHT} />
        <meta name="theme-color" media="(prefers-color-scheme: dark)" content={THEME_COLOR_DARK} />
        {noIndex && <meta name="robots" content="noindex" />}
        {canonicalUrl && <link rel="canonical" href={canonicalUrl} />}
        <meta property="og:site_name" content={SITE_NAME} />
        <meta property="og:title" content={title} />
        {description && <meta property="og:description" content={description} />}
        <link rel="icon" href={ICON_HREF} type="image/svg+xml" />
        <link rel="stylesheet" href={STYLE_SHEET_HREF} />
        {math && <link rel="stylesheet" href={KATEX_STYLE_SHEET_HREF} />}
        {csrf && <meta name="csrf-token" content={csrf} />}
        {[DAILY_FEED, ...feeds].map((feed) => [
          <link
            rel="alternate"
            type="application/rss+xml"
            title={`${feed.title} (RSS)`}
            href={`${feed.path}.rss${feed.query ? `?${feed.query}` : ''}`}
          />,
          <link
            rel="alternate"
            type="application/atom+xml"
            title={`${feed.title} (Atom)`}
            href={`${feed.path}.atom${feed.query ? `?${feed.query}` : ''}`}
          />,
        ])}
        {head}
        {scripts?.map((src) => (
          <script src={src} defer />
        ))}
      </head>
      <body>
        <a class="skip-link" href="#main">
          Skip to main content
        </a>
        <header class="site-header">
          <div class="site-header-inner">
            <a class="brand" href="/">
              <img class="brand-mark" src={ICON_HREF} alt="" width="28" height="28" />
              <span class="brand-name">{SITE_NAME}</span>
            </a>
            <nav class="site-nav" aria-label="Site">
              <a href="/" aria-current={current('papers')}>
                Daily papers
              </a>
              <a href="/papers/trending" aria-current={current('trending')}>
                Trending
              </a>
              <a href="/search" aria-current={current('search')}>
                Search
              </a>
              <a href="/submit" aria-current={current('submit')}>
                Submit
              </a>
              {viewer?.isAdmin && (
                <a href="/admin" aria-current={current('admin')}>
                  Admin
                </a>
              )}
              {viewer ? (
                <a href="/settings" aria-current={current('account')} class="nav-account">
                  @{viewer.username}
                </a>
              ) : (
                <a href="/login" aria-current={current('account')} class="nav-account">
                  Sign in
                </a>
              )}
            </nav>
          </div>
        </header>
        <main id="main" tabIndex={-1}>
          {children}
        </main>
        <footer class="site-footer">
          <div class="site-footer-inner">
            <p>
              {SITE_NAME}: research papers, day by day, ranked by this community. <a href="/feeds">Feeds</a> ·{' '}
              <a href="/openapi.json">JSON API</a>
            </p>
            <p>Paper metadata from arXiv. Thank you to arXiv for use of its open access interoperability.</p>
          </div>
        </footer>
      </body>
    </html>
  );
}
