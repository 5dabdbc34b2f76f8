/** A paper as a card on the daily feed: what a reader skims to decide whether to open it. */
import { arxivAbsUrl, arxivPdfUrl } from '../../../domain/arxiv-id.ts';
import type { ListedPaper } from '../../../storage/paper-store.ts';
import { type AuthorSummary, summariseAuthors } from './authors.ts';
import type { Html } from './html.ts';
import { paperPath } from './paths.ts';
import { texExcerpt, texLineHtml, texPlainText } from './tex-html.ts';

/** Visible characters of abstract on a card: about three lines at the feed's measure. */
export const CARD_EXCERPT_CHARS = 320;

export interface PaperCard {
  id: string;
  href: string;
  titleHtml: Html;
  /** The title as plain text, to name the card's links for screen readers ("PDF of ..."). */
  titleText: string;
  authors: AuthorSummary;
  excerptHtml: Html;
  /** Categories, primary first. */
  categories: string[];
  upvotes: number;
  numComments: number;
  absUrl: string;
  pdfUrl: string;
}

export function presentPaperCard({ paper }: ListedPaper): PaperCard {
  return {
    id: paper.id,
    href: paperPath(paper.id),
    titleHtml: texLineHtml(paper.title),
    titleText: texPlainText(paper.title),
    authors: summariseAuthors(paper.authors),
    excerptHtml: texExcerpt(paper.abstract, CARD_EXCERPT_CHARS).html,
    categories: paper.categories,
    upvotes: paper.upvotes,
    numComments: paper.numComments,
    absUrl: arxivAbsUrl(paper.id),
    pdfUrl: arxivPdfUrl(paper.id),
  };
}
