/**
 * Moderation on SQLite and PostgreSQL: every action refused to anonymous (401), members and banned people (403),
 * and done by admins with its audit row in the same transaction; hidden papers gone from feeds and 404 for everyone
 * but admins; featuring creates or moves a listing; a ban stops a person's writes; the admin page and its forms.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPerson, type TestPerson } from './support/accounts.ts';
import { createTestApp, type TestApp, testListing, testRecord } from './support/app.ts';
import { databaseKinds } from './support/databases.ts';

const LISTED = '2206.00927';
const UNLISTED = '2310.13268';
const TO_HIDE = '2211.01095';

describe.each(databaseKinds())('moderation on $name', (kind) => {
  let t: TestApp;
  let ada: TestPerson;
  let admin: TestPerson;
  let banned: TestPerson;
  let victim: TestPerson;
  let commentId: number;

  beforeAll(async () => {
    if (!kind.available) return;
    t = await createTestApp(kind, undefined, { PAPERBOY_RATE_LIMITS: '0' });
    await t.store.upsertPapers([testRecord(LISTED), testRecord(UNLISTED), testRecord(TO_HIDE)]);
    await t.store.addListings([testListing(LISTED, '2024-03-04'), testListing(TO_HIDE, '2024-03-04')]);
    ada = await createPerson(t, { username: 'ada' });
    admin = await createPerson(t, { username: 'mod', role: 'admin' });
    banned = await createPerson(t, { username: 'troll', role: 'banned' });
    victim = await createPerson(t, { username: 'victim' });
    const made = await t.app.inject({
      method: 'POST',
      url: `/api/papers/${LISTED}/comments`,
      payload: { body: 'Moderate me' },
      headers: ada.bearer,
    });
    commentId = made.json().id;
  });
  afterAll(async () => {
    await t?.close();
  });

  const call = (who: TestPerson | null, method: 'GET' | 'POST', url: string, payload?: object) =>
    t.app.inject({ method, url, payload, headers: who?.bearer ?? {} });
  const auditRows = async () => t.database.db.selectFrom('audit_log').selectAll().orderBy('id', 'asc').execute();

  const actions = () => [
    { url: `/api/admin/papers/${UNLISTED}/feature`, payload: { date: '2024-03-05' } },
    { url: `/api/admin/papers/${LISTED}/hide` },
    { url: `/api/admin/papers/${LISTED}/unhide` },
    { url: `/api/admin/comments/${commentId}/hide` },
    { url: `/api/admin/comments/${commentId}/unhide` },
    { url: '/api/admin/users/victim/ban' },
    { url: '/api/admin/users/victim/unban' },
  ];

  it.skipIf(!kind.available)(
    'refuses every action to anonymous, members and banned people, writing nothing',
    async () => {
      const versionBefore = await t.store.dataVersion();
      for (const { url, payload } of [...actions(), { url: '/api/admin/audit-log', payload: undefined }]) {
        const method = url.endsWith('audit-log') ? 'GET' : 'POST';
        const anonymous = await call(null, method, url, payload);
        expect(anonymous.statusCode, url).toBe(401);
        const member = await call(ada, method, url, payload);
        expect(member.statusCode, url).toBe(403);
        expect(member.json().error).toBe('forbidden');
        expect((await call(banned, method, url, payload)).statusCode, url).toBe(403);
      }
      // A member's invalid request is still a 403, not a 400: the policy answers first.
      expect((await call(ada, 'POST', '/api/admin/papers/not-an-id/hide')).statusCode).toBe(403);
      expect(await auditRows()).toEqual([]);
      expect(await t.store.dataVersion()).toBe(versionBefore);
      expect((await t.store.getPaper(LISTED))?.hiddenAt).toBeNull();
      expect(await t.store.getListing(UNLISTED)).toBeNull();
    },
  );

  it.skipIf(!kind.available)('does every action for an admin, each with its audit row', async () => {
    const expected = [
      'paper.feature',
      'paper.hide',
      'paper.unhide',
      'comment.hide',
      'comment.unhide',
      'user.ban',
      'user.unban',
    ];
    for (const [index, { url, payload }] of actions().entries()) {
      const res = await call(admin, 'POST', url, { ...payload, reason: `reason ${index}` });
      expect(res.statusCode, url).toBe(200);
      expect(res.json().changed).toBe(true);
      const rows = await auditRows();
      expect(rows).toHaveLength(index + 1);
      const row = rows[index]!;
      expect(row).toMatchObject({ actor_user_id: admin.user.id, action: expected[index] });
      expect(JSON.parse(row.detail!)).toMatchObject({ reason: `reason ${index}` });
      expect(row.created_at).toMatch(/Z$/);
    }
    const rows = await auditRows();
    expect(rows.map((r) => [r.target_type, r.target_id])).toEqual([
      ['paper', UNLISTED],
      ['paper', LISTED],
      ['paper', LISTED],
      ['comment', String(commentId)],
      ['comment', String(commentId)],
      ['user', 'victim'],
      ['user', 'victim'],
    ]);
    // Repeating an action changes nothing and writes no row.
    const again = await call(admin, 'POST', '/api/admin/users/victim/unban');
    expect(again.json()).toEqual({ action: 'user.unban', target: 'victim', changed: false });
    expect(await auditRows()).toHaveLength(7);

    const log = (await call(admin, 'GET', '/api/admin/audit-log?limit=3')).json();
    expect(log.total).toBe(7);
    expect(log.entries.map((e: { action: string }) => e.action)).toEqual(['user.unban', 'user.ban', 'comment.unhide']);
    expect(log.entries[0].actor).toEqual({ name: 'mod' });
    const older = (await call(admin, 'GET', '/api/admin/audit-log?limit=3&p=2')).json();
    expect(older.entries.map((e: { action: string }) => e.action)).toEqual(['paper.feature']);
  });

  it.skipIf(!kind.available)('features a paper on a day: a new curator listing, or the listing moved', async () => {
    const created = await t.store.getListing(UNLISTED);
    expect(created).toMatchObject({ listedOn: '2024-03-05', source: 'curator', submittedByUserId: null });
    const day = (await call(null, 'GET', '/api/daily_papers?date=2024-03-05')).json();
    expect(day.map((i: { paper: { id: string } }) => i.paper.id)).toContain(UNLISTED);

    const moved = await call(admin, 'POST', `/api/admin/papers/${LISTED}/feature`, { date: '2024-03-07' });
    expect(moved.json()).toEqual({
      paperId: LISTED,
      listedOn: '2024-03-07',
      previousListedOn: '2024-03-04',
      changed: true,
    });
    expect((await t.store.getListing(LISTED))?.listedOn).toBe('2024-03-07');
    const fromDay = (await call(null, 'GET', '/api/daily_papers?date=2024-03-04')).json();
    expect(fromDay.map((i: { paper: { id: string } }) => i.paper.id)).not.toContain(LISTED);

    for (const date of ['2024-02-30', 'tomorrow', '']) {
      const bad = await call(admin, 'POST', `/api/admin/papers/${LISTED}/feature`, { date });
      expect(bad.statusCode, date).toBe(400);
    }
    expect((await call(admin, 'POST', '/api/admin/papers/2401.99999/feature', { date: '2024-03-07' })).statusCode).toBe(
      404,
    );
    expect((await call(admin, 'POST', '/api/admin/papers/2401.99999/hide')).statusCode).toBe(404);
    expect((await call(admin, 'POST', '/api/admin/comments/999999/hide')).statusCode).toBe(404);
    expect((await call(admin, 'POST', '/api/admin/users/nobody-here/ban')).statusCode).toBe(404);
    expect((await call(admin, 'POST', '/api/admin/users/mod/ban')).statusCode).toBe(409);
    const longReason = await call(admin, 'POST', `/api/admin/papers/${LISTED}/hide`, { reason: 'x'.repeat(501) });
    expect(longReason.statusCode).toBe(400);
    expect((await t.store.getPaper(LISTED))?.hiddenAt).toBeNull();
  });

  it.skipIf(!kind.available)('takes a hidden paper off the feed and 404s it for all but admins', async () => {
    const anonymousFeed = () => t.app.inject({ method: 'GET', url: '/api/daily_papers?date=2024-03-04' });
    expect((await anonymousFeed()).json().map((i: { paper: { id: string } }) => i.paper.id)).toContain(TO_HIDE);
    expect((await t.app.inject({ method: 'GET', url: `/papers/${TO_HIDE}` })).statusCode).toBe(200);

    expect((await call(admin, 'POST', `/api/admin/papers/${TO_HIDE}/hide`, { reason: 'spam' })).statusCode).toBe(200);
    expect((await anonymousFeed()).json().map((i: { paper: { id: string } }) => i.paper.id)).not.toContain(TO_HIDE);
    expect((await t.app.inject({ method: 'GET', url: '/papers/date/2024-03-04' })).body).not.toContain(TO_HIDE);
    expect((await t.app.inject({ method: 'GET', url: `/papers/${TO_HIDE}` })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: `/api/papers/${TO_HIDE}` })).statusCode).toBe(404);
    expect((await call(ada, 'GET', `/api/papers/${TO_HIDE}`)).statusCode).toBe(404);
    expect((await call(admin, 'GET', `/api/papers/${TO_HIDE}`)).statusCode).toBe(200);
    const adminPage = await t.app.inject({
      method: 'GET',
      url: `/papers/${TO_HIDE}`,
      headers: { cookie: admin.cookie },
    });
    expect(adminPage.statusCode).toBe(200);

    expect((await call(admin, 'POST', `/api/admin/papers/${TO_HIDE}/unhide`)).statusCode).toBe(200);
    expect((await anonymousFeed()).json().map((i: { paper: { id: string } }) => i.paper.id)).toContain(TO_HIDE);
  });

  it.skipIf(!kind.available)('stops a banned person writing, and lets them write again when unbanned', async () => {
    expect((await call(admin, 'POST', '/api/admin/users/victim/ban', { reason: 'spam' })).statusCode).toBe(200);
    const refused = await call(victim, 'POST', `/api/papers/${LISTED}/comments`, { body: 'let me in' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toBe('banned');
    expect((await call(admin, 'POST', '/api/admin/users/victim/unban')).statusCode).toBe(200);
    expect((await call(victim, 'POST', `/api/papers/${LISTED}/comments`, { body: 'thanks' })).statusCode).toBe(201);
  });

  it.skipIf(!kind.available)('serves the admin page to admins only, with the audit log newest first', async () => {
    const anonymous = await t.app.inject({ method: 'GET', url: '/admin' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.body).toContain('href="/login?next=%2Fadmin"');
    const member = await t.app.inject({ method: 'GET', url: '/admin', headers: { cookie: ada.cookie } });
    expect(member.statusCode).toBe(403);
    expect(member.body).toContain('Only admins may moderate.');

    const res = await t.app.inject({ method: 'GET', url: '/admin', headers: { cookie: admin.cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('private, no-cache');
    for (const action of [
      '/admin/feature',
      '/admin/paper-visibility',
      '/admin/comment-visibility',
      '/admin/user-ban',
    ]) {
      expect(res.body).toContain(`action="${action}"`);
    }
    expect(res.body).toContain(`name="_csrf" value="${admin.csrf}"`);
    expect(res.body).toContain('<label for="feature-paper">arXiv id</label>');
    const log = res.body.slice(res.body.indexOf('id="audit-title"'));
    expect(log.indexOf('lifted the ban on')).toBeLessThan(log.indexOf('featured paper'));
    expect(log).toContain(`href="/papers/${LISTED}#comment-${commentId}"`);
  });

  it.skipIf(!kind.available)('runs the admin forms without JavaScript, 303 back with what was done', async () => {
    const post = (fields: Record<string, string>, url: string, who = admin, csrf = who.csrf) =>
      t.app.inject({
        method: 'POST',
        url,
        headers: { cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
      });
    const before = (await auditRows()).length;

    const hidden = await post(
      { paperId: `arXiv:${UNLISTED}v2`, action: 'hide', reason: 'duplicate' },
      '/admin/paper-visibility',
    );
    expect(hidden.statusCode).toBe(303);
    expect(hidden.headers.location).toBe(`/admin?done=paper.hide&target=${UNLISTED}`);
    const shown = await t.app.inject({
      method: 'GET',
      url: String(hidden.headers.location),
      headers: { cookie: admin.cookie },
    });
    expect(shown.body).toContain(`Paper ${UNLISTED} is hidden.`);

    expect((await post({ paperId: UNLISTED, action: 'unhide' }, '/admin/paper-visibility')).statusCode).toBe(303);
    const comment = await post({ commentId: `#comment-${commentId}`, action: 'hide' }, '/admin/comment-visibility');
    expect(comment.headers.location).toBe(`/admin?done=comment.hide&target=${commentId}`);
    const ban = await post({ username: '@victim', action: 'ban' }, '/admin/user-ban');
    expect(ban.headers.location).toBe('/admin?done=user.ban&target=victim');
    const feature = await post({ paperId: TO_HIDE, date: '2024-03-09' }, '/admin/feature');
    expect(feature.statusCode).toBe(303);
    expect((await auditRows()).length).toBe(before + 5);

    const refused = await post({ paperId: TO_HIDE, date: '2024-13-01' }, '/admin/feature');
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('role="alert"');
    expect(refused.body).toContain('2024-13-01 is not a day of the calendar');

    const forged = await post({ paperId: TO_HIDE, action: 'hide' }, '/admin/paper-visibility', admin, ada.csrf);
    expect(forged.statusCode).toBe(403);
    expect((await t.store.getPaper(TO_HIDE))?.hiddenAt).toBeNull();

    const byMember = await post({ paperId: TO_HIDE, action: 'hide' }, '/admin/paper-visibility', ada);
    expect(byMember.statusCode).toBe(403);
    expect((await t.store.getPaper(TO_HIDE))?.hiddenAt).toBeNull();
    expect((await auditRows()).length).toBe(before + 5);
  });
});
