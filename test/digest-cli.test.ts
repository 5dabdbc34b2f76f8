/** `paperboy digest preview` through the real binary: writes the HTML mail to a file and prints its path. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { todayIn } from '../src/domain/feed-period.ts';
import { openDatabase } from '../src/storage/database.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';
import { KyselyPaperStore } from '../src/storage/paper-store.ts';
import { KyselySubscriptionStore } from '../src/storage/subscription-store.ts';
import { runPaperboy } from './support/processes.ts';
import { testListing, testRecord } from './support/records.ts';

const TODAY = todayIn('UTC');

describe('paperboy digest preview', () => {
  const dir = mkdtempSync(join(tmpdir(), 'paperboy-digest-cli-'));
  const env = {
    DATABASE_URL: `sqlite:${join(dir, 'paperboy.db')}`,
    PAPERBOY_BASE_URL: 'https://papers.example.org',
    PAPERBOY_TIMEZONE: 'UTC',
    LOG_LEVEL: 'silent',
  };

  beforeAll(async () => {
    const handle = openDatabase({ dialect: 'sqlite', path: join(dir, 'paperboy.db') });
    await migrateToLatest(handle.db);
    await new KyselyPaperStore(handle.db).upsertPapersAndListings(
      [
        testRecord('2611.00101', { title: 'Top & <first>' }),
        testRecord('2611.00102', { title: 'Second', categories: ['cs.CV'] }),
      ],
      [
        testListing('2611.00101', TODAY, `${TODAY}T05:00:00.000Z`),
        testListing('2611.00102', TODAY, `${TODAY}T04:00:00.000Z`),
      ],
    );
    await new KyselySubscriptionStore(handle.db).requestSubscription(
      {
        email: 'reader@example.org',
        cadence: 'weekly',
        weeklyDay: 1,
        topics: { categories: ['cs.CV'], authors: [], keywords: [] },
        userId: null,
      },
      new Date(),
    );
    await handle.close();
  });

  it('writes the HTML to the file given and prints its path', async () => {
    const out = join(dir, 'preview.html');
    const result = await runPaperboy(['digest', 'preview', '--cadence', 'weekly', '--out', out], {
      ...env,
      PAPERBOY_DIGEST_SIZE: '1',
    });
    expect(result.stderr).toContain("subject: This week's trending papers");
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(out);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('Top &amp; &lt;first&gt;');
    expect(html).toContain('https://papers.example.org/papers/2611.00101');
    expect(html).not.toContain('2611.00102'); // size 1, and no topics without --email
    expect(html).not.toMatch(/<img|<script/i);
  });

  it("uses a subscription's topics with --email, and writes ./digest-preview.html by default", async () => {
    const result = await runPaperboy(['digest', 'preview', '--email', 'reader@example.org'], {
      ...env,
      PAPERBOY_DIGEST_SIZE: '1',
    });
    expect(result.code).toBe(0);
    const path = result.stdout.trim();
    try {
      expect(path.endsWith('/digest-preview.html')).toBe(true);
      const html = readFileSync(path, 'utf8');
      expect(html).toContain('For you');
      expect(html).toContain('https://papers.example.org/papers/2611.00102');
      expect(html).toContain('in cs.CV');
    } finally {
      rmSync(path, { force: true });
    }
  });

  it('refuses an unknown address, a bad cadence and an empty instance, each in one line', async () => {
    const unknown = await runPaperboy(
      ['digest', 'preview', '--email', 'nobody@example.org', '--out', join(dir, 'x.html')],
      env,
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no live subscription has the address nobody@example.org');
    const bad = await runPaperboy(['digest', 'preview', '--cadence', 'hourly'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('The cadence must be "daily" or "weekly".');
    const empty = await runPaperboy(['digest', 'preview', '--out', join(dir, 'empty.html')], {
      ...env,
      DATABASE_URL: `sqlite:${join(dir, 'empty.db')}`,
    });
    expect(empty.code).toBe(1);
    expect(empty.stderr.trim()).toBe(
      'paperboy: the instance has no papers yet, so no digest would be sent (nothing written)',
    );
  });
});
