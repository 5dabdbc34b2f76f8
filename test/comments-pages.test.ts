/**
 * The discussion on the paper page, as a browser without JavaScript uses it, on SQLite and PostgreSQL: plain form
 * posts answered 303 to the comment's anchor, replies, edits, deletes and moderators' hiding; refusals that give the
 * person their text back; a forged CSRF token refused with nothing stored; what anonymous visitors see.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPerson, type TestPerson } from './support/accounts.ts';
import { createTestApp, type TestApp, testListing, testRecord } from './support/app.ts';
import { databaseKinds } from './support/databases.ts';

const PAPER = '2206.00927';
const OLD_STYLE = 'hep-th/9901001';

describe.each(databaseKinds())('discussion pages on $name', (kind) => {
  let t: TestApp;
  let ada: TestPerson;
  let bob: TestPerson;
  let admin: TestPerson;
  let banned: TestPerson;

  beforeAll(async () => {
    if (!kind.available) return;
    t = await createTestApp(kind, undefined, { PAPERBOY_RATE_LIMITS: '0' });
    await t.store.upsertPapers([testRecord(PAPER), testRecord(OLD_STYLE)]);
    await t.store.addListings([testListing(PAPER, '2024-03-04')]);
    ada = await createPerson(t, { username: 'ada' });
    bob = await createPerson(t, { username: 'bob' });
    admin = await createPerson(t, { username: 'mod', role: 'admin' });
    banned = await createPerson(t, { username: 'troll', role: 'banned' });
  });
  afterAll(async () => {
    await t?.close();
  });

  const page = (who: TestPerson | null, path = `/papers/${PAPER}`) =>
    t.app.inject({ method: 'GET', url: path, headers: who ? { cookie: who.cookie } : {} });
  /** A form post as the browser sends it: urlencoded, with the session cookie and the page's CSRF token. */
  const form = (who: TestPerson | null, url: string, fields: Record<string, string>, csrf = who?.csrf) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(who ? { cookie: who.cookie } : {}) },
      payload: new URLSearchParams({ ...(csrf ? { _csrf: csrf } : {}), ...fields }).toString(),
    });
  const countRows = async () =>
    Number(
      (
        await t.database.db
          .selectFrom('comments')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const commentIdFrom = (location: string | undefined) => Number(/#comment-(\d+)$/.exec(String(location))?.[1]);

  it.skipIf(!kind.available)('shows anonymous visitors the thread and a sign-in link, no forms', async () => {
    const html = (await page(null)).body;
    expect(html).toContain('id="discussion"');
    expect(html).toContain('No comments yet.');
    expect(html).toContain('href="/login?next=%2Fpapers%2F2206.00927">Sign in to comment</a>');
    expect(html).not.toContain('<textarea');
    expect(html).not.toContain('name="_csrf"');
  });

  it.skipIf(!kind.available)('gives members a labelled comment form with a Markdown and math hint', async () => {
    const html = (await page(ada)).body;
    expect(html).toContain(`<form class="comment-form" method="post" action="/papers/${PAPER}/comments">`);
    expect(html).toContain(`name="_csrf" value="${ada.csrf}"`);
    expect(html).toContain('<label for="comment-new">Add a comment</label>');
    expect(html).toMatch(/<textarea id="comment-new" name="body"[^>]*aria-describedby="comment-new-hint"/);
    expect(html).toContain('Math: $x^2$ inline');
    expect(html).not.toContain('Sign in to comment');
    const bannedHtml = (await page(banned)).body;
    expect(bannedHtml).toContain('Your account has been suspended');
    expect(bannedHtml).not.toContain('id="comment-new"');
  });

  it.skipIf(!kind.available)(
    'posts, replies, edits and deletes through plain forms, 303 back to the comment',
    async () => {
      const posted = await form(ada, `/papers/${PAPER}/comments`, { body: 'A *first* thought, $\\alpha$.' });
      expect(posted.statusCode).toBe(303);
      expect(posted.headers.location).toMatch(new RegExp(`^/papers/${PAPER}#comment-\\d+$`));
      const first = commentIdFrom(posted.headers.location);

      const replied = await form(bob, `/papers/${PAPER}/comments`, {
        body: 'A reply to @ada',
        parentId: String(first),
      });
      expect(replied.statusCode).toBe(303);
      const reply = commentIdFrom(replied.headers.location);

      let html = (await page(bob)).body;
      expect(html).toContain('(2 comments)');
      expect(html).toContain(`<li class="comment" id="comment-${first}">`);
      expect(html).toContain('A <em>first</em> thought');
      expect(html).toContain('class="katex"');
      expect(html).toContain('<a class="comment-author" href="/u/ada">ada</a>');
      // The reply is nested inside the first comment's item, with its author linked and the mention linked.
      expect(html).toMatch(
        new RegExp(`<ol class="comment-replies"[^>]*>\\s*<li class="comment" id="comment-${reply}">`),
      );
      expect(html).toContain('<a class="mention" href="/u/ada"');
      // Bob may reply to Ada's comment but not edit or delete it; he may edit and delete his own.
      expect(html).toContain(`<textarea id="reply-${first}"`);
      expect(html).not.toContain(`action="/comments/${first}/edit"`);
      expect(html).toContain(`action="/comments/${reply}/edit"`);
      expect(html).toContain(`action="/comments/${reply}/delete"`);
      expect(html).not.toContain('/hide"');

      const edited = await form(bob, `/comments/${reply}/edit`, { body: 'A better reply' });
      expect(edited.statusCode).toBe(303);
      expect(edited.headers.location).toBe(`/papers/${PAPER}#comment-${reply}`);
      html = (await page(null)).body;
      expect(html).toContain('A better reply');
      expect(html).toContain('(edited)');

      const deleted = await form(ada, `/comments/${first}/delete`, {});
      expect(deleted.statusCode).toBe(303);
      html = (await page(null)).body;
      expect(html).toContain('[deleted]');
      expect(html).not.toContain('first</em> thought');
      expect(html).toContain('A better reply');
      expect(html).toContain('(1 comment)');
    },
  );

  it.skipIf(!kind.available)('works for old-style ids', async () => {
    const posted = await form(ada, `/papers/${OLD_STYLE}/comments`, { body: 'Old but gold' });
    expect(posted.statusCode).toBe(303);
    expect(posted.headers.location).toMatch(/^\/papers\/hep-th\/9901001#comment-\d+$/);
    expect((await page(null, `/papers/${OLD_STYLE}`)).body).toContain('Old but gold');
  });

  it.skipIf(!kind.available)('lets admins hide and unhide comments from the page', async () => {
    const posted = await form(bob, `/papers/${PAPER}/comments`, { body: 'Something rude' });
    const id = commentIdFrom(posted.headers.location);
    expect((await page(admin)).body).toContain(`action="/comments/${id}/hide"`);
    const byMember = await form(ada, `/comments/${id}/hide`, {});
    expect(byMember.statusCode).toBe(403);

    const hidden = await form(admin, `/comments/${id}/hide`, {});
    expect(hidden.statusCode).toBe(303);
    expect(hidden.headers.location).toBe(`/papers/${PAPER}#comment-${id}`);
    const anonymous = (await page(null)).body;
    expect(anonymous).toContain('[hidden by moderators]');
    expect(anonymous).not.toContain('Something rude');
    const forAdmin = (await page(admin)).body;
    expect(forAdmin).toContain('Something rude');
    expect(forAdmin).toContain(`action="/comments/${id}/unhide"`);

    expect((await form(admin, `/comments/${id}/unhide`, {})).statusCode).toBe(303);
    expect((await page(null)).body).toContain('Something rude');
  });

  it.skipIf(!kind.available)('gives the text back when a comment is refused, and stores nothing', async () => {
    const before = await countRows();
    const long = `My long thoughts ${'x'.repeat(20_001)}`;
    const tooLong = await form(ada, `/papers/${PAPER}/comments`, { body: long });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.headers['content-type']).toMatch(/text\/html/);
    expect(tooLong.body).toContain('A comment has at most 20,000 characters; this one has 20,018.');
    expect(tooLong.body).toContain(`<form class="comment-form" method="post" action="/papers/${PAPER}/comments">`);
    expect(tooLong.body).toContain(long);
    expect(tooLong.body).toContain('href="/papers/2206.00927">Back to the paper</a>');

    const blank = await form(ada, `/papers/${PAPER}/comments`, { body: '   ' });
    expect(blank.statusCode).toBe(400);
    expect(blank.body).toContain('A comment cannot be empty.');

    const forged = await form(ada, `/papers/${PAPER}/comments`, { body: 'Kept despite the bad token' }, bob.csrf);
    expect(forged.statusCode).toBe(403);
    expect(forged.body).toContain('This form has expired or did not come from this site.');
    expect(forged.body).toContain('Kept despite the bad token');
    // The page carries a fresh, valid token: sending again works.
    expect(forged.body).toContain(`name="_csrf" value="${ada.csrf}"`);

    const missingToken = await form(ada, `/papers/${PAPER}/comments`, { body: 'No token at all' }, '');
    expect(missingToken.statusCode).toBe(403);

    const anonymous = await form(null, `/papers/${PAPER}/comments`, { body: 'Written while signed out' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.body).toContain('Sign in to comment.');
    expect(anonymous.body).toContain('Written while signed out');
    expect(anonymous.body).toContain('readonly');
    expect(anonymous.body).toContain('href="/login?next=%2Fpapers%2F2206.00927">Sign in</a>');

    const byBanned = await form(banned, `/papers/${PAPER}/comments`, { body: 'Banned words' });
    expect(byBanned.statusCode).toBe(403);
    expect(byBanned.body).toContain('Banned words');

    const badParent = await form(ada, `/papers/${PAPER}/comments`, { body: 'Reply', parentId: 'abc' });
    expect(badParent.statusCode).toBe(400);
    expect(badParent.body).toContain('Reply');

    const own = commentIdFrom((await form(ada, `/papers/${PAPER}/comments`, { body: 'Mine' })).headers.location);
    const editRefused = await form(bob, `/comments/${own}/edit`, { body: 'Not yours to edit' });
    expect(editRefused.statusCode).toBe(403);
    expect(editRefused.body).toContain('Only its author may edit this comment.');
    expect(editRefused.body).toContain('Not yours to edit');
    expect(editRefused.body).toContain('href="/papers/2206.00927">Back to the paper</a>');
    expect(await countRows()).toBe(before + 1);

    const unknownPaper = await form(ada, '/papers/2401.99999/comments', { body: 'Lost?' });
    expect(unknownPaper.statusCode).toBe(404);
    expect(unknownPaper.body).toContain('Lost?');
  });

  it.skipIf(!kind.available)('sends a reload of a form address to the discussion', async () => {
    const list = await page(null, `/papers/${PAPER}/comments`);
    expect(list.statusCode).toBe(302);
    expect(list.headers.location).toBe(`/papers/${PAPER}#discussion`);
    const own = commentIdFrom((await form(ada, `/papers/${PAPER}/comments`, { body: 'Reload me' })).headers.location);
    const edit = await page(ada, `/comments/${own}/edit`);
    expect(edit.statusCode).toBe(302);
    expect(edit.headers.location).toBe(`/papers/${PAPER}#comment-${own}`);
    expect((await page(null, '/comments/999999/edit')).statusCode).toBe(404);
    expect((await page(null, `/comments/${own}/other`)).statusCode).toBe(400);
  });

  it.skipIf(!kind.available)('keeps the anonymous page cached until a comment changes it', async () => {
    await page(null);
    expect((await page(null)).headers['x-cache']).toBe('hit');
    await form(bob, `/papers/${PAPER}/comments`, { body: 'Cache buster' });
    const after = await page(null);
    expect(after.headers['x-cache']).not.toBe('hit');
    expect(after.body).toContain('Cache buster');
  });
});
