/**
 * Similar papers ("more like this"), behind one small interface so that the API route and the paper page do not
 * know how they are found. Two implementations: SemanticSimilarPapers (the nearest neighbours of the paper's stored
 * vector in the in-memory index, fused with the lexical list: meaning finds papers worded differently, words keep
 * the shared-term precision) and, underneath it and whenever the paper has no vector yet, the lexical one. The
 * lexical implementation picks the paper's most
 * distinctive words (title words weighted up, abstract words by term frequency, both times an inverse document
 * frequency counted by the search index itself), ORs the best of them into a query for the existing lexical search
 * (search/lexical-search.ts), and gives a small bonus to papers sharing the paper's primary category.
 */
import { type Kysely, sql } from 'kysely';
import { type SearchQuery, STOP_WORDS, tokenize } from '../domain/search-query.ts';
import type { DialectName } from '../storage/database.ts';
import type { Database } from '../storage/schema.ts';
import { fuseRankings } from './fusion.ts';
import { createLexicalSearch, type LexicalSearch, type SearchHit } from './lexical-search.ts';
import type { VectorIndex } from './vector-index.ts';

/**
 * Papers like a given one. Implementations never return the paper itself nor a hidden paper, and return nothing
 * for an unknown or hidden paper (its text is not worth recommending from).
 */
export interface SimilarPapers {
  /** Up to `limit` paper ids, most similar first. */
  similarTo(paperId: string, limit: number): Promise<string[]>;
}

/** The most any caller may ask for (the API's bound). */
export const MAX_SIMILAR_PAPERS = 20;

/** A title word counts as this many abstract words: a title says what a paper is about. */
const TITLE_WORD_WEIGHT = 3;
/** Words shorter than this (in characters) are mostly symbols and abbreviations of no topic (`x`, `id`). */
const MIN_WORD_LENGTH = 3;
/** Words whose document frequency is counted: the paper's heaviest ones, bounding the counting query's size. */
const MAX_CANDIDATE_WORDS = 40;
/** Words in the OR query: enough to describe a topic, few enough that each posting list stays cheap. */
const QUERY_WORDS = 16;
/** Hits fetched from the lexical search per paper wanted, before the category bonus re-orders them. */
const HITS_PER_WANTED = 3;
/** Relative score bonus (a fraction of the lexical score) for a paper listed under this paper's primary category. */
const CATEGORY_BONUS = 0.15;
/**
 * Relative score bonus per author the two papers share (same name, ignoring case), up to MAX_SHARED_AUTHORS: a
 * group's follow-up work is what a reader of the paper most likely wants next.
 */
const SHARED_AUTHOR_BONUS = 0.1;
const MAX_SHARED_AUTHORS = 3;
/** TeX commands (`\mathcal`, `\epsilon`) are markup, not words. */
const TEX_COMMAND = /\\[A-Za-z]+/g;

/**
 * Words common in every abstract that STOP_WORDS (tuned for what people type) keeps. The inverse document
 * frequency discounts them on a large catalogue; this list keeps a small catalogue's ranking sane too.
 */
const ABSTRACT_STOP_WORDS: ReadonlySet<string> = new Set(
  'also can such these those than then thus both more most not only other some each many much may might must new show shows shown propose proposed present paper approach method methods results using used use based however while where here there well very over under between through two one three first second further existing recent recently well which who whose been being were will would could should does did'.split(
    ' ',
  ),
);

/** How many documents contain each word, as the index counts them (stemmed the way the search stems). */
interface DocumentFrequencies {
  /** The number of papers, and per word the papers containing it (0 for words the index does not keep). */
  count(words: string[]): Promise<{ total: number; frequencies: Map<string, number> }>;
}

/**
 * The lexical implementation for this database, or, given where vectors are (the web app's semantic search), the
 * semantic one over it; callers see only SimilarPapers.
 */
export function createSimilarPapers(db: Kysely<Database>, dialect: DialectName, vectors?: VectorSource): SimilarPapers {
  const frequencies = dialect === 'postgres' ? new PostgresFrequencies(db) : new SqliteFrequencies(db);
  const lexical = new LexicalSimilarPapers(db, createLexicalSearch(db, dialect), frequencies);
  return vectors ? new SemanticSimilarPapers(db, lexical, vectors) : lexical;
}

/** Where SemanticSimilarPapers finds vectors: the index of the loaded embedder (null while it loads). */
export interface VectorSource {
  index(): Promise<VectorIndex | null>;
}

/** Neighbours taken from the vector index per paper wanted, before hidden ones are dropped and the lists fused. */
const NEIGHBOURS_PER_WANTED = 3;
/**
 * The lexical side's share when fusing similar papers: higher than search's, because paper-to-paper similarities
 * of the default (word-vector) embedder are crowded (0.8-0.93 for any two papers of one field, on the sample
 * papers), so the vectors mostly reorder and complete the lexical list rather than lead it.
 */
const SIMILAR_LEXICAL_WEIGHT = 0.8;

/**
 * The paper's nearest neighbours by meaning (its own stored vector against every other), fused with the lexical
 * "more like this" (search/fusion.ts). Falls back to the lexical list alone while the index is loading or when
 * the paper has no vector yet.
 */
export class SemanticSimilarPapers implements SimilarPapers {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly lexical: LexicalSimilarPapers,
    private readonly vectors: VectorSource,
  ) {}

  async similarTo(paperId: string, limit: number): Promise<string[]> {
    const wanted = Math.max(0, Math.min(Math.floor(limit), MAX_SIMILAR_PAPERS));
    if (wanted === 0) return [];
    const [lexical, index] = await Promise.all([
      this.lexical.similarHits(paperId, MAX_SIMILAR_PAPERS),
      this.vectors.index(),
    ]);
    const vector = index?.vectorOf(paperId) ?? null;
    if (!index || !vector) return lexical.slice(0, wanted).map((hit) => hit.id);
    const paper = await this.db.selectFrom('papers').select('hidden_at').where('id', '=', paperId).executeTakeFirst();
    if (!paper || paper.hidden_at !== null) return [];
    // The nearest neighbours, and the lexical candidates' own similarities, so both sides score every candidate.
    const near = index.search(vector, wanted * NEIGHBOURS_PER_WANTED + 1);
    const nearIds = new Set(near.map((hit) => hit.id));
    const others = lexical.filter((hit) => !nearIds.has(hit.id)).map((hit) => hit.id);
    const neighbours = [...near, ...index.search(vector, others.length, others)]
      .filter((hit) => hit.id !== paperId)
      .sort((a, b) => b.score - a.score);
    const hidden = await hiddenAmong(
      this.db,
      neighbours.map((hit) => hit.id),
    );
    const semantic = neighbours.filter((hit) => !hidden.has(hit.id));
    return fuseRankings(lexical, semantic, { limit: wanted, lexicalWeight: SIMILAR_LEXICAL_WEIGHT }).map(
      (hit) => hit.id,
    );
  }
}

/** The ids among these of hidden papers. */
async function hiddenAmong(db: Kysely<Database>, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('papers')
    .select('id')
    .where('id', 'in', ids)
    .where('hidden_at', 'is not', null)
    .execute();
  return new Set(rows.map((row) => row.id));
}

/** "More like this" over the lexical index. */
export class LexicalSimilarPapers implements SimilarPapers {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly lexical: LexicalSearch,
    private readonly frequencies: DocumentFrequencies,
  ) {}

  async similarTo(paperId: string, limit: number): Promise<string[]> {
    return (await this.similarHits(paperId, limit)).map((hit) => hit.id);
  }

  /** As similarTo, with the scores (lexical score plus bonuses), for fusing with another ranking. */
  async similarHits(paperId: string, limit: number): Promise<SearchHit[]> {
    const wanted = Math.max(0, Math.min(Math.floor(limit), MAX_SIMILAR_PAPERS));
    if (wanted === 0) return [];
    const paper = await this.db
      .selectFrom('papers')
      .select(['title', 'abstract', 'authors', 'categories', 'hidden_at'])
      .where('id', '=', paperId)
      .executeTakeFirst();
    if (!paper || paper.hidden_at !== null) return [];

    const weights = termWeights(paper.title, paper.abstract);
    const candidates = [...weights.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, MAX_CANDIDATE_WORDS)
      .map(([word]) => word);
    if (candidates.length === 0) return [];
    const { total, frequencies } = await this.frequencies.count(candidates);
    const words = distinctiveWords(weights, frequencies, total);
    if (words.length === 0) return [];

    const hits = await this.lexical.search(orQuery(words), { limit: wanted * HITS_PER_WANTED + 1, offset: 0 });
    const others = hits.filter((hit) => hit.id !== paperId);
    if (others.length === 0) return [];
    const primary = paper.categories.split(' ')[0] ?? '';
    const authors = new Set(authorNames(paper.authors));
    const facts = await this.factsOf(others.map((hit) => hit.id));
    return others
      .map((hit) => {
        const other = facts.get(hit.id);
        const sharesCategory = primary !== '' && other !== undefined && other.categories.includes(primary);
        const sharedAuthors = other ? other.authors.filter((name) => authors.has(name)).length : 0;
        const bonus =
          (sharesCategory ? CATEGORY_BONUS : 0) + Math.min(sharedAuthors, MAX_SHARED_AUTHORS) * SHARED_AUTHOR_BONUS;
        return { id: hit.id, score: hit.score + Math.abs(hit.score) * bonus };
      })
      .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
      .slice(0, wanted);
  }

  /** Categories and lower-cased author names of the hits, for the bonuses. */
  private async factsOf(ids: string[]): Promise<Map<string, { categories: string[]; authors: string[] }>> {
    const rows = await this.db
      .selectFrom('papers')
      .select(['id', 'categories', 'authors'])
      .where('id', 'in', ids)
      .execute();
    return new Map(
      rows.map((row) => [
        row.id,
        { categories: row.categories.split(' ').filter((code) => code !== ''), authors: authorNames(row.authors) },
      ]),
    );
  }
}

/** Each meaningful word of the paper with its weight: occurrences in the abstract plus weighted title occurrences. */
export function termWeights(title: string, abstract: string): Map<string, number> {
  const weights = new Map<string, number>();
  const add = (text: string, weight: number) => {
    for (const word of tokenize(text.replace(TEX_COMMAND, ' '))) {
      if (!isMeaningful(word)) continue;
      weights.set(word, (weights.get(word) ?? 0) + weight);
    }
  };
  add(title, TITLE_WORD_WEIGHT);
  add(abstract, 1);
  return weights;
}

/**
 * The QUERY_WORDS words with the highest weight x inverse document frequency (BM25's form, always positive).
 * Words the index does not know (count 0: a PostgreSQL stop word) are dropped: they would match nothing.
 */
export function distinctiveWords(
  weights: ReadonlyMap<string, number>,
  frequencies: ReadonlyMap<string, number>,
  total: number,
): string[] {
  const scored: { word: string; score: number }[] = [];
  for (const [word, weight] of weights) {
    const frequency = frequencies.get(word) ?? 0;
    if (frequency <= 0) continue;
    const idf = Math.log(1 + (Math.max(total, frequency) - frequency + 0.5) / (frequency + 0.5));
    scored.push({ word, score: weight * idf });
  }
  return scored
    .sort((a, b) => b.score - a.score || (a.word < b.word ? -1 : 1))
    .slice(0, QUERY_WORDS)
    .map(({ word }) => word);
}

/** The stored JSON array of author names, lower-cased; nothing when it is not one. */
function authorNames(stored: string): string[] {
  try {
    const parsed: unknown = JSON.parse(stored);
    return Array.isArray(parsed)
      ? parsed.filter((name): name is string => typeof name === 'string').map((name) => name.toLowerCase())
      : [];
  } catch {
    return [];
  }
}

function isMeaningful(word: string): boolean {
  return (
    word.length >= MIN_WORD_LENGTH && !/^\d+$/.test(word) && !STOP_WORDS.has(word) && !ABSTRACT_STOP_WORDS.has(word)
  );
}

/** The parsed-query form of "any of these words", with no filters, for LexicalSearch. */
function orQuery(words: string[]): SearchQuery {
  return {
    words,
    phrases: [],
    prefix: false,
    filters: { categories: [], authors: [], after: null, before: null },
    text: '',
    arxivId: null,
  };
}

/** FTS5: one MATCH count per word (FTS5 stems the word as the search will), all in one statement. */
class SqliteFrequencies implements DocumentFrequencies {
  constructor(private readonly db: Kysely<Database>) {}

  async count(words: string[]): Promise<{ total: number; frequencies: Map<string, number> }> {
    const parts = words.map(
      (word, index) =>
        sql`select ${index} as position, (select count(*) from papers_fts where papers_fts match ${`"${word}"`}) as n`,
    );
    const rows = await sql<{ position: number; n: number }>`
      ${sql.join(parts, sql` union all `)}
      union all select -1 as position, (select count(*) from papers) as n`.execute(this.db);
    return collect(words, rows.rows);
  }
}

/** PostgreSQL: one count per word through the GIN index on search_vector, all in one statement. */
class PostgresFrequencies implements DocumentFrequencies {
  constructor(private readonly db: Kysely<Database>) {}

  async count(words: string[]): Promise<{ total: number; frequencies: Map<string, number> }> {
    const parts = words.map(
      (word, index) =>
        sql`select ${index}::int as position, (select count(*) from papers where search_vector @@ plainto_tsquery('english', ${word}::text)) as n`,
    );
    const rows = await sql<{ position: number; n: string | number }>`
      ${sql.join(parts, sql` union all `)}
      union all select -1 as position, (select count(*) from papers) as n`.execute(this.db);
    return collect(words, rows.rows);
  }
}

function collect(
  words: string[],
  rows: { position: number | string; n: number | string }[],
): { total: number; frequencies: Map<string, number> } {
  let total = 0;
  const frequencies = new Map<string, number>();
  for (const row of rows) {
    const position = Number(row.position);
    if (position < 0) total = Number(row.n);
    else frequencies.set(words[position]!, Number(row.n));
  }
  return { total, frequencies };
}
