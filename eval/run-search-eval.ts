/**
 * `npm run eval:search [-- --verbose] [-- --postgres URL] [-- --sweep] [-- --model DIR]`: the judged search evaluation
 * (issue 4, "Quality you can see"). Loads the corpus (the 48 bundled sample papers and the arXiv distractors, through
 * the real importer) into a fresh SQLite database (and a fresh PostgreSQL database on the server at URL when asked),
 * embeds every paper once with the embedder under evaluation (the offline default, or the ONNX model in DIR), runs
 * every judged query of eval/search/queries.json through each ranker of RANKERS (lexical, semantic, fused), and
 * prints nDCG@10 and recall@10 as Markdown tables that can be pasted into the README (per query with --verbose; the
 * fusion methods and weights of search/fusion.ts with --sweep).
 *
 * Exit codes: 0 done; 1 the judged set is bad (unknown ids, a query without a paper graded 2 or 3, ...), the corpus
 * did not load or the embedder did not; 2 bad command-line arguments.
 *
 * A ranker is a name and an async `(queryText) => ranked paper ids`; adding one is one entry in RANKERS (see
 * eval/search/README.md).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { HttpError } from '../src/commands/errors.ts';
import { searchPapers } from '../src/commands/search.ts';
import { parseSearchQuery, type SearchQuery, STOP_WORDS, tokenize } from '../src/domain/search-query.ts';
import { importStream, PARSERS, requireFormat } from '../src/ingest/import-stream.ts';
import { openFileInput, peekInput } from '../src/ingest/input.ts';
import { type Embedder, paperEmbeddingText } from '../src/search/embedder.ts';
import { createDefaultEmbedder } from '../src/search/embedders/index.ts';
import { createOnnxEmbedder } from '../src/search/embedders/onnx.ts';
import { type FusionMethod, fuseRankings } from '../src/search/fusion.ts';
import { createLexicalSearch, type LexicalSearch, type SearchHit } from '../src/search/lexical-search.ts';
import { meanOf, ndcgAtK, recallAtK, reciprocalRank } from '../src/search/ranking-metrics.ts';
import type { SemanticSearch } from '../src/search/semantic-search.ts';
import { type DatabaseHandle, type DialectName, openDatabase, redact } from '../src/storage/database.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';
import { KyselyPaperStore, type PaperStore } from '../src/storage/paper-store.ts';
import type { Database } from '../src/storage/schema.ts';

/** The repository root (this file is in eval/). */
export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
export const QUERIES_PATH = join(REPO_ROOT, 'eval/search/queries.json');
/** The cut-off of every figure: nDCG@10, recall@10. */
export const CUTOFF = 10;
/** How many ids a ranker is asked for: enough for a fused ranker to combine deeper lists than the cut-off. */
export const RANK_DEPTH = 100;
/** Recall counts papers graded at least this (clearly relevant or exact). */
export const RECALL_MIN_GRADE = 2;
export const MIN_QUERIES = 30;
export const QUERY_STYLES = ['keyword', 'paraphrase', 'question', 'author', 'misspelling', 'acronym', 'id'] as const;
export type QueryStyle = (typeof QUERY_STYLES)[number];

export interface JudgedQuery {
  /** A short stable name (lower-case words and dashes). */
  id: string;
  /** What a reader types into the search box. */
  text: string;
  style: QueryStyle;
  /** arXiv id -> grade: 3 exactly what was meant, 2 clearly relevant, 1 somewhat related (unjudged = 0). */
  judgments: Record<string, number>;
  /** Why the grades are what they are, where that is not obvious. */
  note?: string;
}

export interface JudgedSet {
  about?: string;
  /** The corpus files, relative to the repository root, in load order. */
  corpus: string[];
  queries: JudgedQuery[];
}

// ---------------------------------------------------------------------------------------------------------------
// The judged set and the corpus
// ---------------------------------------------------------------------------------------------------------------

/** Reads the judged set (its shape is checked by validateJudgedSet). */
export function loadJudgedSet(path: string = QUERIES_PATH): JudgedSet {
  return JSON.parse(readFileSync(path, 'utf8')) as JudgedSet;
}

/** The id and title of every paper in the corpus files, read with the importer's own parsers. */
export async function readCorpus(files: readonly string[], root: string = REPO_ROOT): Promise<Map<string, string>> {
  const titles = new Map<string, string>();
  for (const file of files) {
    const input = await peekInput(await openFileInput(join(root, file)));
    const parse = PARSERS[requireFormat(input)];
    for await (const event of parse(input.chunks)) {
      if (event.kind === 'record') titles.set(event.record.id, event.record.title);
    }
  }
  return titles;
}

/**
 * Everything wrong with a judged set, one sentence each (empty when it is well formed): its shape, at least
 * MIN_QUERIES queries, unique ids and texts, texts that the search box accepts, known styles, grades 1-3 on ids that
 * exist in the corpus, and at least one paper graded 2 or 3 per query.
 */
export function validateJudgedSet(set: unknown, corpusIds: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  if (typeof set !== 'object' || set === null) return ['the judged set is not a JSON object'];
  const { corpus, queries } = set as Partial<JudgedSet>;
  if (!Array.isArray(corpus) || corpus.length === 0 || !corpus.every((file) => typeof file === 'string')) {
    problems.push('"corpus" must list the corpus files');
  }
  if (!Array.isArray(queries)) return [...problems, '"queries" must be an array'];
  if (queries.length < MIN_QUERIES) problems.push(`${queries.length} queries: at least ${MIN_QUERIES} are needed`);
  const seenIds = new Set<string>();
  const seenTexts = new Set<string>();
  queries.forEach((query: Partial<JudgedQuery>, index) => {
    const name = typeof query?.id === 'string' ? `query "${query.id}"` : `query #${index + 1}`;
    if (typeof query?.id !== 'string' || !/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(query.id)) {
      problems.push(`${name}: "id" must be lower-case words joined by dashes`);
    } else if (seenIds.has(query.id)) {
      problems.push(`${name}: the id is used twice`);
    } else {
      seenIds.add(query.id);
    }
    if (typeof query?.text !== 'string' || query.text.trim() === '') {
      problems.push(`${name}: "text" is missing`);
    } else {
      const normalized = query.text.trim().toLowerCase();
      if (seenTexts.has(normalized)) problems.push(`${name}: the same text is judged twice`);
      seenTexts.add(normalized);
      const parsed = parseSearchQuery(query.text);
      if (!parsed.ok) problems.push(`${name}: the search box refuses the text (${parsed.reason})`);
    }
    if (!QUERY_STYLES.includes(query?.style as QueryStyle)) {
      problems.push(`${name}: "style" must be one of ${QUERY_STYLES.join(', ')}`);
    }
    const judgments = query?.judgments;
    if (typeof judgments !== 'object' || judgments === null || Array.isArray(judgments)) {
      problems.push(`${name}: "judgments" must map arXiv ids to grades`);
      return;
    }
    for (const [id, grade] of Object.entries(judgments)) {
      if (!corpusIds.has(id)) problems.push(`${name}: ${id} is not in the corpus`);
      if (grade !== 1 && grade !== 2 && grade !== 3) problems.push(`${name}: ${id} has grade ${grade}, not 1, 2 or 3`);
    }
    if (!Object.values(judgments).some((grade) => grade === 2 || grade === 3)) {
      problems.push(`${name}: no paper is graded 2 or 3`);
    }
  });
  return problems;
}

/** The words of a query (without stop words) that occur in the title of at least one of its grade-3 papers. */
export function sharedTitleWords(query: JudgedQuery, titles: ReadonlyMap<string, string>): string[] {
  const titleWords = new Set(
    Object.entries(query.judgments)
      .filter(([, grade]) => grade === 3)
      .flatMap(([id]) => tokenize(titles.get(id) ?? '')),
  );
  const words = [...new Set(tokenize(query.text))].filter((word) => !STOP_WORDS.has(word));
  return words.filter((word) => titleWords.has(word));
}

// ---------------------------------------------------------------------------------------------------------------
// Rankers
// ---------------------------------------------------------------------------------------------------------------

/** A ranking function: the text a reader typed -> paper ids, best first (at most `depth` of them). */
export type RankFunction = (queryText: string) => Promise<string[]>;

export interface Ranker {
  name: string;
  rank: RankFunction;
}

/** What a ranker may use, on one loaded database. */
export interface RankerContext {
  db: Kysely<Database>;
  dialect: DialectName;
  store: PaperStore;
  lexical: LexicalSearch;
  /** How many ids to return for a query. */
  depth: number;
  /** The rankers created before this one, by name (a fused ranker combines them). */
  rankers: ReadonlyMap<string, Ranker>;
  /** Semantic search over every paper of this database with the embedder under evaluation (see corpusSemantic). */
  semantic: CorpusSemanticSearch;
}

export interface RankerEntry {
  name: string;
  create(context: RankerContext): RankFunction | Promise<RankFunction>;
}

/** The rankers compared, in order (a later one may use earlier ones through `context.rankers`). */
export const RANKERS: RankerEntry[] = [
  {
    // The search box as it is: parse, lexical index (FTS5 / PostgreSQL full text), exact id or title first.
    name: 'lexical',
    create: ({ store, db, lexical, depth }) => {
      return async (queryText) => {
        try {
          const result = await searchPapers({ store, db, lexical }, { q: queryText, limit: depth, offset: 0 });
          return result.items.map((item) => item.paper.id);
        } catch (error) {
          if (error instanceof HttpError && error.statusCode === 400) return [];
          throw error;
        }
      };
    },
  },
  {
    // Meaning only: the query's text (without filters) against every paper's title and abstract, cosine similarity
    // by brute force: exactly the ranking the vector index gives a query without filters.
    name: 'semantic',
    create: ({ semantic, depth }) => {
      return async (queryText) => {
        const parsed = parseSearchQuery(queryText);
        if (!parsed.ok) return [];
        const hits = await semantic.search(parsed.query, { limit: depth, offset: 0 });
        return hits.map((hit) => hit.id);
      };
    },
  },
  {
    // The search box with semantic search on: lexical and semantic fused by search/fusion.ts, exact id or title
    // first, through the same searchPapers as the site and the API.
    name: 'fused',
    create: ({ store, db, lexical, semantic, depth }) => {
      return async (queryText) => {
        try {
          const result = await searchPapers(
            { store, db, lexical, semantic },
            { q: queryText, limit: depth, offset: 0 },
          );
          return result.items.map((item) => item.paper.id);
        } catch (error) {
          if (error instanceof HttpError && error.statusCode === 400) return [];
          throw error;
        }
      };
    },
  },
];

/**
 * Brute-force semantic search over the papers of one database, embedded once (the eval corpus is small); the
 * vectors are kept so that the fusion sweep reuses them.
 */
export interface CorpusSemanticSearch extends SemanticSearch {
  readonly embedder: Embedder;
  /** Every paper's vector, by id. */
  readonly vectors: ReadonlyMap<string, Float32Array>;
  isReady(): boolean;
}

/** How many paper texts are embedded per call while the corpus is embedded. */
const EMBED_BATCH = 64;

/** Embeds every paper of the database (title and abstract, as background embedding does) with `embedder`. */
export async function corpusSemantic(db: Kysely<Database>, embedder: Embedder): Promise<CorpusSemanticSearch> {
  const papers = await db.selectFrom('papers').select(['id', 'title', 'abstract']).orderBy('id').execute();
  const vectors = new Map<string, Float32Array>();
  for (let start = 0; start < papers.length; start += EMBED_BATCH) {
    const batch = papers.slice(start, start + EMBED_BATCH);
    const embedded = await embedder.embed(batch.map(paperEmbeddingText), 'document');
    for (const [i, paper] of batch.entries()) vectors.set(paper.id, embedded[i]!);
  }
  return {
    embedder,
    vectors,
    isReady: () => true,
    async search(query: SearchQuery, page: { limit: number; offset: number }): Promise<SearchHit[]> {
      const text = query.text.trim();
      if (text === '') return [];
      const [vector] = await embedder.embed([text], 'query');
      if (!vector) return [];
      return nearest(vector, vectors, page.offset + page.limit).slice(page.offset);
    },
  };
}

/** The `count` vectors with the largest dot product with `vector`, best first (ties by id); zero scores left out. */
export function nearest(vector: Float32Array, vectors: ReadonlyMap<string, Float32Array>, count: number): SearchHit[] {
  const hits: SearchHit[] = [];
  for (const [id, other] of vectors) {
    let score = 0;
    for (let i = 0; i < vector.length; i++) score += vector[i]! * other[i]!;
    if (score !== 0) hits.push({ id, score });
  }
  return hits.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1)).slice(0, count);
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------------------------

export interface QueryOutcome {
  query: JudgedQuery;
  ranked: string[];
  ndcg: number | null;
  recall: number | null;
  reciprocalRank: number | null;
  milliseconds: number;
}

export interface RankerRun {
  ranker: string;
  database: DialectName;
  outcomes: QueryOutcome[];
}

/** Runs every query through one ranker, one at a time (so that the timings mean something). */
export async function evaluateRanker(rank: RankFunction, queries: readonly JudgedQuery[]): Promise<QueryOutcome[]> {
  const outcomes: QueryOutcome[] = [];
  for (const query of queries) {
    const judgments = new Map(Object.entries(query.judgments));
    const started = performance.now();
    const ranked = await rank(query.text);
    const milliseconds = performance.now() - started;
    outcomes.push({
      query,
      ranked,
      ndcg: ndcgAtK(ranked, judgments, CUTOFF),
      recall: recallAtK(ranked, judgments, CUTOFF, RECALL_MIN_GRADE),
      reciprocalRank: reciprocalRank(ranked, judgments, RECALL_MIN_GRADE),
      milliseconds,
    });
  }
  return outcomes;
}

export interface Summary {
  ndcg: number | null;
  recall: number | null;
  mrr: number | null;
  queries: number;
  millisecondsPerQuery: number;
}

export function summarize(outcomes: readonly QueryOutcome[]): Summary {
  return {
    ndcg: meanOf(outcomes.map((outcome) => outcome.ndcg)),
    recall: meanOf(outcomes.map((outcome) => outcome.recall)),
    mrr: meanOf(outcomes.map((outcome) => outcome.reciprocalRank)),
    queries: outcomes.length,
    millisecondsPerQuery: meanOf(outcomes.map((outcome) => outcome.milliseconds)) ?? 0,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Report (Markdown, to paste into the README)
// ---------------------------------------------------------------------------------------------------------------

const figure = (value: number | null) => (value === null ? '–' : value.toFixed(3));

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function formatSummaryTable(runs: readonly RankerRun[]): string {
  return table(
    ['ranker', 'database', `nDCG@${CUTOFF}`, `recall@${CUTOFF}`, 'MRR', 'queries', 'ms/query'],
    runs.map((run) => {
      const summary = summarize(run.outcomes);
      return [
        run.ranker,
        run.database,
        figure(summary.ndcg),
        figure(summary.recall),
        figure(summary.mrr),
        String(summary.queries),
        summary.millisecondsPerQuery.toFixed(1),
      ];
    }),
  );
}

export function formatStyleTable(runs: readonly RankerRun[]): string {
  const styles = QUERY_STYLES.filter((style) => runs[0]?.outcomes.some((outcome) => outcome.query.style === style));
  return table(
    ['query style', 'queries', ...runs.map((run) => `${label(run, runs)} nDCG@${CUTOFF} / recall@${CUTOFF}`)],
    styles.map((style) => {
      const count = runs[0]!.outcomes.filter((outcome) => outcome.query.style === style).length;
      return [
        style,
        String(count),
        ...runs.map((run) => {
          const summary = summarize(run.outcomes.filter((outcome) => outcome.query.style === style));
          return `${figure(summary.ndcg)} / ${figure(summary.recall)}`;
        }),
      ];
    }),
  );
}

export function formatQueryTable(runs: readonly RankerRun[]): string {
  const first = runs[0];
  if (!first) return '';
  return table(
    [
      'query',
      'style',
      ...runs.map((run) => `${label(run, runs)} nDCG / recall`),
      `${label(first, runs)} top 3 (grade)`,
    ],
    first.outcomes.map((outcome, index) => [
      `\`${outcome.query.text}\``,
      outcome.query.style,
      ...runs.map((run) => `${figure(run.outcomes[index]!.ndcg)} / ${figure(run.outcomes[index]!.recall)}`),
      outcome.ranked
        .slice(0, 3)
        .map((id) => `${id} (${outcome.query.judgments[id] ?? 0})`)
        .join(', ') || '(none)',
    ]),
  );
}

/** A ranker's column name; with the database only when more than one database was evaluated. */
function label(run: RankerRun, runs: readonly RankerRun[]): string {
  const databases = new Set(runs.map((other) => other.database));
  return databases.size > 1 ? `${run.ranker} (${run.database})` : run.ranker;
}

// ---------------------------------------------------------------------------------------------------------------
// Databases
// ---------------------------------------------------------------------------------------------------------------

interface EvalDatabase {
  handle: DatabaseHandle;
  /** Drops or deletes the throwaway database after the handle is closed. */
  dispose(): Promise<void>;
}

function freshSqlite(): EvalDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'paperboy-eval-'));
  const handle = openDatabase({ dialect: 'sqlite', path: join(dir, 'eval.db') });
  return { handle, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
}

/** A new database on the PostgreSQL server of `serverUrl`, dropped afterwards. */
async function freshPostgres(serverUrl: string): Promise<EvalDatabase> {
  const name = `paperboy_eval_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = openDatabase({ dialect: 'postgres', url: url.toString() });
  return { handle, dispose: () => admin(`drop database if exists ${name}`) };
}

/** Loads the corpus files through the importer; returns how many papers the database then holds. */
async function loadCorpus(store: PaperStore, files: readonly string[]): Promise<number> {
  for (const file of files) {
    const summary = await importStream(store, await openFileInput(join(REPO_ROOT, file)), { timeZone: 'UTC' });
    if (summary.stopped) throw new Error(`${file} stopped at ${summary.stopped.position}: ${summary.stopped.reason}`);
  }
  return store.countPapers();
}

/**
 * Every ranker of RANKERS on a fresh SQLite database loaded with the judged set's corpus (what the tests check:
 * fused beats lexical).
 */
export async function evaluateOnSqlite(
  set: JudgedSet,
  corpusSize: number,
  embedder: Embedder,
  log: (line: string) => void = () => {},
): Promise<RankerRun[]> {
  const database = freshSqlite();
  try {
    return (await runOnDatabase(database, set, corpusSize, embedder, { sweep: false }, log)).runs;
  } finally {
    await database.handle.close();
    await database.dispose();
  }
}

interface DatabaseResults {
  runs: RankerRun[];
  sweep: SweepPoint[];
}

async function runOnDatabase(
  database: EvalDatabase,
  set: JudgedSet,
  corpusSize: number,
  embedder: Embedder,
  options: { sweep: boolean },
  log: (line: string) => void,
): Promise<DatabaseResults> {
  const { db, dialect } = database.handle;
  await migrateToLatest(db);
  const store = new KyselyPaperStore(db);
  let started = performance.now();
  const stored = await loadCorpus(store, set.corpus);
  if (stored !== corpusSize) throw new Error(`the ${dialect} database holds ${stored} papers, not ${corpusSize}`);
  log(`${dialect}: ${stored} papers loaded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  started = performance.now();
  const semantic = await corpusSemantic(db, embedder);
  const seconds = (performance.now() - started) / 1000;
  log(`${dialect}: ${stored} papers embedded with ${embedder.id} in ${seconds.toFixed(1)} s`);
  const lexical = createLexicalSearch(db, dialect);
  const rankers = new Map<string, Ranker>();
  const runs: RankerRun[] = [];
  for (const entry of RANKERS) {
    const rank = await entry.create({ db, dialect, store, lexical, depth: RANK_DEPTH, rankers, semantic });
    rankers.set(entry.name, { name: entry.name, rank });
    runs.push({ ranker: entry.name, database: dialect, outcomes: await evaluateRanker(rank, set.queries) });
  }
  const sweep = options.sweep ? await sweepFusion({ db, store, lexical, semantic }, set.queries, dialect) : [];
  return { runs, sweep };
}

// ---------------------------------------------------------------------------------------------------------------
// The fusion sweep (--sweep): every method and lexical weight of search/fusion.ts on the same two rankings
// ---------------------------------------------------------------------------------------------------------------

export const SWEEP_METHODS: readonly FusionMethod[] = ['minmax', 'max', 'rrf'];
export const SWEEP_WEIGHTS = [0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1];
/** How deep each ranking is taken before fusing (as commands/search.ts does). */
const SWEEP_DEPTH = 100;

export interface SweepPoint {
  database: DialectName;
  method: FusionMethod;
  lexicalWeight: number;
  ndcg: number | null;
  recall: number | null;
}

async function sweepFusion(
  deps: { db: Kysely<Database>; store: PaperStore; lexical: LexicalSearch; semantic: CorpusSemanticSearch },
  queries: readonly JudgedQuery[],
  database: DialectName,
): Promise<SweepPoint[]> {
  // Both rankings once per query; each point only re-fuses them.
  const rankings = await Promise.all(
    queries.map(async (query) => {
      const parsed = parseSearchQuery(query.text);
      if (!parsed.ok) return { query, lexical: [], semantic: [] };
      const page = { limit: SWEEP_DEPTH, offset: 0 };
      return {
        query,
        lexical: await deps.lexical.search(parsed.query, page),
        semantic: await deps.semantic.search(parsed.query, page),
      };
    }),
  );
  const points: SweepPoint[] = [];
  for (const method of SWEEP_METHODS) {
    for (const lexicalWeight of SWEEP_WEIGHTS) {
      const outcomes = await evaluateRanker(async (queryText) => {
        const ranking = rankings.find((entry) => entry.query.text === queryText)!;
        const fused = fuseRankings(ranking.lexical, ranking.semantic, { limit: SWEEP_DEPTH, method, lexicalWeight });
        // Through searchPapers for the exact id/title rule, with the fused list standing in for the lexical index.
        const fixed: LexicalSearch = { search: async () => fused };
        try {
          const result = await searchPapers(
            { store: deps.store, db: deps.db, lexical: fixed },
            { q: queryText, limit: SWEEP_DEPTH, offset: 0 },
          );
          return result.items.map((item) => item.paper.id);
        } catch (error) {
          if (error instanceof HttpError && error.statusCode === 400) return [];
          throw error;
        }
      }, queries);
      const summary = summarize(outcomes);
      points.push({ database, method, lexicalWeight, ndcg: summary.ndcg, recall: summary.recall });
    }
  }
  return points;
}

export function formatSweepTable(points: readonly SweepPoint[]): string {
  const databases = [...new Set(points.map((point) => point.database))];
  const methods = [...new Set(points.map((point) => point.method))];
  const weights = [...new Set(points.map((point) => point.lexicalWeight))];
  return table(
    ['method', 'lexical weight', ...databases.map((database) => `${database} nDCG@${CUTOFF} / recall@${CUTOFF}`)],
    methods.flatMap((method) =>
      weights.map((weight) => [
        method,
        String(weight),
        ...databases.map((database) => {
          const point = points.find(
            (candidate) =>
              candidate.database === database && candidate.method === method && candidate.lexicalWeight === weight,
          );
          return point ? `${figure(point.ndcg)} / ${figure(point.recall)}` : '–';
        }),
      ]),
    ),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------------------------------------------

const USAGE = `usage: npm run eval:search [-- --verbose] [-- --postgres postgres://user@host:port/db]
  --verbose         also print one row per query
  --postgres URL    also evaluate on a fresh database created (and dropped) on this PostgreSQL server
  --queries FILE    another judged set (default eval/search/queries.json)
  --model DIR       evaluate this ONNX sentence-embedding model folder instead of the offline default embedder
  --sweep           also print nDCG@10 / recall@10 for every fusion method and lexical weight`;

export async function main(argv: readonly string[]): Promise<number> {
  let options: {
    verbose?: boolean;
    postgres?: string;
    queries?: string;
    model?: string;
    sweep?: boolean;
    help?: boolean;
  };
  try {
    options = parseArgs({
      args: [...argv],
      options: {
        verbose: { type: 'boolean', short: 'v' },
        postgres: { type: 'string' },
        queries: { type: 'string' },
        model: { type: 'string' },
        sweep: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const log = (line: string) => console.error(line);

  let set: JudgedSet;
  try {
    set = loadJudgedSet(options.queries ?? QUERIES_PATH);
  } catch (error) {
    console.error(`cannot read the judged set: ${(error as Error).message}`);
    return 1;
  }
  const titles = await readCorpus(Array.isArray(set.corpus) ? set.corpus : []);
  const problems = validateJudgedSet(set, new Set(titles.keys()));
  if (problems.length > 0) {
    console.error(`The judged set is not usable (${problems.length} problems):`);
    for (const problem of problems) console.error(`  - ${problem}`);
    return 1;
  }

  const databases: Array<() => EvalDatabase | Promise<EvalDatabase>> = [freshSqlite];
  if (options.postgres) {
    const serverUrl = options.postgres;
    databases.push(() => freshPostgres(serverUrl));
    log(`PostgreSQL: a throwaway database on ${redact(serverUrl)}`);
  }
  let embedder: Embedder;
  try {
    embedder = options.model
      ? await createOnnxEmbedder(options.model, { log })
      : await createDefaultEmbedder(process.env.PAPERBOY_CACHE_DIR || join(REPO_ROOT, 'data/cache'), { log });
  } catch (error) {
    console.error(`cannot load the embedder: ${(error as Error).message}`);
    return 1;
  }
  const runs: RankerRun[] = [];
  const sweep: SweepPoint[] = [];
  try {
    for (const open of databases) {
      const database = await open();
      try {
        const results = await runOnDatabase(
          database,
          set,
          titles.size,
          embedder,
          { sweep: options.sweep === true },
          log,
        );
        runs.push(...results.runs);
        sweep.push(...results.sweep);
      } finally {
        await database.handle.close();
        await database.dispose();
      }
    }
  } finally {
    await embedder.close();
  }

  const judgments = set.queries.reduce((sum, query) => sum + Object.keys(query.judgments).length, 0);
  const shared = set.queries.map((query) => sharedTitleWords(query, titles).length);
  const styles = QUERY_STYLES.map((style) => [style, set.queries.filter((query) => query.style === style).length])
    .filter(([, count]) => count !== 0)
    .map(([style, count]) => `${count} ${style}`)
    .join(', ');
  console.log(
    [
      `Judged set: ${set.queries.length} queries (${styles}), ${judgments} judgments;` +
        ` ${shared.filter((count) => count === 0).length} queries share no word and` +
        ` ${shared.filter((count) => count === 1).length} share one word with the titles of their grade-3 papers.`,
      `Corpus: ${titles.size} papers (${set.corpus.join(', ')}).`,
      `nDCG@${CUTOFF} with gains 2^grade - 1; recall@${CUTOFF} and MRR over papers graded ${RECALL_MIN_GRADE} or 3.`,
      `Embedder: ${embedder.id}.`,
      '',
      formatSummaryTable(runs),
      '',
      formatStyleTable(runs),
    ].join('\n'),
  );
  if (sweep.length > 0) console.log(`\nFusion sweep (search/fusion.ts):\n\n${formatSweepTable(sweep)}`);
  if (options.verbose) console.log(`\n${formatQueryTable(runs)}`);
  return 0;
}

// Vitest imports this module for its checks; only a real run evaluates.
if (process.env.VITEST === undefined) {
  process.exitCode = await main(process.argv.slice(2));
}
