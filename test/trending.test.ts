/**
 * The trending ranking on SQLite and PostgreSQL: listings give papers their score, votes move it, the page and
 * `/api/daily_papers?sort=trending` order by it, the page explains it and shows points, and repairs recompute it.
 */
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { todayIn } from '../src/domain/feed-period.ts';
import { NO_ACTIVITY_SCORE, TRENDING_WINDOW_DAYS, trendingScore } from '../src/domain/trending.ts';
import * as migration004 from '../src/storage/migrations/004-trending-scores.ts';
import { recomputeTrending } from '../src/storage/trending-scores.ts';
import { VoteStore } from '../src/storage/vote-store.ts';
import { createPerson, type TestPerson } from './support/accounts.ts';
import { createTestApp, type TestApp, testListing, testRecord } from './support/app.ts';
import { databaseKinds } from './support/databases.ts';

const HOUR_MS = 3_600_000;

/** Papers, with when they were listed and when their votes were cast, in hours before now. */
const NOW_MS = Date.now();
const SCENARIO = {
  // Listed two days ago; many votes, but yesterday.
  '2403.00001': { listedHoursAgo: 48, votesHoursAgo: [30, 29, 28, 27, 26, 25] },
  // Listed today, a few votes in the last hours: hot.
  '2403.00002': { listedHoursAgo: 3, votesHoursAgo: [2, 1, 1, 0.5] },
  // Listed today, no votes: ranks by recency alone.
  '2403.00003': { listedHoursAgo: 1, votesHoursAgo: [] },
  // Listed five days ago, one old vote.
  '2403.00004': { listedHoursAgo: 120, votesHoursAgo: [110] },
  // Listed long ago, outside the window, with many recent votes: not on the page.
  '2403.00005': { listedHoursAgo: 24 * (TRENDING_WINDOW_DAYS + 3), votesHoursAgo: [1, 1, 1, 1, 1, 1, 1, 1] },
} as const;
type ScenarioId = keyof typeof SCENARIO;
const IDS = Object.keys(SCENARIO) as ScenarioId[];
const HIDDEN = '2403.00009';

function expectedScore(id: ScenarioId): number {
  const { listedHoursAgo, votesHoursAgo } = SCENARIO[id];
  return trendingScore({
    listedAtMs: NOW_MS - listedHoursAgo * HOUR_MS,
    upvotedAtMs: votesHoursAgo.map((h) => NOW_MS - h * HOUR_MS),
  });
}

describe.each(databaseKinds())('trending on $name', (kind) => {
  let t: TestApp;
  let crowd: TestPerson[];

  beforeAll(async () => {
    if (!kind.available) return;
    t = await createTestApp(kind, undefined, { PAPERBOY_RATE_LIMITS: '0', PAPERBOY_TIMEZONE: 'UTC' });
    await t.store.upsertPapers([...IDS, HIDDEN].map((id) => testRecord(id, { title: `Paper ${id}` })));
    await t.store.addListings(
      [...IDS, HIDDEN].map((id) => {
        const listedHoursAgo = id === HIDDEN ? 0.5 : SCENARIO[id as ScenarioId].listedHoursAgo;
        const at = new Date(NOW_MS - listedHoursAgo * HOUR_MS);
        return testListing(id, at.toISOString().slice(0, 10), at.toISOString());
      }),
    );
    crowd = [];
    for (let i = 0; i < 8; i++) crowd.push(await createPerson(t, { username: `${kind.name}trend${i}` }));
    for (const id of IDS) {
      const hours = SCENARIO[id].votesHoursAgo;
      for (const [i, h] of hours.entries()) {
        await new VoteStore(t.database.db, () => new Date(NOW_MS - h * HOUR_MS)).upvote(crowd[i]!.user.id, id);
      }
    }
    await new VoteStore(t.database.db).upvote(crowd[0]!.user.id, HIDDEN);
    await t.database.db
      .updateTable('papers')
      .set({ hidden_at: new Date().toISOString() })
      .where('id', '=', HIDDEN)
      .execute();
  });
  afterAll(async () => {
    await t?.close();
  });

  /** The expected trending order of the papers listed in the window. */
  const expectedOrder = () =>
    IDS.filter((id) => SCENARIO[id].listedHoursAgo < 24 * (TRENDING_WINDOW_DAYS - 1)).sort(
      (a, b) => expectedScore(b) - expectedScore(a),
    );

  it.skipIf(!kind.available)('stores each paper’s score from its listing and votes', async () => {
    const rows = await t.database.db
      .selectFrom('papers')
      .select(['id', 'trending_score'])
      .where('id', 'in', IDS)
      .execute();
    for (const row of rows) expect(Number(row.trending_score)).toBeCloseTo(expectedScore(row.id as ScenarioId), 9);
    // The scenario is not trivially ordered by votes or by recency.
    expect(expectedOrder()).toEqual(['2403.00002', '2403.00001', '2403.00003', '2403.00004']);
  });

  it.skipIf(!kind.available)('gives a paper its score when it is listed, and none before', async () => {
    const id = '2403.00100';
    await t.store.upsertPapers([testRecord(id)]);
    const score = async () =>
      Number(
        (
          await t.database.db
            .selectFrom('papers')
            .select('trending_score')
            .where('id', '=', id)
            .executeTakeFirstOrThrow()
        ).trending_score,
      );
    expect(await score()).toBe(0);
    const at = '2024-05-06T07:08:09.000Z';
    await t.store.addListings([testListing(id, '2024-05-06', at)]);
    expect(await score()).toBeCloseTo(trendingScore({ listedAtMs: Date.parse(at), upvotedAtMs: [] }), 9);
  });

  it.skipIf(!kind.available)('orders /papers/trending by score, within the window, without hidden papers', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/papers/trending' });
    expect(res.statusCode).toBe(200);
    const shown = [...res.body.matchAll(/<h2 class="card-title" id="title-([\w-]+)"/g)].map((m) =>
      m[1]!.replace('-', '.'),
    );
    expect(shown).toEqual(expectedOrder());
    expect(res.body).not.toContain('2403.00005');
    expect(res.body).not.toContain(HIDDEN);
    expect(res.body).toContain('aria-current="true"'); // the Trending nav item
    expect(res.body).toContain('half its weight');
    expect(res.body).toContain('How the score is computed');
    expect(res.body).toContain(`${new Set(expectedOrder()).size} papers listed`);
  });

  it.skipIf(!kind.available)('shows each paper’s current points', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/papers/trending' });
    const points = [...res.body.matchAll(/<span class="vote-points"[^>]*>([\d.]+)/g)].map((m) => Number(m[1]));
    expect(points).toHaveLength(expectedOrder().length);
    // Points fall down the list, and the fresh unvoted paper has about one point (its listing, an hour old).
    expect([...points].sort((a, b) => b - a)).toEqual(points);
    const fresh = expectedOrder().indexOf('2403.00003');
    expect(points[fresh]).toBeGreaterThan(0.9);
    expect(points[fresh]).toBeLessThanOrEqual(1);
    // The hot paper: 4 recent votes and a 3-hour-old listing, a little under 5.
    expect(points[0]).toBeGreaterThan(4.5);
    expect(points[0]).toBeLessThan(5);
  });

  it.skipIf(!kind.available)('orders /api/daily_papers?sort=trending by the same score', async () => {
    const all = await t.app.inject({ method: 'GET', url: '/api/daily_papers?sort=trending&limit=100' });
    expect(all.statusCode).toBe(200);
    const ids = (all.json() as { paper: { id: string } }[])
      .map((i) => i.paper.id)
      .filter((id) => (IDS as string[]).includes(id));
    // The paper outside the page's window is here: the API ranks every listing it is asked for.
    expect(ids[0]).toBe('2403.00005');
    const today = await t.app.inject({ method: 'GET', url: `/api/daily_papers?sort=trending&date=${todayIn('UTC')}` });
    const todayIds = (today.json() as { paper: { id: string } }[]).map((i) => i.paper.id);
    expect(todayIds).toEqual(
      todayIds.slice().sort((a, b) => expectedScore(b as ScenarioId) - expectedScore(a as ScenarioId)),
    );
    const expected = [...IDS].sort((a, b) => expectedScore(b) - expectedScore(a));
    expect(ids).toEqual(expected);
  });

  it.skipIf(!kind.available)('caches the page for anonymous readers until a vote changes it', async () => {
    await t.app.inject({ method: 'GET', url: '/papers/trending' });
    const hit = await t.app.inject({ method: 'GET', url: '/papers/trending' });
    expect(hit.headers['x-cache']).toBe('hit');
    expect(hit.headers['cache-control']).toMatch(/^public/);
    const voter = crowd[7]!;
    const voted = await t.app.inject({ method: 'POST', url: '/api/papers/2403.00004/upvote', headers: voter.bearer });
    expect(voted.statusCode).toBe(200);
    const after = await t.app.inject({ method: 'GET', url: '/papers/trending' });
    expect(after.headers['x-cache']).toBe('miss');
    await t.app.inject({ method: 'DELETE', url: '/api/papers/2403.00004/upvote', headers: voter.bearer });
  });

  it.skipIf(!kind.available)('marks the signed-in viewer’s upvotes and posts back to the trending page', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/papers/trending', headers: { cookie: crowd[0]!.cookie } });
    expect(res.headers['cache-control']).toBe('private, no-cache');
    expect(res.body).toContain('name="next" value="/papers/trending"');
    const form = res.body.slice(res.body.indexOf('action="/papers/2403.00002/upvote"'));
    expect(form.slice(0, 900)).toContain('aria-pressed="true"');
    const unvoted = res.body.slice(res.body.indexOf('action="/papers/2403.00003/upvote"'));
    expect(unvoted.slice(0, 900)).toContain('aria-pressed="false"');
  });

  it.skipIf(!kind.available)('answers bad and out-of-range pages like the feed', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/papers/trending?p=abc' })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'GET', url: '/papers/trending?p=2' })).statusCode).toBe(404);
  });

  it.skipIf(!kind.available)('recomputes scores to repair them, and changes nothing when they are right', async () => {
    expect(await recomputeTrending(t.database.db)).toBe(0);
    await t.database.db.updateTable('papers').set({ trending_score: 0 }).where('id', 'in', IDS).execute();
    await t.database.db.updateTable('papers').set({ trending_score: 5 }).where('id', '=', '2403.00100').execute();
    expect(await recomputeTrending(t.database.db, '2403.00001')).toBe(1);
    expect(await recomputeTrending(t.database.db)).toBe(IDS.length);
    const rows = await t.database.db
      .selectFrom('papers')
      .select(['id', 'trending_score'])
      .where('id', 'in', IDS)
      .execute();
    for (const row of rows) expect(Number(row.trending_score)).toBeCloseTo(expectedScore(row.id as ScenarioId), 9);
    expect(await recomputeTrending(t.database.db)).toBe(0);
  });

  it.skipIf(!kind.available)(
    'backfills scores of papers listed before the ranking existed (migration 004)',
    async () => {
      await t.database.db.updateTable('papers').set({ trending_score: 0 }).where('id', 'in', IDS).execute();
      await t.database.db.transaction().execute((trx) => migration004.up(trx as unknown as Kysely<unknown>));
      const rows = await t.database.db
        .selectFrom('papers')
        .select(['id', 'trending_score'])
        .where('id', 'in', IDS)
        .execute();
      for (const row of rows) expect(Number(row.trending_score)).toBeCloseTo(expectedScore(row.id as ScenarioId), 9);
    },
  );

  it.skipIf(!kind.available)('gives unlisted, unvoted papers the floor score', async () => {
    const id = '2403.00200';
    await t.store.upsertPapers([testRecord(id)]);
    await recomputeTrending(t.database.db, id);
    const row = await t.database.db
      .selectFrom('papers')
      .select('trending_score')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(Number(row.trending_score)).toBe(NO_ACTIVITY_SCORE);
  });
});

describe.each(databaseKinds())('an empty trending window on $name', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    if (!kind.available) return;
    t = await createTestApp(kind, undefined, { PAPERBOY_TIMEZONE: 'UTC' });
    await t.store.upsertPapers([testRecord('2101.00001')]);
    await t.store.addListings([testListing('2101.00001', '2021-01-05')]);
  });
  afterAll(async () => {
    await t?.close();
  });

  it.skipIf(!kind.available)('says nothing is trending and links the latest papers', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/papers/trending' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Nothing is trending yet');
    expect(res.body).toContain('href="/papers/date/2021-01-05"');
  });
});
