/**
 * Similar papers for the API and the paper page: the ids come from SimilarPapers (search/similar.ts, whichever
 * implementation), the papers from the store, hidden ones dropped again in case one was hidden in between.
 */
import type { Kysely } from 'kysely';
import type { Paper } from '../domain/paper.ts';
import { createSimilarPapers, type SimilarPapers, type VectorSource } from '../search/similar.ts';
import { dialectOf } from '../storage/database.ts';
import { KyselyPaperStore, type Listing, type PaperStore } from '../storage/paper-store.ts';
import type { Database } from '../storage/schema.ts';
import { type AuthorSummary, summariseAuthors } from '../web/presenters/html/authors.ts';
import { type DayLabel, dayOf } from '../web/presenters/html/dates.ts';
import type { Html } from '../web/presenters/html/html.ts';
import { paperPath } from '../web/presenters/html/paths.ts';
import { texLineHtml } from '../web/presenters/html/tex-html.ts';
import { readPaper } from './paper.ts';

/** Papers shown on a paper page: a short list to follow, not a search. */
export const PAGE_SIMILAR_PAPERS = 6;
/** Authors named on a similar-paper line before "et al.": the line is short. */
const PAGE_AUTHORS_SHOWN = 3;

export interface SimilarDeps {
  store: PaperStore;
  similar: SimilarPapers;
}

export interface SimilarItem {
  paper: Paper;
  listing: Listing | null;
}

/** A similar paper as the paper page lists it. */
export interface SimilarPaperLine {
  id: string;
  href: string;
  titleHtml: Html;
  authors: AuthorSummary;
  firstVersion: DayLabel | null;
}

/**
 * Where the web app's vectors are, per query layer: the page route and the API route build their dependencies from
 * the database alone (similarDeps), so the app registers its semantic search here once at start.
 */
const vectorSources = new WeakMap<Kysely<Database>, VectorSource>();

/** From now on, similar papers over this database also use these vectors (search/similar.ts SemanticSimilarPapers). */
export function useSemanticSimilarPapers(db: Kysely<Database>, vectors: VectorSource): void {
  vectorSources.set(db, vectors);
}

/** The dependencies for a database, so that the page (which has only the database) and the API build them alike. */
export function similarDeps(db: Kysely<Database>): SimilarDeps {
  return { store: new KyselyPaperStore(db), similar: createSimilarPapers(db, dialectOf(db), vectorSources.get(db)) };
}

/** Papers like a visible paper, most similar first; an unknown or hidden paper is a 404 (PaperNotFoundError). */
export async function readSimilarPapers(deps: SimilarDeps, paperId: string, limit: number): Promise<SimilarItem[]> {
  await readPaper(deps.store, paperId);
  return similarItems(deps, paperId, limit);
}

/** What the paper page lists: a few similar papers (none for a hidden paper an admin is looking at). */
export async function readSimilarForPage(deps: SimilarDeps, paperId: string): Promise<SimilarPaperLine[]> {
  const items = await similarItems(deps, paperId, PAGE_SIMILAR_PAPERS);
  return items.map(({ paper }) => ({
    id: paper.id,
    href: paperPath(paper.id),
    titleHtml: texLineHtml(paper.title),
    authors: summariseAuthors(paper.authors, PAGE_AUTHORS_SHOWN),
    firstVersion: dayOf(paper.firstVersionAt),
  }));
}

async function similarItems(deps: SimilarDeps, paperId: string, limit: number): Promise<SimilarItem[]> {
  const ids = await deps.similar.similarTo(paperId, limit);
  if (ids.length === 0) return [];
  const found = await deps.store.getPapersWithListings(ids);
  return ids.flatMap((id) => {
    const item = found.get(id);
    return item && item.paper.hiddenAt === null && id !== paperId ? [item] : [];
  });
}
