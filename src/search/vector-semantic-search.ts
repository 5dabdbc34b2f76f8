/**
 * SemanticSearch over the stored paper vectors: the query's text (without its filters) is embedded with the role
 * 'query', then the in-memory index of the current embedder's vectors (vector-index.ts) is scanned. The nearest
 * papers are then checked by primary key against the query's filters (category, author, dates: search/filters.ts,
 * the same SQL as lexical search) and hidden papers; a filter so selective that few of the nearest pass makes the
 * database list the papers it allows, and only those are scanned. While the embedder is loading, or before any paper has a vector, the answer is empty, so hybrid search
 * is then exactly lexical search.
 */
import type { Kysely } from 'kysely';
import type { SearchFilters, SearchQuery } from '../domain/search-query.ts';
import { type EmbeddingStore, KyselyEmbeddingStore } from '../storage/embedding-store.ts';
import type { Database } from '../storage/schema.ts';
import type { EmbedderHandle } from './embedder-loader.ts';
import { filterSql } from './filters.ts';
import type { SearchHit } from './lexical-search.ts';
import type { SemanticSearch } from './semantic-search.ts';
import { LiveVectorIndex, type LiveVectorIndexOptions, type VectorIndex } from './vector-index.ts';

/** Extra hits fetched beyond the page, for hidden papers dropped after an unfiltered scan. */
const HIDDEN_MARGIN = 16;
/** A filtered query first checks this many times the hits it wants (at least MIN_FILTERED_DEPTH) of the nearest. */
const FILTERED_DEPTH_FACTOR = 4;
const MIN_FILTERED_DEPTH = 200;
/** Each deepening multiplies the depth by this, up to MAX_POSTFILTER_DEPTH; then the filter's papers are listed. */
const DEPTH_GROWTH = 4;
const MAX_POSTFILTER_DEPTH = 3_200;
/**
 * Hits less similar than this (cosine) are not results: with the default embedder, papers on an unrelated subject
 * score about -0.1..0.15 against a query and related ones 0.3 and up (sample papers, by eye), and a semantic hit
 * below the floor would only pad a lexical answer with noise.
 */
export const DEFAULT_MIN_SEMANTIC_SCORE = 0.2;
/** At most this many papers a selective filter's SQL lists for the scan. */
const MAX_FILTER_CANDIDATES = 200_000;

export interface VectorSemanticSearchOptions extends LiveVectorIndexOptions {
  /** Hits scoring below this cosine similarity are left out (DEFAULT_MIN_SEMANTIC_SCORE). */
  minScore?: number;
}

export class VectorSemanticSearch implements SemanticSearch {
  private live: LiveVectorIndex | null = null;
  private readonly store: EmbeddingStore;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly embedder: EmbedderHandle,
    private readonly options: VectorSemanticSearchOptions = {},
  ) {
    this.store = new KyselyEmbeddingStore(db);
  }

  isReady(): boolean {
    return this.embedder.current() !== null || this.embedder.settled();
  }

  /** The index of the loaded embedder's vectors, current as of its refresh interval; null while loading. */
  async index(): Promise<VectorIndex | null> {
    const embedder = this.embedder.current();
    if (!embedder) return null;
    if (!this.live || this.live.embedderId !== embedder.id) {
      this.live = new LiveVectorIndex(this.store, embedder.id, embedder.dimensions, this.options);
    }
    return this.live.current();
  }

  async search(query: SearchQuery, page: { limit: number; offset: number }): Promise<SearchHit[]> {
    const embedder = this.embedder.current();
    const text = query.text.trim();
    if (!embedder || text === '' || page.limit <= 0) return [];
    const index = await this.index();
    if (!index || index.size === 0) return [];
    const [vector] = await embedder.embed([text], 'query');
    if (!vector) return [];
    const wanted = page.offset + page.limit;
    const hits = await this.filteredTop(index, vector, query.filters, wanted);
    const minScore = this.options.minScore ?? DEFAULT_MIN_SEMANTIC_SCORE;
    return hits.filter((hit) => hit.score >= minScore).slice(page.offset, wanted);
  }

  /**
   * The best `wanted` hits that pass the filters and are not hidden. First the unfiltered nearest, checked against
   * the filters by primary key (exact: if enough of the top M pass, they are the filtered top, since every paper
   * outside the top M scores lower), deepening a few times; a selective filter that keeps too few then asks the
   * database for every paper it allows and scans only those.
   */
  private async filteredTop(
    index: VectorIndex,
    vector: Float32Array,
    filters: SearchFilters,
    wanted: number,
  ): Promise<SearchHit[]> {
    const filtered =
      filters.categories.length > 0 || filters.authors.length > 0 || filters.after !== null || filters.before !== null;
    let depth = filtered ? Math.max(wanted * FILTERED_DEPTH_FACTOR, MIN_FILTERED_DEPTH) : wanted + HIDDEN_MARGIN;
    for (;;) {
      const hits = index.search(vector, depth);
      const passing = await this.passing(
        hits.map((hit) => hit.id),
        filters,
      );
      const kept = hits.filter((hit) => passing.has(hit.id));
      if (kept.length >= wanted || hits.length < depth) return kept.slice(0, wanted);
      // At this pass rate even the deepest pass would keep too few: list the filter's papers at once.
      if (depth >= MAX_POSTFILTER_DEPTH || kept.length * (MAX_POSTFILTER_DEPTH / depth) < wanted) break;
      depth *= DEPTH_GROWTH;
    }
    const allowed = await this.db
      .selectFrom('papers')
      .select('papers.id')
      .where(filterSql(filters))
      .limit(MAX_FILTER_CANDIDATES)
      .execute();
    return index.search(
      vector,
      wanted,
      allowed.map((row) => row.id),
    );
  }

  /** Which of these papers pass the filters (hidden papers never do). */
  private async passing(ids: string[], filters: SearchFilters): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.db
      .selectFrom('papers')
      .select('papers.id')
      .where('papers.id', 'in', ids)
      .where(filterSql(filters))
      .execute();
    return new Set(rows.map((row) => row.id));
  }
}
