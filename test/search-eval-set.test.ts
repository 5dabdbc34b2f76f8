/**
 * The judged search set (eval/search/queries.json) is well formed: every judged id is a paper of the corpus files,
 * there are at least 30 queries, each has a paper graded 2 or 3, and many are worded unlike the titles they want.
 * Also checks that the runner's validation catches a bad set, since `npm run eval:search` relies on it to refuse one,
 * and that fusing the offline embedder's ranking with the lexical one beats lexical search alone on the set.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  evaluateOnSqlite,
  type JudgedSet,
  loadJudgedSet,
  MIN_QUERIES,
  type RankerRun,
  readCorpus,
  sharedTitleWords,
  summarize,
  validateJudgedSet,
} from '../eval/run-search-eval.ts';
import { defaultTestEmbedder } from './support/embedders.ts';

describe('the judged search set', () => {
  let set: JudgedSet;
  let titles: Map<string, string>;

  beforeAll(async () => {
    set = loadJudgedSet();
    titles = await readCorpus(set.corpus);
  });

  it('is read from the sample papers and the three distractor files', () => {
    expect(set.corpus).toEqual([
      'sample-data/seed-papers.jsonl',
      'test/fixtures/arxiv/kaggle-snapshot-200.jsonl',
      'test/fixtures/arxiv/oai-arxivraw-1000.xml',
      'test/fixtures/arxiv/api/search-testing-100.xml',
    ]);
    // 48 + 200 + 999 (one OAI-PMH record of the page is deleted) + 100, no id twice.
    expect(titles.size).toBe(1347);
  });

  it('is well formed: known ids, grades 1-3, at least 30 queries, each with a paper graded 2 or 3', () => {
    expect(validateJudgedSet(set, new Set(titles.keys()))).toEqual([]);
    expect(set.queries.length).toBeGreaterThanOrEqual(30);
    for (const query of set.queries) {
      for (const id of Object.keys(query.judgments)) expect(titles.has(id), `${query.id}: ${id}`).toBe(true);
      expect(
        Object.values(query.judgments).some((grade) => grade >= 2),
        query.id,
      ).toBe(true);
    }
  });

  it('is mostly about the sample papers, and mostly not worded like their titles', () => {
    const sampleIds = new Set([...titles.keys()].slice(0, 48));
    const aboutSample = set.queries.filter((query) =>
      Object.entries(query.judgments).some(([id, grade]) => grade === 3 && sampleIds.has(id)),
    );
    expect(aboutSample.length).toBeGreaterThanOrEqual(30);
    const fewShared = set.queries.filter((query) => sharedTitleWords(query, titles).length <= 1);
    expect(fewShared.length).toBeGreaterThanOrEqual(set.queries.length / 3);
    const styles = new Set(set.queries.map((query) => query.style));
    for (const style of ['keyword', 'paraphrase', 'author', 'misspelling', 'acronym']) expect(styles).toContain(style);
  });

  it('counts only words worth searching for as shared with a title', () => {
    const query = { id: 'q', text: 'the solver for DPM', style: 'keyword' as const, judgments: { a: 3, b: 2 } };
    const known = new Map([
      ['a', 'DPM-Solver: a fast ODE solver'],
      ['b', 'The diffusion models'],
    ]);
    expect(sharedTitleWords(query, known)).toEqual(['solver', 'dpm']);
  });
});

describe('the rankers on the judged set (SQLite, the offline default embedder)', () => {
  let runs: RankerRun[];

  beforeAll(async () => {
    const set = loadJudgedSet();
    const titles = await readCorpus(set.corpus);
    runs = await evaluateOnSqlite(set, titles.size, await defaultTestEmbedder());
  }, 120_000);

  const figures = (ranker: string) => summarize(runs.find((run) => run.ranker === ranker)!.outcomes);

  it('evaluates lexical, semantic and fused search on every query', () => {
    expect(runs.map((run) => run.ranker)).toEqual(['lexical', 'semantic', 'fused']);
    for (const run of runs) expect(run.outcomes).toHaveLength(loadJudgedSet().queries.length);
  });

  it('fuses into a better ranking than lexical search alone (nDCG@10 and recall@10)', () => {
    const lexical = figures('lexical');
    const fused = figures('fused');
    expect(fused.ndcg!).toBeGreaterThan(lexical.ndcg!);
    expect(fused.recall!).toBeGreaterThanOrEqual(lexical.recall!);
    // The word-vector embedder alone is far weaker: that is why the fusion weights it lightly.
    expect(figures('semantic').ndcg!).toBeLessThan(lexical.ndcg!);
  });
});

describe('judged set validation', () => {
  const corpus = new Set(['2206.00927', '2211.01095']);
  const queries = (count: number) =>
    Array.from({ length: count }, (_, i) => ({
      id: `query-${i}`,
      text: `diffusion sampler ${i}`,
      style: 'keyword',
      judgments: { '2206.00927': 3 },
    }));

  it('accepts a well-formed set', () => {
    expect(validateJudgedSet({ corpus: ['x.jsonl'], queries: queries(30) }, corpus)).toEqual([]);
  });

  it('names unknown ids, bad grades, queries without a relevant paper, repeats and too few queries', () => {
    const bad = queries(29);
    bad[0]!.judgments = { '9999.99999': 3 } as never;
    bad[1]!.judgments = { '2206.00927': 1 } as never;
    bad[2]!.judgments = { '2206.00927': 4, '2211.01095': 2 } as never;
    bad[3]!.id = 'query-4';
    bad[5]!.text = 'Diffusion Sampler 6';
    bad[7]!.style = 'telepathy';
    bad[8]!.text = '"" ***';
    const problems = validateJudgedSet({ corpus: ['x.jsonl'], queries: bad }, corpus);
    expect(problems).toEqual(
      expect.arrayContaining([
        '29 queries: at least 30 are needed',
        'query "query-0": 9999.99999 is not in the corpus',
        'query "query-1": no paper is graded 2 or 3',
        'query "query-2": 2206.00927 has grade 4, not 1, 2 or 3',
        'query "query-4": the id is used twice',
        'query "query-6": the same text is judged twice',
        expect.stringMatching(/^query "query-7": "style" must be one of/),
        expect.stringMatching(/^query "query-8": the search box refuses the text/),
      ]),
    );
    expect(problems).toHaveLength(8);
    expect(MIN_QUERIES).toBe(30);
  });

  it('refuses something that is not a judged set at all', () => {
    expect(validateJudgedSet(null, corpus)).toEqual(['the judged set is not a JSON object']);
    expect(validateJudgedSet({ corpus: [], queries: {} }, corpus)).toEqual([
      '"corpus" must list the corpus files',
      '"queries" must be an array',
    ]);
  });
});
