/**
 * The paper page's content: everything Paperboy knows about one paper, formatted for reading. What arXiv did not
 * tell us is shown as unknown, never guessed.
 */
import type { PaperDetail } from '../../../commands/paper.ts';
import { arxivAbsUrl, arxivPdfUrl, idYearMonth } from '../../../domain/arxiv-id.ts';
import { latestVersionNumber } from '../../../domain/paper.ts';
import { displayAuthors } from './authors.ts';
import { type DayLabel, dayOf, monthName } from './dates.ts';
import type { Html } from './html.ts';
import { type LicenseLabel, licenseLabel } from './licenses.ts';
import { dayPath } from './paths.ts';
import { texLineHtml, texParagraphsHtml, texPlainText } from './tex-html.ts';

/** Meta description length, in characters. */
const DESCRIPTION_CHARS = 240;
/** Author lists longer than this are folded (collaborations list hundreds of names) ... */
const AUTHORS_FOLD_THRESHOLD = 40;
/** ... showing this many before the fold. */
const AUTHORS_BEFORE_FOLD = 25;

export interface LinkOut {
  href: string;
  text: string;
}

export interface PaperPage {
  id: string;
  documentTitle: string;
  description: string;
  titleHtml: Html;
  titleText: string;
  authors: string[];
  /** How many authors to show before a "show all" fold; null when the list is short enough to show whole. */
  authorsBeforeFold: number | null;
  abstractParagraphs: Html[];
  categories: { code: string; primary: boolean }[];
  firstVersion: DayLabel | null;
  latestVersion: { number: number; day: DayLabel | null } | null;
  versionCount: number;
  /** `June 2022`: the month the id was issued in, shown next to an unknown first-version date. */
  idMonth: string | null;
  listedOn: { day: DayLabel; href: string } | null;
  /** Who put it on the daily list and what they said about it (member submissions only). */
  submission: { username: string; name: string; href: string; comment: string | null } | null;
  commentsHtml: Html | null;
  journalRefHtml: Html | null;
  dois: LinkOut[];
  reportNo: string | null;
  license: LicenseLabel | null;
  submitter: string | null;
  code: LinkOut | null;
  projectPage: LinkOut | null;
  absUrl: string;
  pdfUrl: string;
  upvotes: number;
  numComments: number;
  /** Google Scholar / Zotero citation metadata. */
  citation: { name: string; content: string }[];
}

export function presentPaperPage({ paper, listing }: PaperDetail): PaperPage {
  const authors = displayAuthors(paper.authors);
  const titleText = texPlainText(paper.title);
  const firstVersion = dayOf(paper.firstVersionAt);
  const latestNumber = latestVersionNumber(paper);
  const yearMonth = idYearMonth(paper.id);
  const listedDay = listing ? dayOf(listing.listedOn) : null;
  const pdfUrl = arxivPdfUrl(paper.id);
  return {
    id: paper.id,
    documentTitle: titleText,
    description: plainExcerpt(paper.abstract),
    titleHtml: texLineHtml(paper.title),
    titleText,
    authors,
    authorsBeforeFold: authors.length > AUTHORS_FOLD_THRESHOLD ? AUTHORS_BEFORE_FOLD : null,
    abstractParagraphs: texParagraphsHtml(paper.abstract),
    categories: paper.categories.map((code, index) => ({ code, primary: index === 0 })),
    firstVersion,
    latestVersion: latestNumber > 0 ? { number: latestNumber, day: dayOf(paper.latestVersionAt) } : null,
    versionCount: paper.versions.length,
    idMonth: yearMonth ? monthName(yearMonth) : null,
    listedOn: listing && listedDay ? { day: listedDay, href: dayPath(listing.listedOn) } : null,
    submission: listing?.submitter
      ? {
          username: listing.submitter.username,
          name: listing.submitter.displayName ?? listing.submitter.username,
          href: `/u/${encodeURIComponent(listing.submitter.username)}`,
          comment: listing.comment,
        }
      : null,
    commentsHtml: paper.comments ? texLineHtml(paper.comments) : null,
    journalRefHtml: paper.journalRef ? texLineHtml(paper.journalRef) : null,
    dois: paper.doi ? doiLinks(paper.doi) : [],
    reportNo: paper.reportNo,
    license: paper.license ? licenseLabel(paper.license) : null,
    submitter: paper.submitter,
    code: webLink(paper.githubRepo),
    projectPage: webLink(paper.projectPage),
    absUrl: arxivAbsUrl(paper.id),
    pdfUrl,
    upvotes: paper.upvotes,
    numComments: paper.numComments,
    citation: [
      { name: 'citation_title', content: titleText },
      ...authors.map((name) => ({ name: 'citation_author', content: name })),
      ...(firstVersion ? [{ name: 'citation_publication_date', content: firstVersion.iso.replaceAll('-', '/') }] : []),
      { name: 'citation_arxiv_id', content: paper.id },
      { name: 'citation_pdf_url', content: pdfUrl },
    ],
  };
}

/** The DOI field may hold several DOIs separated by spaces; each links to doi.org. */
function doiLinks(field: string): LinkOut[] {
  return field
    .split(/\s+/)
    .filter((doi) => /^10\.\d{4,9}\/\S+$/.test(doi))
    .map((doi) => ({
      href: `https://doi.org/${encodeURI(doi).replaceAll('#', '%23').replaceAll('?', '%3F')}`,
      text: doi,
    }));
}

/** A web address from metadata, linked only when it is http(s). */
function webLink(url: string | null): LinkOut | null {
  if (!url || !/^https?:\/\/[^\s]+$/i.test(url)) return null;
  return { href: url, text: url.replace(/^https?:\/\/(www\.)?/i, '').replace(/\/$/, '') };
}

function plainExcerpt(abstract: string): string {
  const plain = texPlainText(abstract);
  if (plain.length <= DESCRIPTION_CHARS) return plain;
  const cut = plain.slice(0, DESCRIPTION_CHARS);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), DESCRIPTION_CHARS / 2)).trimEnd()}…`;
}
