/**
 * The discussion API on SQLite and PostgreSQL: listing in thread order, posting, replying, editing and deleting;
 * bad bodies (empty, too long, 2 MB) refused with nothing stored; who may do what; CSRF; the exact comment count,
 * also under concurrent writes; hidden papers; and the cache of public answers seeing every write.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPerson, type TestPerson } from './support/accounts.ts';
import { createTestApp, type TestApp, testListing, testRecord } from './support/app.ts';
import { databaseKinds } from './support/databases.ts';

const PAPER = '2206.00927';
const OTHER_PAPER = '2310.13268';
const OLD_STYLE = 'hep-th/9901001';
const HIDDEN_PAPER = '2401.00001';

describe.each(databaseKinds())('comments API on $name', (kind) => {
  let t: TestApp;
  let ada: TestPerson;
  let bob: TestPerson;
  let admin: TestPerson;
  let banned: TestPerson;

  beforeAll(async () => {
    if (!kind.available) return;
    t = await createTestApp(kind, undefined, { PAPERBOY_RATE_LIMITS: '0' });
    await t.store.upsertPapers([
      testRecord(PAPER),
      testRecord(OTHER_PAPER),
      testRecord(OLD_STYLE),
      testRecord(HIDDEN_PAPER),
    ]);
    await t.store.addListings([
      testListing(PAPER, '2024-03-04'),
      testListing(OTHER_PAPER, '2024-03-04'),
      testListing(OLD_STYLE, '2024-03-04'),
      testListing(HIDDEN_PAPER, '2024-03-04'),
    ]);
    await t.database.db
      .updateTable('papers')
      .set({ hidden_at: '2024-03-05T00:00:00.000Z' })
      .where('id', '=', HIDDEN_PAPER)
      .execute();
    ada = await createPerson(t, { username: 'ada' });
    bob = await createPerson(t, { username: 'Bob_B' });
    admin = await createPerson(t, { username: 'mod', role: 'admin' });
    banned = await createPerson(t, { username: 'troll', role: 'banned' });
  });
  afterAll(async () => {
    await t?.close();
  });

  const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });
  const post = (who: TestPerson | null, url: string, payload: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url, payload: payload as object, headers: { ...(who?.bearer ?? {}), ...headers } });
  const comment = (who: TestPerson | null, body: string, paper = PAPER, parentId?: number) =>
    post(who, `/api/papers/${paper}/comments`, parentId === undefined ? { body } : { body, parentId });
  const countRows = async (paper = PAPER) =>
    Number(
      (
        await t.database.db
          .selectFrom('comments')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('paper_id', '=', paper)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const storedCount = async (paper = PAPER) =>
    Number(
      (
        await t.database.db
          .selectFrom('papers')
          .select('num_comments')
          .where('id', '=', paper)
          .executeTakeFirstOrThrow()
      ).num_comments,
    );
  const visibleRows = async (paper = PAPER) =>
    Number(
      (
        await t.database.db
          .selectFrom('comments')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('paper_id', '=', paper)
          .where('deleted_at', 'is', null)
          .where('hidden_at', 'is', null)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it.skipIf(!kind.available)('routes /comments before the paper wildcard, for both id styles', async () => {
    const list = await get(`/api/papers/${OTHER_PAPER}/comments`);
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual({ paperId: OTHER_PAPER, numComments: 0, comments: [] });
    expect((await get(`/api/papers/${OTHER_PAPER}`)).json().id).toBe(OTHER_PAPER);
    const old = await get(`/api/papers/${OLD_STYLE}/comments`);
    expect(old.statusCode).toBe(200);
    expect(old.json().paperId).toBe(OLD_STYLE);
    expect((await get(`/api/papers/${OLD_STYLE}`)).json().id).toBe(OLD_STYLE);
    expect((await get('/api/papers/2401.99999/comments')).statusCode).toBe(404);
    const malformed = await get('/api/papers/not-an-id/comments');
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error).toBe('invalid_id');
  });

  it.skipIf(!kind.available)('documents the comment endpoints in OpenAPI', async () => {
    const doc = (await get('/openapi.json')).json();
    expect(Object.keys(doc.paths['/api/papers/{id}/comments'])).toEqual(expect.arrayContaining(['get', 'post']));
    expect(Object.keys(doc.paths['/api/comments/{commentId}'])).toEqual(expect.arrayContaining(['patch', 'delete']));
    expect(doc.paths['/api/papers/{archive}/{number}/comments']).toBeUndefined();
  });

  it.skipIf(!kind.available)(
    'posts comments and replies, listed flat in thread order with the count exact',
    async () => {
      const first = await comment(ada, 'First, with **bold** and $x^2$.', OTHER_PAPER);
      expect(first.statusCode).toBe(201);
      const firstJson = first.json();
      expect(firstJson).toMatchObject({
        paperId: OTHER_PAPER,
        parentId: null,
        depth: 0,
        author: { name: 'ada', fullname: 'ada' },
        body: 'First, with **bold** and $x^2$.',
        editedAt: null,
        deleted: false,
        hidden: false,
      });
      expect(firstJson.html).toContain('<strong>bold</strong>');
      expect(firstJson.html).toContain('class="katex"');
      expect(firstJson.author.avatarUrl).toMatch(/^http:\/\/papers\.test\//);
      expect(first.headers.location).toBe(`/papers/${OTHER_PAPER}#comment-${firstJson.id}`);

      const second = (await comment(bob, 'Second top-level', OTHER_PAPER)).json();
      const reply = await comment(bob, '  Reply to @ada and @nobody  ', OTHER_PAPER, firstJson.id);
      expect(reply.statusCode).toBe(201);
      expect(reply.json()).toMatchObject({ parentId: firstJson.id, depth: 1, body: 'Reply to @ada and @nobody' });
      expect(reply.json().html).toContain('<a class="mention" href="/u/ada" rel="nofollow ugc noopener">@ada</a>');
      expect(reply.json().html).toContain('@nobody');
      expect(reply.json().html).not.toContain('/u/nobody');
      const nested = (await comment(ada, 'Reply to the reply', OTHER_PAPER, reply.json().id)).json();

      const list = (await get(`/api/papers/${OTHER_PAPER}/comments`)).json();
      expect(list.comments.map((c: { id: number }) => c.id)).toEqual([
        firstJson.id,
        reply.json().id,
        nested.id,
        second.id,
      ]);
      expect(list.comments.map((c: { depth: number }) => c.depth)).toEqual([0, 1, 2, 0]);
      expect(list.numComments).toBe(4);
      expect(await storedCount(OTHER_PAPER)).toBe(4);
      expect((await get(`/api/papers/${OTHER_PAPER}`)).json().numComments).toBe(4);
      const daily = (await get('/api/daily_papers?date=2024-03-04')).json();
      expect(daily.find((item: { paper: { id: string } }) => item.paper.id === OTHER_PAPER).numComments).toBe(4);

      const oldStyle = await comment(ada, 'On an old-style id', OLD_STYLE);
      expect(oldStyle.statusCode).toBe(201);
      expect(oldStyle.json().paperId).toBe(OLD_STYLE);
    },
  );

  it.skipIf(!kind.available)(
    'refuses empty, too long and 2 MB bodies with a clear message and stores nothing',
    async () => {
      const before = await countRows();
      for (const body of ['', '   \n\t ']) {
        const res = await comment(ada, body);
        expect(res.statusCode).toBe(400);
        expect(res.json()).toEqual({ error: 'invalid_comment', message: 'A comment cannot be empty.' });
      }
      const tooLong = await comment(ada, 'x'.repeat(20_001));
      expect(tooLong.statusCode).toBe(400);
      expect(tooLong.json().message).toBe('A comment has at most 20,000 characters; this one has 20,001.');
      expect(tooLong.headers['x-error-message']).toContain('at most 20,000 characters');

      const huge = await comment(ada, 'x'.repeat(2 * 1024 * 1024));
      expect(huge.statusCode).toBe(413);
      expect(huge.json().error).toBe('payload_too_large');
      expect(huge.json().message).toMatch(/larger than 1 MiB; a comment has at most 20,000 characters/);

      const missing = await post(ada, `/api/papers/${PAPER}/comments`, { text: 'wrong field' });
      expect(missing.statusCode).toBe(400);
      const notJson = await t.app.inject({
        method: 'POST',
        url: `/api/papers/${PAPER}/comments`,
        payload: '{"body": ',
        headers: { ...ada.bearer, 'content-type': 'application/json' },
      });
      expect(notJson.statusCode).toBe(400);
      expect(await countRows()).toBe(before);

      // Exactly at the limit is accepted (20,000 characters, counted as people count them: one per emoji).
      const atLimit = await comment(ada, '😀'.repeat(20_000));
      expect(atLimit.statusCode).toBe(201);
      expect(await countRows()).toBe(before + 1);
      expect(
        (await t.app.inject({ method: 'DELETE', url: `/api/comments/${atLimit.json().id}`, headers: ada.bearer }))
          .statusCode,
      ).toBe(200);
    },
  );

  it.skipIf(!kind.available)('sanitises what it renders: no scripts, handlers, dangerous links or styles', async () => {
    const payloads = [
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(1)>',
      '[click](javascript:alert(1))',
      '<svg onload=alert(1)><circle/></svg>',
      '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
      '<iframe src="https://evil.example"></iframe>',
      '<p style="position:fixed">x</p>',
      '[x](javascript&#58;alert(1))',
      '$\\href{javascript:alert(1)}{x}$',
    ];
    for (const body of payloads) {
      const res = await comment(ada, body);
      expect(res.statusCode).toBe(201);
      const html: string = res.json().html;
      expect(html).not.toMatch(/<(script|img|svg|iframe)\b/i);
      expect(html).not.toMatch(/<[^>]*\son\w+=/i);
      expect(html).not.toMatch(/<a\b[^>]*\shref="(?:javascript|data|vbscript):/i);
      expect(html).not.toMatch(/<p style=/);
      expect(res.json().body).toBe(body);
    }
  });

  it.skipIf(!kind.available)('lets only the author edit and delete, for every role', async () => {
    const made = (await comment(ada, 'Original text')).json();
    const url = `/api/comments/${made.id}`;
    const patch = (who: TestPerson | null, body = 'Changed') =>
      t.app.inject({ method: 'PATCH', url, payload: { body }, headers: who?.bearer ?? {} });
    const del = (who: TestPerson | null) => t.app.inject({ method: 'DELETE', url, headers: who?.bearer ?? {} });

    expect((await patch(null)).statusCode).toBe(401);
    expect((await del(null)).statusCode).toBe(401);
    const byBanned = await patch(banned);
    expect(byBanned.statusCode).toBe(403);
    expect(byBanned.json().error).toBe('banned');
    expect((await del(banned)).statusCode).toBe(403);
    for (const other of [bob, admin]) {
      const res = await patch(other);
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual({ error: 'forbidden', message: 'Only its author may edit this comment.' });
      expect((await del(other)).statusCode).toBe(403);
    }
    expect(
      (await t.database.db.selectFrom('comments').select('body').where('id', '=', made.id).executeTakeFirstOrThrow())
        .body,
    ).toBe('Original text');
    expect((await patch(ada, '   ')).statusCode).toBe(400);

    const edited = await patch(ada, 'Changed *text*');
    expect(edited.statusCode).toBe(200);
    expect(edited.json()).toMatchObject({ body: 'Changed *text*', deleted: false });
    expect(edited.json().editedAt).toMatch(/Z$/);
    expect(edited.json().html).toContain('<em>text</em>');

    const before = await storedCount();
    const deleted = await del(ada);
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json()).toMatchObject({ id: made.id, body: null, html: null, deleted: true });
    expect(await storedCount()).toBe(before - 1);
    expect(await storedCount()).toBe(await visibleRows());
    // The text is erased from storage, not just from answers; a second delete changes nothing.
    expect(
      (await t.database.db.selectFrom('comments').select('body').where('id', '=', made.id).executeTakeFirstOrThrow())
        .body,
    ).toBe('');
    expect((await del(ada)).statusCode).toBe(200);
    expect(await storedCount()).toBe(before - 1);
    expect((await patch(ada, 'Too late')).statusCode).toBe(409);

    const listed = (await get(`/api/papers/${PAPER}/comments`))
      .json()
      .comments.find((c: { id: number }) => c.id === made.id);
    expect(listed).toMatchObject({ body: null, html: null, deleted: true });
    expect(JSON.stringify(listed)).not.toContain('Changed');

    expect(
      (
        await t.app.inject({
          method: 'PATCH',
          url: '/api/comments/999999',
          payload: { body: 'x' },
          headers: ada.bearer,
        })
      ).statusCode,
    ).toBe(404);
    expect((await t.app.inject({ method: 'DELETE', url: '/api/comments/abc', headers: ada.bearer })).statusCode).toBe(
      400,
    );
    expect(
      (await t.app.inject({ method: 'DELETE', url: '/api/comments/99999999999', headers: ada.bearer })).statusCode,
    ).toBe(400);
  });

  it.skipIf(!kind.available)(
    'refuses anonymous, banned, unknown papers and foreign parents, storing nothing',
    async () => {
      const before = await countRows();
      const anonymous = await comment(null, 'hello');
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.json()).toEqual({ error: 'unauthorized', message: 'Sign in to comment.' });
      const byBanned = await comment(banned, 'hello');
      expect(byBanned.statusCode).toBe(403);
      expect(byBanned.json().error).toBe('banned');
      expect((await comment(ada, 'hello', '2401.99999')).statusCode).toBe(404);

      const elsewhere = (await comment(ada, 'on the other paper', OTHER_PAPER)).json();
      const foreign = await comment(ada, 'reply', PAPER, elsewhere.id);
      expect(foreign.statusCode).toBe(400);
      expect(foreign.json().message).toMatch(/is not a comment on paper 2206\.00927/);
      expect((await comment(ada, 'reply', PAPER, 99_999_999)).statusCode).toBe(400);

      const gone = (await comment(ada, 'soon deleted')).json();
      await t.app.inject({ method: 'DELETE', url: `/api/comments/${gone.id}`, headers: ada.bearer });
      expect((await comment(bob, 'reply to deleted', PAPER, gone.id)).statusCode).toBe(409);
      expect(await countRows()).toBe(before + 1);
    },
  );

  it.skipIf(!kind.available)('checks CSRF for browser sessions: a forged token is 403 and stores nothing', async () => {
    const before = await countRows();
    const url = `/api/papers/${PAPER}/comments`;
    const noToken = await t.app.inject({
      method: 'POST',
      url,
      payload: { body: 'x' },
      headers: { cookie: ada.cookie },
    });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.json().error).toBe('csrf_failed');
    const forged = await t.app.inject({
      method: 'POST',
      url,
      payload: { body: 'x' },
      headers: { cookie: ada.cookie, 'x-csrf-token': bob.csrf },
    });
    expect(forged.statusCode).toBe(403);
    expect(await countRows()).toBe(before);
    const good = await t.app.inject({ method: 'POST', url, payload: { body: 'from the page' }, headers: ada.headers });
    expect(good.statusCode).toBe(201);
  });

  it.skipIf(!kind.available)('hides the discussion of a hidden paper from everyone but admins', async () => {
    expect((await get(`/api/papers/${HIDDEN_PAPER}/comments`)).statusCode).toBe(404);
    expect((await get(`/api/papers/${HIDDEN_PAPER}/comments`, bob.bearer)).statusCode).toBe(404);
    expect((await get(`/api/papers/${HIDDEN_PAPER}/comments`, admin.bearer)).statusCode).toBe(200);
    expect((await comment(bob, 'hi', HIDDEN_PAPER)).statusCode).toBe(404);
    const byAdmin = await comment(admin, 'hi', HIDDEN_PAPER);
    expect(byAdmin.statusCode).toBe(409);
    expect(await countRows(HIDDEN_PAPER)).toBe(0);
  });

  it.skipIf(!kind.available)('keeps num_comments exact under concurrent posts, deletes and hides', async () => {
    const paper = '2501.00002';
    await t.store.upsertPapers([testRecord(paper)]);
    const people = [ada, bob, admin];
    const seeded = await Promise.all(
      Array.from({ length: 12 }, (_, i) => comment(people[i % 3]!, `seed ${i}`, paper).then((r) => r.json())),
    );
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 24; i += 1) writes.push(comment(people[i % 3]!, `burst ${i}`, paper));
    for (const made of seeded.slice(0, 6)) {
      const author = people.find((p) => p.user.username === made.author.name)!;
      writes.push(t.app.inject({ method: 'DELETE', url: `/api/comments/${made.id}`, headers: author.bearer }));
    }
    for (const made of seeded.slice(3, 9)) {
      writes.push(t.app.inject({ method: 'POST', url: `/api/admin/comments/${made.id}/hide`, headers: admin.bearer }));
    }
    await Promise.all(writes);
    const visible = await visibleRows(paper);
    // 12 + 24 posted; 6 deleted; of the 6 hidden, 3 were also deleted.
    expect(visible).toBe(36 - 6 - 3);
    expect(await storedCount(paper)).toBe(visible);
    expect((await get(`/api/papers/${paper}/comments`)).json().numComments).toBe(visible);
  });

  it.skipIf(!kind.available)('rebuilds cached public answers after every comment write', async () => {
    const url = `/api/papers/${PAPER}/comments`;
    await get(url);
    expect((await get(url)).headers['x-cache']).toBe('hit');
    const page = `/papers/${PAPER}`;
    await get(page);
    expect((await get(page)).headers['x-cache']).toBe('hit');

    const made = (await comment(bob, 'Fresh words for the cache')).json();
    const list = await get(url);
    expect(list.headers['x-cache']).not.toBe('hit');
    expect(list.json().comments.some((c: { id: number }) => c.id === made.id)).toBe(true);
    const html = (await get(page)).body;
    expect(html).toContain('Fresh words for the cache');

    await t.app.inject({
      method: 'PATCH',
      url: `/api/comments/${made.id}`,
      payload: { body: 'Edited words' },
      headers: bob.bearer,
    });
    expect((await get(page)).body).toContain('Edited words');
    await t.app.inject({ method: 'DELETE', url: `/api/comments/${made.id}`, headers: bob.bearer });
    expect((await get(page)).body).not.toContain('Edited words');
  });
});

describe.each(databaseKinds())('comment rate limit on $name', (kind) => {
  let t: TestApp;

  beforeAll(async () => {
    if (!kind.available) return;
    t = await createTestApp(kind);
    await t.store.upsertPapers([testRecord(PAPER)]);
  });
  afterAll(async () => {
    await t?.close();
  });

  it.skipIf(!kind.available)('answers 429 with Retry-After after 10 comments a minute', async () => {
    const person = await createPerson(t, { username: 'fast' });
    const statuses: number[] = [];
    for (let i = 0; i < 11; i += 1) {
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/papers/${PAPER}/comments`,
        payload: { body: `comment ${i}` },
        headers: person.bearer,
      });
      statuses.push(res.statusCode);
      if (res.statusCode === 429) {
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
        expect(res.json().error).toBe('rate_limited');
      }
    }
    expect(statuses.slice(0, 10).every((s) => s === 201)).toBe(true);
    expect(statuses[10]).toBe(429);
    const stored = await t.database.db
      .selectFrom('comments')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(10);
  });
});
