/**
 * Shapes papers as Hugging Face's papers API does, so that its clients (huggingface_hub's `list_daily_papers` and
 * `paper_info`, and the many scripts written against https://huggingface.co/api/daily_papers) parse our answers.
 *
 * The quirks kept on purpose (learned from those clients' parsing code):
 * - every timestamp is ISO 8601 UTC ending in `Z`; an unknown one is `null`, never a made-up day;
 * - a daily item's top-level `publishedAt` is when it was listed; `paper.publishedAt` is arXiv's first-version date;
 * - a daily item has no top-level `id` (the Python client would take it for the arXiv id) and carries `title` at the
 *   top level (the Python client reads it only there);
 * - users are objects; `submittedBy` names the user in `name`, `submittedOnDailyBy` in `user` (we send both keys in
 *   both objects, which each client ignores where it does not look);
 * - optional fields the instance does not know are left out rather than sent as null.
 */
import { createHash } from 'node:crypto';
import { SYSTEM_SUBMITTER } from '../../commands/feed.ts';
import { type Paper, versionTimestamp } from '../../domain/paper.ts';
import type { ListedPaper, Listing, ListingSource } from '../../storage/paper-store.ts';

export interface HfUser {
  _id: string;
  name: string;
  user: string;
  fullname: string;
  avatarUrl: string;
  type: 'user';
  isPro: false;
}

export interface HfAuthor {
  _id: string;
  name: string;
  hidden: false;
}

export interface HfPaper {
  id: string;
  authors: HfAuthor[];
  publishedAt: string | null;
  title: string;
  summary: string;
  upvotes: number;
  discussionId: string;
  submittedOnDailyAt?: string;
  submittedOnDailyBy?: HfUser;
  githubRepo?: string;
  projectPage?: string;
}

export interface HfDailyItem {
  paper: HfPaper;
  publishedAt: string;
  title: string;
  summary: string;
  numComments: number;
  submittedBy: HfUser;
  isAuthorParticipating: false;
}

/** The paper object of /api/papers/{id}: Hugging Face's fields plus arXiv's own metadata. */
export interface HfPaperDetail extends HfPaper {
  numComments: number;
  categories: string[];
  primaryCategory: string | null;
  comments: string | null;
  journalRef: string | null;
  doi: string | null;
  license: string | null;
  versions: { version: string; created: string | null }[];
  updatedAt: string | null;
  arxivUrl: string;
  pdfUrl: string;
}

const SOURCE_NAMES: Record<ListingSource, string> = {
  sample: 'Paperboy (sample data)',
  import: 'Paperboy (import)',
  curator: 'Paperboy (curator)',
  ingest: 'Paperboy (arXiv listing)',
  user: 'Paperboy',
};

export function presentDailyItem({ paper, listing }: ListedPaper, baseUrl: string): HfDailyItem {
  const submitter = presentSubmitter(listing, baseUrl);
  return {
    paper: {
      ...presentPaper(paper),
      submittedOnDailyAt: listing.submittedAt,
      submittedOnDailyBy: submitter,
    },
    publishedAt: listing.submittedAt,
    title: paper.title,
    summary: paper.abstract,
    numComments: paper.numComments,
    submittedBy: submitter,
    isAuthorParticipating: false,
  };
}

/**
 * A search result, as Hugging Face's search answers it: `{paper, numComments}` plus the daily item's top-level
 * fields (its Python client reads a result's title only from the top level). A paper never listed here has no
 * submitter and its top-level `publishedAt` is arXiv's date.
 */
export function presentSearchItem(paper: Paper, listing: Listing | null, baseUrl: string) {
  if (listing) return presentDailyItem({ paper, listing }, baseUrl);
  return {
    paper: presentPaper(paper),
    publishedAt: paper.firstVersionAt,
    title: paper.title,
    summary: paper.abstract,
    numComments: paper.numComments,
    isAuthorParticipating: false,
  };
}

export function presentPaperDetail(paper: Paper, listing: Listing | null, baseUrl: string): HfPaperDetail {
  const base = presentPaper(paper);
  return {
    ...base,
    ...(listing
      ? { submittedOnDailyAt: listing.submittedAt, submittedOnDailyBy: presentSubmitter(listing, baseUrl) }
      : {}),
    numComments: paper.numComments,
    categories: paper.categories,
    primaryCategory: paper.categories[0] ?? null,
    comments: paper.comments,
    journalRef: paper.journalRef,
    doi: paper.doi,
    license: paper.license,
    versions: paper.versions.map((v) => ({
      version: `v${v.version}`,
      created: versionTimestamp(v.created),
    })),
    updatedAt: paper.latestVersionAt,
    arxivUrl: `https://arxiv.org/abs/${paper.id}`,
    pdfUrl: `https://arxiv.org/pdf/${paper.id}`,
  };
}

function presentPaper(paper: Paper): HfPaper {
  const out: HfPaper = {
    id: paper.id,
    authors: presentAuthors(paper),
    publishedAt: paper.firstVersionAt,
    title: paper.title,
    summary: paper.abstract,
    upvotes: paper.upvotes,
    discussionId: stableObjectId(`discussion:${paper.id}`),
  };
  if (paper.githubRepo) out.githubRepo = paper.githubRepo;
  if (paper.projectPage) out.projectPage = paper.projectPage;
  return out;
}

const SYSTEM_SUBMITTER_ID = stableObjectId(`user:${SYSTEM_SUBMITTER}`);

/** Author ids: one hash per paper, the author's position in the last digits (ids stay 24 hex digits). */
function presentAuthors(paper: Paper): HfAuthor[] {
  const prefix = stableObjectId(`authors:${paper.id}`).slice(0, 20);
  return paper.authors.map((name, index) => ({
    _id: `${prefix}${index.toString(16).padStart(4, '0')}`,
    name,
    hidden: false,
  }));
}

function presentSubmitter(listing: Listing, baseUrl: string): HfUser {
  const person = listing.submitter;
  if (person) {
    return {
      _id: stableObjectId(`user:${person.username.toLowerCase()}`),
      name: person.username,
      user: person.username,
      fullname: person.displayName ?? person.username,
      avatarUrl: `${baseUrl}/static/avatar.svg`,
      type: 'user',
      isPro: false,
    };
  }
  // The instance's own listings (sample data, imports, arXiv listings, curators' features).
  return {
    _id: SYSTEM_SUBMITTER_ID,
    name: SYSTEM_SUBMITTER,
    user: SYSTEM_SUBMITTER,
    fullname: SOURCE_NAMES[listing.source],
    avatarUrl: `${baseUrl}/static/avatar.svg`,
    type: 'user',
    isPro: false,
  };
}

/** A 24-hex-digit id derived from a key: the shape of Hugging Face's ids, stable across requests and instances. */
function stableObjectId(key: string): string {
  return createHash('sha1').update(key).digest('hex').slice(0, 24);
}
