/**
 * Upvotes on SQLite and PostgreSQL: the vote store's contract (idempotent, exact counter, trending score), exactness
 * under many concurrent toggles (directly and over the API), the API's authorisation for every role, and the
 * no-JavaScript form flow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trendingScore } from '../src/domain/trending.ts';
import { VoteStore } from '../src/storage/vote-store.ts';
import { createPerson, type TestPerson } from './support/accounts.ts';
import { createTestApp, type TestApp, testListing, testRecord } from './support/app.ts';
import { databaseKinds, sqliteKind } from './support/databases.ts';

const PAPERS = ['2401.00001', '2401.00002', '2401.00003', '2401.00004', 'hep-th/9901001'];
const HIDDEN = '2401.00009';
/** Papers only the concurrency tests vote on, so that their random end state does not leak into other tests. */
const CROWD_PAPERS = ['2402.00001', '2402.00002', '2402.00003', 'math/0601001'];

async function seed(t: TestApp): Promise<void> {
  await t.store.upsertPapers([...PAPERS, ...CROWD_PAPERS, HIDDEN].map((id) => testRecord(id)));
  await t.store.addListings(PAPERS.map((id) => testListing(id, '2024-03-04')));
  await t.database.db
    .updateTable('papers')
    .set({ hidden_at: '2024-03-05T00:00:00.000Z' })
    .where('id', '=', HIDDEN)
    .execute();
}

async function storedUpvotes(t: TestApp, id: string): Promise<{ upvotes: number; rows: number; score: number }> {
  const db = t.database.db;
  const paper = await db
    .selectFrom('papers')
    .select(['upvotes', 'trending_score'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  const counted = await db
    .selectFrom('upvotes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('paper_id', '=', id)
    .executeTakeFirstOrThrow();
  return { upvotes: Number(paper.upvotes), rows: Number(counted.n), score: Number(paper.trending_score) };
}

async function totalVotes(t: TestApp): Promise<number> {
  const row = await t.database.db
    .selectFrom('upvotes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe.each(databaseKinds())('upvotes on $name', (kind) => {
  let t: TestApp;
  let member: TestPerson;
  let admin: TestPerson;
  let banned: TestPerson;

  beforeAll(async () => {
    if (!kind.available) return;
    t = await createTestApp(kind, undefined, { PAPERBOY_RATE_LIMITS: '0' });
    await seed(t);
    member = await createPerson(t, { role: 'member' });
    admin = await createPerson(t, { role: 'admin' });
    banned = await createPerson(t, { role: 'banned' });
  });
  afterAll(async () => {
    await t?.close();
  });

  const inject = (method: 'POST' | 'DELETE', id: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method, url: `/api/papers/${id}/upvote`, headers });

  describe('vote store', () => {
    it.skipIf(!kind.available)('upvotes once, idempotently, and withdraws', async () => {
      const votes = new VoteStore(t.database.db);
      const id = PAPERS[0]!;
      expect(await votes.upvote(member.user.id, id)).toEqual({ status: 'ok', upvoted: true, upvotes: 1 });
      expect(await votes.upvote(member.user.id, id)).toEqual({ status: 'ok', upvoted: true, upvotes: 1 });
      expect(await votes.upvote(admin.user.id, id)).toEqual({ status: 'ok', upvoted: true, upvotes: 2 });
      expect(await votes.upvotedIds(member.user.id, [id, PAPERS[1]!])).toEqual(new Set([id]));
      expect(await votes.removeUpvote(member.user.id, id)).toEqual({ status: 'ok', upvoted: false, upvotes: 1 });
      expect(await votes.removeUpvote(member.user.id, id)).toEqual({ status: 'ok', upvoted: false, upvotes: 1 });
      expect(await votes.removeUpvote(admin.user.id, id)).toEqual({ status: 'ok', upvoted: false, upvotes: 0 });
      expect(await storedUpvotes(t, id)).toMatchObject({ upvotes: 0, rows: 0 });
    });

    it.skipIf(!kind.available)('refuses unknown and hidden papers, storing nothing', async () => {
      const votes = new VoteStore(t.database.db);
      const before = await totalVotes(t);
      expect(await votes.upvote(member.user.id, '2401.99999')).toEqual({ status: 'not_found' });
      expect(await votes.upvote(member.user.id, HIDDEN)).toEqual({ status: 'hidden' });
      expect(await votes.removeUpvote(member.user.id, HIDDEN)).toEqual({ status: 'hidden' });
      expect(await totalVotes(t)).toBe(before);
      expect(await storedUpvotes(t, HIDDEN)).toMatchObject({ upvotes: 0, rows: 0 });
    });

    it.skipIf(!kind.available)('keeps the trending score equal to the formula over listing and votes', async () => {
      const id = PAPERS[2]!;
      const listedAt = Date.parse('2024-03-04T12:00:00.000Z');
      expect((await storedUpvotes(t, id)).score).toBeCloseTo(
        trendingScore({ listedAtMs: listedAt, upvotedAtMs: [] }),
        9,
      );
      const at = ['2024-03-05T00:00:00.000Z', '2024-03-06T06:00:00.000Z'];
      await new VoteStore(t.database.db, () => new Date(at[0]!)).upvote(member.user.id, id);
      await new VoteStore(t.database.db, () => new Date(at[1]!)).upvote(admin.user.id, id);
      const expected = trendingScore({ listedAtMs: listedAt, upvotedAtMs: at.map((s) => Date.parse(s)) });
      expect((await storedUpvotes(t, id)).score).toBeCloseTo(expected, 9);
      await new VoteStore(t.database.db).removeUpvote(admin.user.id, id);
      const afterRemoval = trendingScore({ listedAtMs: listedAt, upvotedAtMs: [Date.parse(at[0]!)] });
      expect((await storedUpvotes(t, id)).score).toBeCloseTo(afterRemoval, 9);
      await new VoteStore(t.database.db).removeUpvote(member.user.id, id);
    });

    it.skipIf(!kind.available)('bumps the data version on a change, not on a repeat', async () => {
      const votes = new VoteStore(t.database.db);
      const v0 = await t.store.dataVersion();
      await votes.upvote(member.user.id, PAPERS[3]!);
      const v1 = await t.store.dataVersion();
      expect(v1).toBeGreaterThan(v0);
      await votes.upvote(member.user.id, PAPERS[3]!);
      expect(await t.store.dataVersion()).toBe(v1);
      await votes.removeUpvote(member.user.id, PAPERS[3]!);
      expect(await t.store.dataVersion()).toBeGreaterThan(v1);
    });
  });

  describe('exact under concurrency', () => {
    const PEOPLE = 24;
    let people: TestPerson[];

    beforeAll(async () => {
      if (!kind.available) return;
      people = [];
      for (let i = 0; i < PEOPLE; i++) people.push(await createPerson(t, { username: `${kind.name}crowd${i}` }));
    });

    it.skipIf(!kind.available)('many people voting twice at once on the same papers count once each', async () => {
      const votes = new VoteStore(t.database.db);
      const ids = CROWD_PAPERS.slice(0, 3);
      await Promise.all(
        people.flatMap((p) => ids.flatMap((id) => [votes.upvote(p.user.id, id), votes.upvote(p.user.id, id)])),
      );
      for (const id of ids) expect(await storedUpvotes(t, id)).toMatchObject({ upvotes: PEOPLE, rows: PEOPLE });
      await Promise.all(people.flatMap((p) => ids.map((id) => votes.removeUpvote(p.user.id, id))));
      for (const id of ids) expect(await storedUpvotes(t, id)).toMatchObject({ upvotes: 0, rows: 0 });
    });

    it.skipIf(!kind.available)('random concurrent toggles through the store leave every counter exact', async () => {
      const votes = new VoteStore(t.database.db);
      let seed = 42;
      const random = () => {
        seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
        return seed / 2 ** 31;
      };
      const operations = Array.from({ length: 600 }, () => {
        const person = people[Math.floor(random() * PEOPLE)]!;
        const id = CROWD_PAPERS[Math.floor(random() * CROWD_PAPERS.length)]!;
        return random() < 0.6 ? votes.upvote(person.user.id, id) : votes.removeUpvote(person.user.id, id);
      });
      const outcomes = await Promise.all(operations);
      expect(outcomes.every((o) => o.status === 'ok')).toBe(true);
      expect(await votes.countMismatches()).toEqual([]);
      for (const id of CROWD_PAPERS) {
        const stored = await storedUpvotes(t, id);
        expect(stored.upvotes).toBe(stored.rows);
      }
    });

    it.skipIf(!kind.available)('random concurrent toggles over the API (sessions and tokens) stay exact', async () => {
      let seed = 7;
      const random = () => {
        seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
        return seed / 2 ** 31;
      };
      const requests = Array.from({ length: 400 }, () => {
        const person = people[Math.floor(random() * PEOPLE)]!;
        const id = CROWD_PAPERS[Math.floor(random() * CROWD_PAPERS.length)]!;
        const headers = random() < 0.5 ? person.headers : person.bearer;
        return inject(random() < 0.6 ? 'POST' : 'DELETE', id, headers);
      });
      const answers = await Promise.all(requests);
      expect(answers.map((a) => a.statusCode).filter((s) => s !== 200)).toEqual([]);
      expect(await new VoteStore(t.database.db).countMismatches()).toEqual([]);
      // The answers agree with the rows: the last answer for each (person, paper) says what is stored.
      const stored = await t.database.db.selectFrom('upvotes').select(['user_id', 'paper_id']).execute();
      const storedSet = new Set(stored.map((r) => `${r.user_id} ${r.paper_id}`));
      for (const person of people) {
        const mine = await new VoteStore(t.database.db).upvotedIds(person.user.id, CROWD_PAPERS);
        for (const id of CROWD_PAPERS) expect(mine.has(id)).toBe(storedSet.has(`${person.user.id} ${id}`));
      }
    });
  });

  describe('API', () => {
    it.skipIf(!kind.available)('lets a member upvote with a session and CSRF header, idempotently', async () => {
      const id = PAPERS[1]!;
      const first = await inject('POST', id, member.headers);
      expect(first.statusCode).toBe(200);
      expect(first.json()).toEqual({ upvoted: true, upvotes: 1 });
      const again = await inject('POST', id, member.headers);
      expect(again.json()).toEqual({ upvoted: true, upvotes: 1 });
      const removed = await inject('DELETE', id, member.headers);
      expect(removed.json()).toEqual({ upvoted: false, upvotes: 0 });
      expect((await inject('DELETE', id, member.headers)).json()).toEqual({ upvoted: false, upvotes: 0 });
    });

    it.skipIf(!kind.available)('accepts a Bearer token without CSRF, and admins like members', async () => {
      const id = PAPERS[1]!;
      expect((await inject('POST', id, member.bearer)).json()).toEqual({ upvoted: true, upvotes: 1 });
      expect((await inject('POST', id, admin.headers)).json()).toEqual({ upvoted: true, upvotes: 2 });
      expect((await inject('DELETE', id, admin.bearer)).json()).toEqual({ upvoted: false, upvotes: 1 });
      expect((await inject('DELETE', id, member.bearer)).json()).toEqual({ upvoted: false, upvotes: 0 });
    });

    it.skipIf(!kind.available)('works for old-style ids and accepts a version suffix', async () => {
      const old = await inject('POST', 'hep-th/9901001', member.bearer);
      expect(old.statusCode).toBe(200);
      expect(old.json()).toEqual({ upvoted: true, upvotes: 1 });
      const versioned = await inject('POST', '2401.00004v2', member.bearer);
      expect(versioned.statusCode).toBe(200);
      expect(await storedUpvotes(t, '2401.00004')).toMatchObject({ rows: 1, upvotes: 1 });
      await inject('DELETE', 'hep-th/9901001', member.bearer);
      await inject('DELETE', '2401.00004', member.bearer);
    });

    it.skipIf(!kind.available)('refuses each role and bad input with the right status, storing nothing', async () => {
      const id = PAPERS[0]!;
      const before = await totalVotes(t);
      const cases: [string, Awaited<ReturnType<typeof inject>>, number, string][] = [
        ['anonymous', await inject('POST', id), 401, 'unauthorized'],
        ['anonymous delete', await inject('DELETE', id), 401, 'unauthorized'],
        ['banned (session)', await inject('POST', id, banned.headers), 403, 'banned'],
        ['banned (token)', await inject('POST', id, banned.bearer), 403, 'banned'],
        [
          'forged CSRF',
          await inject('POST', id, { cookie: member.cookie, 'x-csrf-token': 'forged' }),
          403,
          'csrf_failed',
        ],
        ['missing CSRF', await inject('POST', id, { cookie: member.cookie }), 403, 'csrf_failed'],
        ['unknown token', await inject('POST', id, { authorization: 'Bearer pb_nonsense' }), 401, 'invalid_token'],
        ['unknown paper', await inject('POST', '2401.99999', member.bearer), 404, 'paper_not_found'],
        ['hidden paper', await inject('POST', HIDDEN, member.bearer), 404, 'paper_not_found'],
        ['hidden paper (admin)', await inject('POST', HIDDEN, admin.bearer), 404, 'paper_not_found'],
        ['malformed id', await inject('POST', 'not-an-id', member.bearer), 400, 'invalid_id'],
      ];
      for (const [name, res, status, code] of cases) {
        expect({ name, status: res.statusCode }).toEqual({ name, status });
        expect(res.json().error).toBe(code);
        expect(res.json().message).toMatch(/\w.*\./);
        expect(res.headers['x-error-message']).toBeTruthy();
      }
      expect(await totalVotes(t)).toBe(before);
    });

    it.skipIf(!kind.available)('refuses a revoked token', async () => {
      const person = await createPerson(t, { username: `${kind.name}revoked` });
      await t.database.db
        .updateTable('api_tokens')
        .set({ revoked_at: new Date().toISOString() })
        .where('user_id', '=', person.user.id)
        .execute();
      const res = await inject('POST', PAPERS[0]!, person.bearer);
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toBe('invalid_token');
    });

    it.skipIf(!kind.available)('is documented in the OpenAPI description', async () => {
      const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
      const path = doc.paths['/api/papers/{id}/upvote'];
      expect(path.post.tags).toEqual(['upvotes']);
      expect(path.delete.summary).toMatch(/upvote/i);
      expect(path.post.responses['200'].content['application/json'].schema.properties).toHaveProperty('upvotes');
      expect(Object.keys(path.post.responses)).toEqual(expect.arrayContaining(['400', '401', '403', '404', '429']));
      expect(Object.keys(doc.paths).some((p) => p.includes('{archive}'))).toBe(false);
    });
  });

  describe('pages and the no-JavaScript form', () => {
    const form = (id: string, body: Record<string, string>, headers: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url: `/papers/${id}/upvote`,
        headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams(body).toString(),
      });

    it.skipIf(!kind.available)('shows anonymous readers the count and a sign-in link back to the page', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/papers/date/2024-03-04' });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('href="/login?next=%2Fpapers%2Fdate%2F2024-03-04"');
      expect(res.body).toContain('Sign in to upvote');
      expect(res.body).not.toContain('action="/papers/2401.00001/upvote"');
      expect(res.body).toContain('class="vote-count"');
      const paper = await t.app.inject({ method: 'GET', url: '/papers/2401.00001' });
      expect(paper.body).toContain('href="/login?next=%2Fpapers%2F2401.00001"');
    });

    it.skipIf(!kind.available)('toggles with a plain form post and comes back to the page, at the button', async () => {
      const id = PAPERS[3]!;
      const page = await t.app.inject({
        method: 'GET',
        url: '/papers/date/2024-03-04',
        headers: { cookie: member.cookie },
      });
      expect(page.headers['cache-control']).toBe('private, no-cache');
      expect(page.body).toContain(`action="/papers/${id}/upvote"`);
      expect(page.body).toContain(`name="_csrf" value="${member.csrf}"`);
      expect(page.body).toContain('name="next" value="/papers/date/2024-03-04"');
      expect(page.body).toContain('/static/upvote.js');
      expect(page.body).toContain('id="upvote-2401-00004"');

      const up = await form(
        id,
        { _csrf: member.csrf, next: '/papers/date/2024-03-04', intent: 'upvote' },
        { cookie: member.cookie },
      );
      expect(up.statusCode).toBe(303);
      expect(up.headers.location).toBe('/papers/date/2024-03-04#upvote-2401-00004');
      expect(await storedUpvotes(t, id)).toMatchObject({ upvotes: 1, rows: 1 });
      // A repeated submission (double click, reload) keeps one vote.
      await form(
        id,
        { _csrf: member.csrf, next: '/papers/date/2024-03-04', intent: 'upvote' },
        { cookie: member.cookie },
      );
      expect(await storedUpvotes(t, id)).toMatchObject({ upvotes: 1, rows: 1 });

      const after = await t.app.inject({
        method: 'GET',
        url: '/papers/date/2024-03-04',
        headers: { cookie: member.cookie },
      });
      const button = after.body.slice(after.body.indexOf(`action="/papers/${id}/upvote"`));
      expect(button.slice(0, 900)).toContain('aria-pressed="true"');
      expect(button.slice(0, 900)).toContain('name="intent" value="remove"');
      const paperPage = await t.app.inject({ method: 'GET', url: `/papers/${id}`, headers: { cookie: member.cookie } });
      expect(paperPage.body).toContain('aria-pressed="true"');

      // Without an intent the form toggles; an unsafe `next` falls back to the paper's page.
      const toggled = await form(id, { _csrf: member.csrf, next: '//evil.example/' }, { cookie: member.cookie });
      expect(toggled.statusCode).toBe(303);
      expect(toggled.headers.location).toBe(`/papers/${id}#upvote-2401-00004`);
      expect(await storedUpvotes(t, id)).toMatchObject({ upvotes: 0, rows: 0 });
    });

    it.skipIf(!kind.available)('refuses a forged CSRF token with a page, storing nothing', async () => {
      const before = await totalVotes(t);
      const res = await form(PAPERS[0]!, { _csrf: 'forged', intent: 'upvote' }, { cookie: member.cookie });
      expect(res.statusCode).toBe(403);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).toContain('did not come from this site');
      const none = await form(PAPERS[0]!, { intent: 'upvote' }, { cookie: member.cookie });
      expect(none.statusCode).toBe(403);
      expect(await totalVotes(t)).toBe(before);
    });

    it.skipIf(!kind.available)('sends anonymous form posts to sign in, and refuses banned people', async () => {
      const before = await totalVotes(t);
      const anonymous = await form(PAPERS[0]!, { next: '/papers/date/2024-03-04', intent: 'upvote' }, {});
      expect(anonymous.statusCode).toBe(303);
      expect(anonymous.headers.location).toBe('/login?next=%2Fpapers%2Fdate%2F2024-03-04');
      const bannedPost = await form(PAPERS[0]!, { _csrf: banned.csrf, intent: 'upvote' }, { cookie: banned.cookie });
      expect(bannedPost.statusCode).toBe(403);
      expect(bannedPost.body).toContain('suspended');
      const unknown = await form('2401.99999', { _csrf: member.csrf, intent: 'upvote' }, { cookie: member.cookie });
      expect(unknown.statusCode).toBe(404);
      const badIntent = await form(PAPERS[0]!, { _csrf: member.csrf, intent: 'maybe' }, { cookie: member.cookie });
      expect(badIntent.statusCode).toBe(400);
      expect(await totalVotes(t)).toBe(before);
      const bannedPage = await t.app.inject({
        method: 'GET',
        url: '/papers/date/2024-03-04',
        headers: { cookie: banned.cookie },
      });
      expect(bannedPage.body).toMatch(/<button type="button" class="vote-button" aria-pressed="false" disabled/);
    });

    it.skipIf(!kind.available)('serves the enhancement script', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/static/upvote.js' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('javascript');
      expect(res.body).toContain('x-csrf-token');
    });
  });
});

describe('upvote rate limit', () => {
  const kind = sqliteKind();
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(kind, undefined, { PAPERBOY_RATE_LIMITS: '1' });
    await seed(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 429 with Retry-After once a person toggles too fast', async () => {
    const person = await createPerson(t);
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof t.app.inject>> | null = null;
    for (let i = 0; i < 130 && !limited; i++) {
      const res = await t.app.inject({
        method: i % 2 === 0 ? 'POST' : 'DELETE',
        url: `/api/papers/${PAPERS[0]}/upvote`,
        headers: person.bearer,
      });
      statuses.push(res.statusCode);
      if (res.statusCode === 429) limited = res;
    }
    expect(limited).not.toBeNull();
    expect(statuses.filter((s) => s === 200).length).toBe(120);
    expect(limited!.json().error).toBe('rate_limited');
    expect(Number(limited!.headers['retry-after'])).toBeGreaterThan(0);
    // Another person is not affected.
    const other = await createPerson(t);
    const res = await t.app.inject({ method: 'POST', url: `/api/papers/${PAPERS[0]}/upvote`, headers: other.bearer });
    expect(res.statusCode).toBe(200);
    // Exact all the same.
    expect(await new VoteStore(t.database.db).countMismatches()).toEqual([]);
  });
});
