/**
 * RSS 2.0 and Atom 1.0 documents of a feed's entries, written by the `feed` library. Each entry's id is its paper
 * page's address (stable and unique), its date the moment the paper was listed here (what "new in this feed"
 * means), and it carries the authors, categories and the abstract (TeX left as written: feed readers do not
 * typeset it). The library declares titles and summaries as HTML (Atom `type="html"`; RSS readers treat them so
 * too), so the text is HTML-escaped: a title such as `Diffusion <Probabilistic> Models` must not lose a "tag".
 */
import { Feed } from 'feed';
import type { ListedPaper } from '../../storage/paper-store.ts';
import { escapeHtml } from './html/html.ts';
import { paperPath } from './html/paths.ts';
import { texPlainText } from './html/tex-html.ts';

export type SyndicationFormat = 'rss' | 'atom';

export const SYNDICATION_CONTENT_TYPES: Record<SyndicationFormat, string> = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
};

export interface FeedDescription {
  title: string;
  description: string;
  /** The site page the feed mirrors (absolute). */
  pageUrl: string;
  /** The feed's own addresses (absolute), for self links. */
  rssUrl: string;
  atomUrl: string;
}

/** Time used for a feed without entries: the instance cannot know better, and readers need some `updated`. */
const EMPTY_FEED_UPDATED = new Date(0);

export function renderSyndication(
  format: SyndicationFormat,
  description: FeedDescription,
  entries: ListedPaper[],
  baseUrl: string,
): string {
  const dates = entries.map(({ listing }) => Date.parse(listing.submittedAt)).filter(Number.isFinite);
  const feed = new Feed({
    id: description.atomUrl,
    title: description.title,
    description: description.description,
    link: description.pageUrl,
    language: 'en',
    updated: dates.length > 0 ? new Date(Math.max(...dates)) : EMPTY_FEED_UPDATED,
    generator: 'Paperboy',
    feedLinks: { rss: description.rssUrl, atom: description.atomUrl },
    copyright: 'Paper metadata from arXiv (CC0); see each paper for its licence.',
  });
  for (const { paper, listing } of entries) {
    const url = `${baseUrl}${paperPath(paper.id)}`;
    feed.addItem({
      title: escapeHtml(texPlainText(paper.title)),
      id: url,
      guid: url,
      link: url,
      date: new Date(listing.submittedAt),
      ...(paper.firstVersionAt ? { published: new Date(paper.firstVersionAt) } : {}),
      description: escapeHtml(texPlainText(paper.abstract)),
      author: paper.authors.map((name) => ({ name })),
      category: paper.categories.map((code) => ({ name: code, term: code })),
    });
  }
  return format === 'rss' ? feed.rss2() : feed.atom1();
}
