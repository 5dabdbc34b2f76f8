/**
 * Submitting papers through the API and the /submit form, on SQLite and PostgreSQL, with metadata fetched over real
 * HTTP from the replay of arXiv's recorded answers. Every refusal is checked to leave the database as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayInTimeZone } from '../src/domain/announcement.ts';
import { type ArxivApiClient, createArxivApiClient } from '../src/ingest/arxiv-api-client.ts';
import { createPerson, type TestPerson } from './support/accounts.ts';
import { createTestApp, type TestApp, testRecord } from './support/app.ts';
import { type ArxivReplay, startArxivReplay } from './support/arxiv-replay.ts';
import { databaseKinds } from './support/databases.ts';

const TIME_ZONE = 'America/New_York';
const SUBMISSIONS_PER_DAY = 3;
/** Catalogue papers the pasted forms point at (no arXiv request needed). */
const PASTED_FORMS: [string, string][] = [
  ['2301.00001', '2301.00001'],
  ['2301.00002v2', '2301.00002'],
  ['arXiv:2301.00003v2', '2301.00003'],
  ['arxiv.org/abs/2301.00004', '2301.00004'],
  ['https://arxiv.org/abs/2301.00005v2', '2301.00005'],
  ['http://export.arxiv.org/abs/2301.00006', '2301.00006'],
  ['https://arxiv.org/pdf/2301.00007v2', '2301.00007'],
  ['https://arxiv.org/pdf/2301.00008v2.pdf', '2301.00008'],
  ['https://www.arxiv.org/abs/2301.00009', '2301.00009'],
  ['https://huggingface.co/papers/2301.00010', '2301.00010'],
  [' <https://arxiv.org/abs/2301.00011> ', '2301.00011'],
  ['hep-th/9901001', 'hep-th/9901001'],
  ['math.AG/0601001v1', 'math.AG/0601001'],
  ['https://arxiv.org/abs/hep-th/9901002', 'hep-th/9901002'],
];

let replay: ArxivReplay;
let arxiv: ArxivApiClient;

beforeAll(async () => {
  replay = await startArxivReplay();
  arxiv = createArxivApiClient({
    endpoint: replay.url,
    baseUrl: 'http://papers.test',
    minRequestSpacingMs: 20,
    backoffBaseMs: 20,
    requestTimeoutMs: 500,
    maxAttempts: 3,
  });
});
afterAll(async () => {
  await arxiv?.close();
  await replay?.close();
});

describe.each(databaseKinds())('submitting papers on $name', (kind) => {
  /** Old papers allowed for everyone, rate limits off, a small daily quota. */
  let t: TestApp;
  /** The shipped rules: the 14-day window and the rate limits. */
  let strict: TestApp;
  let admin: TestPerson;
  let member: TestPerson;

  beforeAll(async () => {
    if (!kind.available) return;
    t = await createTestApp(
      kind,
      undefined,
      {
        PAPERBOY_SUBMISSION_MAX_AGE_DAYS: '36500',
        PAPERBOY_SUBMISSIONS_PER_DAY: String(SUBMISSIONS_PER_DAY),
        PAPERBOY_RATE_LIMITS: '0',
        PAPERBOY_TIMEZONE: TIME_ZONE,
      },
      { arxiv },
    );
    strict = await createTestApp(kind, undefined, {}, { arxiv });
    admin = await createPerson(t, { role: 'admin' });
    member = await createPerson(t);
    await t.store.upsertPapers(
      [...PASTED_FORMS.map(([, id]) => id), '2302.00001', '2302.00002', '2302.00003', '2302.00004', '2302.00005'].map(
        (id) => testRecord(id),
      ),
    );
    await t.store.upsertPapers(['2303.00001', '2303.00002', '2303.00003', '2303.00004'].map((id) => testRecord(id)));
  });
  afterAll(async () => {
    await t?.close();
    await strict?.close();
  });

  const submit = (app: TestApp, headers: Record<string, string>, payload: Record<string, unknown>) =>
    app.app.inject({ method: 'POST', url: '/api/papers/submit', headers, payload });

  async function counts(app: TestApp = t) {
    const listings = await app.database.db
      .selectFrom('listings')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const version = await app.store.dataVersion();
    return { papers: await app.store.countPapers(), listings: Number(listings.n), version };
  }

  /** Runs `act` and checks that it was refused with `status`, `code` and a sentence, and stored nothing. */
  async function expectRefused(
    act: () => ReturnType<typeof submit>,
    status: number,
    code: string,
    message: RegExp,
    app: TestApp = t,
  ) {
    const before = await counts(app);
    const res = await act();
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ error: code, message: expect.stringMatching(message) });
    expect(res.headers['x-error-message']).toBeTruthy();
    expect(await counts(app)).toEqual(before);
    return res;
  }

  it.skipIf(!kind.available)('accepts every way people paste a paper, without asking arXiv again', async () => {
    const requestsBefore = replay.requests.length;
    const today = dayInTimeZone(new Date(), TIME_ZONE);
    for (const [pasted, id] of PASTED_FORMS) {
      const res = await submit(t, admin.bearer, { paperId: pasted });
      expect(res.statusCode, pasted).toBe(201);
      expect(res.json().paper.id).toBe(id);
      const listing = await t.store.getListing(id);
      expect(listing).toMatchObject({ source: 'user', submittedByUserId: admin.user.id, listedOn: today });
    }
    expect(replay.requests.length).toBe(requestsBefore);
  });

  it.skipIf(!kind.available)('answers 201 with the daily item, naming the submitter', async () => {
    const before = Date.now();
    const res = await submit(t, member.bearer, {
      paperId: '2302.00001',
      comment: '  A clear read.  ',
      githubRepo: 'https://github.com/example/solver.git',
      projectPage: 'https://example.org/solver',
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers.location).toBe('http://papers.test/api/papers/2302.00001');
    const item = res.json();
    expect(item).not.toHaveProperty('id');
    expect(item).toMatchObject({
      title: 'Title of 2302.00001',
      numComments: 0,
      submittedBy: { name: member.user.username, type: 'user' },
      paper: {
        id: '2302.00001',
        upvotes: 0,
        githubRepo: 'https://github.com/example/solver',
        projectPage: 'https://example.org/solver',
        submittedOnDailyBy: { user: member.user.username },
      },
    });
    expect(Date.parse(item.publishedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(item.publishedAt).toMatch(/Z$/);
    expect((await t.store.getListing('2302.00001'))?.comment).toBe('A clear read.');
    // The feed shows it at once: the write bumped the data version the response cache keys on.
    const today = dayInTimeZone(new Date(), TIME_ZONE);
    const feed = (await t.app.inject({ method: 'GET', url: `/api/daily_papers?date=${today}` })).json();
    expect(feed.map((i: { paper: { id: string } }) => i.paper.id)).toContain('2302.00001');
  });

  it.skipIf(!kind.available)('is described in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const operation = doc.paths['/api/papers/submit']?.post;
    expect(operation?.summary).toBe('Submit a paper to the daily feed');
    expect(operation?.requestBody.content['application/json'].schema.required).toEqual(['paperId']);
  });

  it.skipIf(!kind.available)('fetches metadata it does not have from arXiv, with the instance User-Agent', async () => {
    const requestsBefore = replay.requests.length;
    const res = await submit(t, admin.bearer, { paperId: 'https://arxiv.org/abs/1605.08386v1' });
    expect(res.statusCode).toBe(201);
    expect(res.json().paper).toMatchObject({
      id: '1605.08386',
      title: 'Heat-bath random walks with Markov bases',
      publishedAt: '2016-05-26T17:59:46.000Z',
    });
    const asked = replay.requests.slice(requestsBefore);
    expect(asked).toHaveLength(1);
    expect(asked[0]?.ids).toEqual(['1605.08386']);
    expect(asked[0]?.headers['user-agent']).toBe('Paperboy/0.1 (+http://papers.test)');
    expect((await t.store.getPaper('1605.08386'))?.authors).toEqual(['Caprice Stanley', 'Tobias Windisch']);
  });

  it.skipIf(!kind.available)('refuses malformed references and fields, storing nothing', async () => {
    const someone = await createPerson(t);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ paperId: '0811.36489' }, /ids from 0811 have 4 digits/],
      [{ paperId: 'https://example.org/abs/2303.00001' }, /links to example\.org are not accepted/],
      [{ paperId: 'not a paper' }, /contains spaces/],
      [{ paperId: '2303.00001', githubRepo: 'https://gitlab.com/a/b' }, /GitHub repository must be/],
      [{ paperId: '2303.00001', projectPage: 'javascript:alert(1)' }, /project page must be a web address/],
    ];
    for (const [payload, message] of cases) {
      const res = await expectRefused(
        () => submit(t, someone.bearer, payload),
        400,
        expect.any(String) as never,
        message,
      );
      expect(['invalid_id', 'invalid_parameter']).toContain(res.json().error);
    }
    await expectRefused(
      () => submit(t, someone.bearer, { paperId: '2303.00001', comment: 'x'.repeat(501) }),
      400,
      'invalid_parameter',
      /comment' must be at most 500 characters/,
    );
    await expectRefused(() => submit(t, someone.bearer, {}), 400, 'invalid_parameter', /paperId' is required/);
  });

  it.skipIf(!kind.available)('refuses an id arXiv does not know (its empty answer) with 404', async () => {
    await expectRefused(
      () => submit(t, admin.bearer, { paperId: 'arXiv:2401.99999' }),
      404,
      'paper_not_found',
      /arXiv does not know a paper 2401\.99999/,
    );
  });

  it.skipIf(!kind.available)('lists a paper once: a second submission is a 409 naming the day', async () => {
    const today = dayInTimeZone(new Date(), TIME_ZONE);
    const res = await expectRefused(
      () => submit(t, admin.bearer, { paperId: 'https://arxiv.org/pdf/2301.00001v3.pdf' }),
      409,
      'already_listed',
      new RegExp(`already on the daily feed: it was listed on ${today} \\(http://papers\\.test/papers/2301\\.00001\\)`),
    );
    expect(res.json().message).toContain(today);
  });

  it.skipIf(!kind.available)('lets exactly one of two simultaneous submitters list a paper', async () => {
    const [ada, bob] = [await createPerson(t), await createPerson(t)];
    const before = await counts();
    const answers = await Promise.all([
      submit(t, ada.bearer, { paperId: '1707.08567' }),
      submit(t, bob.bearer, { paperId: 'arXiv:1707.08567v1' }),
    ]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([201, 409]);
    const after = await counts();
    expect(after.listings).toBe(before.listings + 1);
    expect(after.papers).toBe(before.papers + 1);
    // And at the store itself, where the transaction decides.
    const listing = (userId: number) => ({
      paperId: '2303.00004',
      listedOn: '2030-01-01',
      submittedAt: '2030-01-01T12:00:00.000Z',
      source: 'user' as const,
      submittedByUserId: userId,
      comment: null,
    });
    const outcomes = await Promise.all(
      [ada, bob].map((p) =>
        t.store.submitPaper({
          record: null,
          listing: listing(p.user.id),
          links: { githubRepo: null, projectPage: null },
          dailyQuota: null,
        }),
      ),
    );
    expect(outcomes.map((o) => o.kind).sort()).toEqual(['already-listed', 'listed']);
  });

  it.skipIf(!kind.available)('keeps the daily quota per person (429), but not for admins', async () => {
    const reader = await createPerson(t);
    for (const id of ['2302.00002', '2302.00003', '2302.00004']) {
      expect((await submit(t, reader.bearer, { paperId: id })).statusCode).toBe(201);
    }
    const res = await expectRefused(
      () => submit(t, reader.bearer, { paperId: '2302.00005' }),
      429,
      'quota_exceeded',
      /already submitted 3 papers today, the most one person may submit in a day/,
    );
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(25 * 3600);
    // The admin has submitted more than 3 today already (the pasted forms).
    expect((await submit(t, admin.bearer, { paperId: '2302.00005' })).statusCode).toBe(201);
  });

  it.skipIf(!kind.available)('refuses anonymous (401) and banned (403) people', async () => {
    const banned = await createPerson(t, { role: 'banned' });
    await expectRefused(() => submit(t, {}, { paperId: '2303.00001' }), 401, 'unauthorized', /Sign in to submit/);
    await expectRefused(() => submit(t, banned.bearer, { paperId: '2303.00001' }), 403, 'banned', /suspended/);
    await expectRefused(() => submit(t, banned.headers, { paperId: '2303.00001' }), 403, 'banned', /suspended/);
  });

  it.skipIf(!kind.available)('takes a session with the CSRF header, and refuses it without', async () => {
    const reader = await createPerson(t);
    await expectRefused(
      () => submit(t, { cookie: reader.cookie }, { paperId: '2303.00001' }),
      403,
      'csrf_failed',
      /did not come from this site/,
    );
    await expectRefused(
      () => submit(t, { cookie: reader.cookie, 'x-csrf-token': 'forged' }, { paperId: '2303.00001' }),
      403,
      'csrf_failed',
      /did not come from this site/,
    );
    expect((await submit(t, reader.headers, { paperId: '2303.00001' })).statusCode).toBe(201);
  });

  describe('when arXiv misbehaves', () => {
    it.skipIf(!kind.available)('waits out a 429 as Retry-After asks, then lists the paper', async () => {
      const from = replay.requests.length;
      replay.failNext({ kind: 'status', status: 429, retryAfter: '1' });
      const res = await submit(t, admin.bearer, { paperId: '2202.12139' });
      expect(res.statusCode).toBe(201);
      const [refused, served] = replay.requests.slice(from);
      expect(refused?.served).toBe('status-429');
      expect(served!.receivedAt - refused!.answeredAt!).toBeGreaterThanOrEqual(999);
    });

    it.skipIf(!kind.available)('answers 503 with Retry-After when arXiv keeps failing, storing nothing', async () => {
      replay.failNext({ kind: 'status', status: 503 }, 3);
      const res = await expectRefused(
        () => submit(t, admin.bearer, { paperId: '2405.13786' }),
        503,
        'upstream_unavailable',
        /arXiv cannot be reached right now.*try again in a few minutes/,
      );
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(180);
    });

    it.skipIf(!kind.available)('retries a request that times out', async () => {
      replay.failNext({ kind: 'hang' });
      expect((await submit(t, admin.bearer, { paperId: '2405.13786' })).statusCode).toBe(201);
    });

    it.skipIf(!kind.available)('answers 503 when arXiv serves HTML error pages', async () => {
      replay.failNext({ kind: 'html', status: 200 }, 3);
      await expectRefused(
        () => submit(t, admin.bearer, { paperId: '2005.14124' }),
        503,
        'upstream_unavailable',
        /try again in a few minutes/,
      );
    });
  });

  describe('with the shipped rules', () => {
    it.skipIf(!kind.available)('keeps papers older than 14 days for admins', async () => {
      const [reader, curator] = [await createPerson(strict), await createPerson(strict, { role: 'admin' })];
      await expectRefused(
        () => submit(strict, reader.bearer, { paperId: '1605.08386' }),
        403,
        'too_old',
        /first published on 2016-05-26, more than 14 days ago; only admins may submit older papers/,
        strict,
      );
      const res = await submit(strict, curator.bearer, { paperId: '1605.08386' });
      expect(res.statusCode).toBe(201);
      expect(res.json().submittedBy.name).toBe(curator.user.username);
    });

    it.skipIf(!kind.available)('rate-limits submissions per person (429 with Retry-After)', async () => {
      const curator = await createPerson(strict, { role: 'admin' });
      const statuses: number[] = [];
      for (let i = 0; i < 11; i += 1)
        statuses.push((await submit(strict, curator.bearer, { paperId: 'x' })).statusCode);
      expect(statuses.slice(0, 10)).toEqual(Array(10).fill(400));
      const limited = await submit(strict, curator.bearer, { paperId: 'x' });
      expect(limited.statusCode).toBe(429);
      expect(limited.json().error).toBe('rate_limited');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    });
  });
});
