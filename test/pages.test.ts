/**
 * The HTML pages, in process with `app.inject`, on a real database (SQLite, and PostgreSQL when the run has one):
 * the daily feed by day, week, month and latest day, paging, empty periods, the paper page for both id styles,
 * server-rendered math, escaping, and a friendly 400/404 page for every bad address, never a 500.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PaperRecord } from '../src/domain/paper.ts';
import { readSampleRecords } from '../src/ingest/sample-data.ts';
import { KATEX_VERSION } from '../src/web/tex.ts';
import { createTestApp, type TestApp, testListing, testRecord } from './support/app.ts';
import { databaseKinds } from './support/databases.ts';

const SNAPSHOT_FIXTURE = join(import.meta.dirname, 'fixtures', 'arxiv', 'kaggle-snapshot-200.jsonl');

/** Papers on the paging day: more than one page of 50. */
const PAGING_DAY_PAPERS = 55;

/** The listing days of the seeded feed (2024-03-02 and 03 are a weekend with nothing listed). */
const DAYS = {
  paging: '2024-01-15',
  thursday: '2024-02-29',
  friday: '2024-03-01',
  monday: '2024-03-04',
};

function pagingRecords(): PaperRecord[] {
  return Array.from({ length: PAGING_DAY_PAPERS }, (_, i) =>
    testRecord(`2401.${String(i + 1).padStart(5, '0')}`, { title: `Paging paper number ${i + 1}` }),
  );
}

const hostile = testRecord('2402.00666', {
  title: '<script>alert("title")</script> An attack on $x<y$',
  abstract:
    'Text <img src=x onerror=alert(1)> then $\\foo<script>alert(2)</script>$ and \\href{javascript:alert(3)}{here}.',
  authors: ['<b>Mallory</b>', 'Eve "quote" O\'Hare'],
  comments: '<iframe src="https://evil.example"></iframe>',
  githubRepo: 'javascript:alert(4)',
  projectPage: 'https://ok.example/" onmouseover="alert(5)',
});

const manyAuthors = testRecord('2402.00777', {
  title: 'A large collaboration',
  authors: Array.from({ length: 12 }, (_, i) => `Author ${i + 1}`),
  versions: [],
});

describe.each(databaseKinds())('pages on $name', (kind) => {
  let t: TestApp;
  let fixtures: Map<string, PaperRecord>;

  beforeAll(async () => {
    if (!kind.available) return;
    t = await createTestApp(kind);
    fixtures = new Map((await readSampleRecords(SNAPSHOT_FIXTURE)).map((record) => [record.id, record]));
    const fromFixture = ['0704.0001', '0704.0002', '0704.0003', '0704.0004', '0704.0005', '0704.0006', '0704.0110'];
    await t.store.upsertPapers([
      ...fromFixture.map((id) => fixtures.get(id)!),
      ...pagingRecords(),
      hostile,
      manyAuthors,
      testRecord('hep-th/9901001', { title: 'An old-style paper', versions: [{ version: 1, created: '1999-01-04' }] }),
      testRecord('math.AG/0601001', { title: 'An old-style paper with a subject class' }),
    ]);
    await t.store.addListings([
      ...pagingRecords().map((r, i) =>
        testListing(r.id, DAYS.paging, `${DAYS.paging}T10:${String(i).padStart(2, '0')}:00.000Z`),
      ),
      testListing('0704.0001', DAYS.thursday, `${DAYS.thursday}T09:00:00.000Z`),
      testListing('0704.0002', DAYS.thursday, `${DAYS.thursday}T11:00:00.000Z`),
      testListing('0704.0003', DAYS.thursday, `${DAYS.thursday}T10:00:00.000Z`),
      testListing('0704.0004', DAYS.friday),
      testListing('0704.0005', DAYS.friday),
      testListing('2402.00666', DAYS.friday),
      testListing('2402.00777', DAYS.friday),
      testListing('0704.0006', DAYS.monday),
      testListing('hep-th/9901001', DAYS.monday),
    ]);
  });
  afterAll(async () => {
    await t?.close();
  });

  const get = (url: string) => t.app.inject({ method: 'GET', url });
  /** The arXiv ids of the cards on a feed page, in order. */
  const cardIds = (html: string) =>
    [...html.matchAll(/<h2 class="card-title" id="[^"]*"><a href="\/papers\/([^"]+)"/g)].map((m) => m[1]);
  const linkTo = (html: string, href: string) => html.includes(`href="${href}"`);

  describe.skipIf(!kind.available)('the daily feed', () => {
    it('shows the latest day with papers at /', async () => {
      const res = await get('/');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toMatch(/^public, max-age=60/);
      expect(res.body).toMatch(/^<!doctype html><html lang="en">/);
      expect(res.body).toContain('<title>Latest papers: Monday, 4 March 2024 · Paperboy</title>');
      expect(res.body).toMatch(/<meta name="description" content="2 papers listed on Monday, 4 March 2024/);
      // Same listing time: the store breaks the tie by id.
      expect(cardIds(res.body)).toEqual(['0704.0006', 'hep-th/9901001']);
      expect(linkTo(res.body, '/papers/date/2024-03-01')).toBe(true);
    });

    it('shows a day, most upvoted first then latest listed, with links to each paper and to arXiv', async () => {
      const res = await get('/papers/date/2024-02-29');
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('<h1>Thursday, 29 February 2024</h1>');
      expect(res.body).toContain('3 papers, most upvoted first');
      expect(cardIds(res.body)).toEqual(['0704.0002', '0704.0003', '0704.0001']);
      expect(linkTo(res.body, 'https://arxiv.org/abs/0704.0002')).toBe(true);
      expect(linkTo(res.body, 'https://arxiv.org/pdf/0704.0002')).toBe(true);
      expect(res.body).toContain('<link rel="canonical" href="http://papers.test/papers/date/2024-02-29"/>');
    });

    it('renders the math of titles and abstract excerpts on the server', async () => {
      const res = await get('/papers/date/2024-03-01');
      expect(res.body).toContain('class="katex"');
      expect(res.body).toContain(`/static/katex-${KATEX_VERSION}/katex.min.css`);
      // "From dyadic $\Lambda_{\alpha}$ to $\Lambda_{\alpha}$": no raw TeX left in the title.
      expect(res.body).not.toContain('From dyadic $');
    });

    it('cards show the authors, then et al. with the count, and the accents in Unicode', async () => {
      const friday = await get('/papers/date/2024-03-01');
      expect(friday.body).toContain(
        'Author 1, Author 2, Author 3, Author 4<span class="et-al"> et al. (12 authors)</span>',
      );
      const thursday = await get('/papers/date/2024-02-29');
      expect(thursday.body).toContain('C. Balázs, E. L. Berger, P. M. Nadolsky, C.-P. Yuan');
      expect(thursday.body).toContain('<li class="category primary">math.CO</li><li class="category">cs.CG</li>');
    });

    it('links the nearest earlier and later days with papers, and the week and month', async () => {
      const res = await get('/papers/date/2024-02-29');
      expect(res.body).toMatch(/<a class="step step-previous" href="\/papers\/date\/2024-01-15" rel="prev">/);
      expect(res.body).toMatch(/<a class="step step-next" href="\/papers\/date\/2024-03-01" rel="next">/);
      expect(linkTo(res.body, '/papers/week/2024-W09')).toBe(true);
      expect(linkTo(res.body, '/papers/month/2024-02')).toBe(true);
      const monday = await get('/papers/date/2024-03-04');
      expect(monday.body).toContain('No later papers');
      expect(monday.body).not.toContain('rel="next"');
    });

    it('shows a week and a month', async () => {
      const week = await get('/papers/week/2024-W09');
      expect(week.statusCode).toBe(200);
      expect(week.body).toContain('<h1>Week 9 of 2024 (26 Feb – 3 Mar)</h1>');
      expect(cardIds(week.body)).toHaveLength(7);
      expect(week.body).toMatch(/href="\/papers\/week\/2024-W03" rel="prev"/);
      expect(week.body).toMatch(/href="\/papers\/week\/2024-W10" rel="next"/);
      const month = await get('/papers/month/2024-03');
      expect(month.body).toContain('<h1>March 2024</h1>');
      expect(cardIds(month.body)).toHaveLength(6);
      expect(month.body).toMatch(/href="\/papers\/month\/2024-02" rel="prev"/);
    });

    it('says when a day is empty and links the nearest days with papers', async () => {
      const res = await get('/papers/date/2024-03-02');
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('No papers were listed on this day');
      expect(res.body).toContain('<a href="/papers/date/2024-03-01">Friday, 1 March 2024</a>');
      expect(res.body).toContain('<a href="/papers/date/2024-03-04">Monday, 4 March 2024</a>');
      expect(cardIds(res.body)).toEqual([]);
    });

    it('pages a big period 50 papers at a time', async () => {
      const first = await get('/papers/date/2024-01-15');
      expect(cardIds(first.body)).toHaveLength(50);
      expect(first.body).toContain('55 papers, most upvoted first');
      expect(first.body).toContain('<ol class="paper-list" start="1">');
      expect(first.body).toMatch(/<a class="page-step" href="\/papers\/date\/2024-01-15\?p=2" rel="next">/);
      const second = await get('/papers/date/2024-01-15?p=2');
      expect(second.statusCode).toBe(200);
      expect(second.body).toContain('<ol class="paper-list" start="51">');
      expect(second.body).toContain('<title>Papers: Monday, 15 January 2024, page 2 of 2 · Paperboy</title>');
      expect(cardIds(second.body)).toHaveLength(5);
      expect(new Set([...cardIds(first.body), ...cardIds(second.body)]).size).toBe(PAGING_DAY_PAPERS);
      expect(second.body).toMatch(/<a class="page-step" href="\/papers\/date\/2024-01-15" rel="prev">/);
    });

    it('answers a page past the end with a 404 page and a malformed page number with a 400 page', async () => {
      expect((await get('/papers/date/2024-01-15?p=3')).statusCode).toBe(404);
      expect((await get('/papers/date/2024-03-02?p=2')).statusCode).toBe(404);
      for (const p of ['0', '-1', 'abc', '1.5', '99999999999']) {
        const res = await get(`/papers/date/2024-01-15?p=${p}`);
        expect(res.statusCode, p).toBe(400);
        expect(res.headers['content-type']).toContain('text/html');
      }
    });
  });

  describe.skipIf(!kind.available)('the paper page', () => {
    it('shows everything known about a paper, with its math typeset', async () => {
      const res = await get('/papers/0704.0002');
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toMatch(/^public, max-age=300/);
      const body = res.body;
      expect(body).toContain('<title>Sparsity-certifying Graph Decompositions · Paperboy</title>');
      expect(body).toContain('Ileana Streinu, Louis Theran');
      expect(body).toContain('class="katex"');
      expect(body).not.toContain('$(k,\\ell)$');
      expect(body).toContain('<time datetime="2007-03-31">31 March 2007</time>');
      expect(body).toContain('v2, <time datetime="2008-12-13">13 December 2008</time>');
      expect(body).toContain(
        '<li class="category primary">math.CO<span class="visually-hidden"> (primary)</span></li>',
      );
      expect(body).toContain('To appear in Graphs and Combinatorics');
      expect(body).toContain('arXiv non-exclusive license to distribute');
      expect(body).toContain(
        '<a href="/papers/date/2024-02-29"><time datetime="2024-02-29">29 February 2024</time></a>',
      );
      expect(linkTo(body, 'https://arxiv.org/pdf/0704.0002')).toBe(true);
      expect(linkTo(body, 'https://arxiv.org/abs/0704.0002')).toBe(true);
      expect(body).toContain('<meta name="citation_arxiv_id" content="0704.0002"/>');
    });

    it('links the DOI and shows the journal reference', async () => {
      const res = await get('/papers/0704.0001');
      expect(res.body).toContain('<a class="doi" href="https://doi.org/10.1103/PhysRevD.76.013009">');
      expect(res.body).toContain('Phys.Rev.D76:013009,2007');
      expect(res.body).toContain('C. Balázs');
    });

    it('shows the abstract in paragraphs', async () => {
      const record = testRecord('2402.00888', { abstract: 'First paragraph with $x$.\nSecond paragraph.' });
      await t.store.upsertPapers([record]);
      const res = await get('/papers/2402.00888');
      const abstract = res.body.slice(res.body.indexOf('id="abstract-title"'), res.body.indexOf('</section>'));
      expect(abstract.match(/<p>/g)).toHaveLength(2);
      expect(abstract).toContain('<p>Second paragraph.</p>');
    });

    it('says "unknown" for dates arXiv did not give, never inventing one', async () => {
      const res = await get('/papers/2402.00777');
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('<dt>First version</dt><dd><span class="muted">unknown</span>');
      expect(res.body).toContain('its id dates from February 2024');
      expect(res.body).toContain('<dt>Latest version</dt><dd><span class="muted">unknown</span>');
    });

    it('serves old-style ids, with and without a subject class', async () => {
      const old = await get('/papers/hep-th/9901001');
      expect(old.statusCode).toBe(200);
      expect(old.body).toContain('An old-style paper');
      expect(old.body).toContain('<time datetime="1999-01-04">4 January 1999</time>');
      const subject = await get('/papers/math.AG/0601001');
      expect(subject.statusCode).toBe(200);
      expect(subject.body).toContain('An old-style paper with a subject class');
    });

    it.each([
      ['/papers/0704.0002v2', '/papers/0704.0002'],
      ['/papers/0704.0002v1', '/papers/0704.0002'],
      ['/papers/hep-th/9901001v3', '/papers/hep-th/9901001'],
      ['/papers/math.AG/0601001v1', '/papers/math.AG/0601001'],
      ['/papers/arXiv:0704.0002', '/papers/0704.0002'],
    ])('redirects %s to the canonical %s', async (from, to) => {
      const res = await get(from);
      expect(res.statusCode).toBe(301);
      expect(res.headers.location).toBe(to);
    });

    it('answers an unknown paper with a 404 page that offers arXiv', async () => {
      const res = await get('/papers/2206.00927');
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body).toContain('Paper 2206.00927 is not in this instance');
      expect(res.body).toContain('<a href="https://arxiv.org/abs/2206.00927">Look for 2206.00927 on arXiv</a>');
    });
  });

  describe.skipIf(!kind.available)('safety', () => {
    it('escapes HTML from titles, abstracts, authors and links', async () => {
      for (const url of ['/papers/2402.00666', '/papers/date/2024-03-01']) {
        const body = (await get(url)).body;
        expect(body, url).not.toMatch(/<script>alert/);
        expect(body, url).not.toContain('<img src=x');
        expect(body, url).not.toContain('<iframe');
        expect(body, url).not.toContain('<b>Mallory');
        expect(body, url).not.toMatch(/href="javascript:/i);
        expect(body, url).not.toContain('" onmouseover=');
        expect(body, url).toContain('&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;');
      }
      const paper = (await get('/papers/2402.00666')).body;
      expect(paper).toMatch(/&lt;b(&gt;|>)Mallory&lt;\/b(&gt;|>)/);
      expect(paper).toContain('<code class="tex-source">$\\foo&lt;script&gt;alert(2)&lt;/script&gt;$</code>');
    });

    it.each([
      '/papers/abc',
      '/papers/..%2F..%2Fetc%2Fpasswd',
      '/papers/2206.00927v99x',
      `/papers/${'x'.repeat(5000)}`,
      `/papers/${'1'.repeat(5000)}`,
      '/papers/2213.00001',
      '/papers/date/2024-02-30',
      '/papers/date/2024-2-3',
      `/papers/date/${'9'.repeat(5000)}`,
      '/papers/week/2024-W99',
      '/papers/week/2024-W00',
      '/papers/month/2024-13',
      '/papers/month/2024-00',
      '/?p=abc',
    ])('answers %s with a friendly 400 page', async (url) => {
      const res = await get(url);
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body).toContain('<h1 id="error-title">Bad request</h1>');
      expect(res.body).toContain('Addresses on this site look like these');
      expect(res.body.length).toBeLessThan(10_000);
    });

    it.each(['/papers/../../etc/passwd', '/papers/date/2024-03-01/extra', '/nothing-here', '/papers/%00'])(
      'answers %s with a 4xx page, never a 500',
      async (url) => {
        const res = await get(url);
        expect(res.statusCode).toBeGreaterThanOrEqual(400);
        expect(res.statusCode).toBeLessThan(500);
        expect(res.headers['content-type']).toContain('text/html');
      },
    );

    it('answers a malformed percent-encoding with a 400, not a 500', async () => {
      // Fastify refuses the URL before routing, so this body is its framework error, not our page.
      expect((await get('/papers/%E0%A4%A')).statusCode).toBe(400);
    });

    it('serves KaTeX stylesheet and fonts from the installed package, and nothing else from it', async () => {
      const css = await get(`/static/katex-${KATEX_VERSION}/katex.min.css`);
      expect(css.statusCode).toBe(200);
      expect(css.headers['content-type']).toContain('text/css');
      expect(css.headers['cache-control']).toContain('immutable');
      const font = await get(`/static/katex-${KATEX_VERSION}/fonts/KaTeX_Main-Regular.woff2`);
      expect(font.statusCode).toBe(200);
      expect((await get(`/static/katex-${KATEX_VERSION}/katex.js`)).statusCode).toBe(404);
      expect((await get(`/static/katex-${KATEX_VERSION}/../package.json`)).statusCode).toBe(404);
    });

    it('serves our stylesheet at the versioned address the pages use', async () => {
      const page = await get('/papers/date/2024-03-01');
      const href = /<link rel="stylesheet" href="(\/static\/style\.css\?v=[0-9a-f]+)"/.exec(page.body)?.[1];
      expect(href).toBeDefined();
      const css = await get(href!);
      expect(css.statusCode).toBe(200);
      expect(css.body).toContain('prefers-color-scheme: dark');
    });
  });
});

describe('pages of an instance with no papers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(databaseKinds()[0]!);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('says the feed is empty and how to fill it', async () => {
    const res = await t.app.inject({ url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('The feed is empty');
    expect(res.body).toContain('paperboy import FILE --feature');
  });

  it('says so on any day too', async () => {
    const res = await t.app.inject({ url: '/papers/date/2024-03-01' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('this instance has no papers on its feed');
  });
});
