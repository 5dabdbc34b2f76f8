/**
 * `paperboy ingest oai` as an operator runs it: the real binary against the OAI-PMH replay, with arXiv's real 3 s
 * spacing between pages; killed with SIGKILL after its first page and run again, it resumes at page 2 and the
 * catalogue ends up complete, each paper once. Usage errors exit 2 before anything is written.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oaiStateKey } from '../src/ingest/oai-harvest.ts';
import { openDatabase } from '../src/storage/database.ts';
import { KyselyIngestStore } from '../src/storage/ingest-store.ts';
import { OAI_HARVEST, type OaiReplay, startOaiReplay } from './support/oai-replay.ts';
import { runPaperboy, startPaperboy } from './support/processes.ts';

const RANGE = { from: '2008-11-01', until: '2009-04-30', set: 'cs' };
const ARGS = ['ingest', 'oai', '--from', RANGE.from, '--until', RANGE.until, '--set', 'cs'];

let oai: OaiReplay;
beforeAll(async () => {
  oai = await startOaiReplay();
});
afterAll(async () => {
  await oai?.close();
});

function environment(): { env: Record<string, string>; path: string } {
  const path = join(mkdtempSync(join(tmpdir(), 'paperboy-oai-cli-')), 'paperboy.db');
  return {
    path,
    env: {
      DATABASE_URL: `sqlite:${path}`,
      PAPERBOY_ARXIV_OAI_URL: oai.url,
      PAPERBOY_BASE_URL: 'https://papers.example.org',
      PAPERBOY_TIMEZONE: 'America/New_York',
    },
  };
}

describe('paperboy ingest oai (the binary)', () => {
  it.each([
    [
      ['--from', '2023-02-29', '--until', '2023-03-31'],
      "paperboy: --from must be a date as YYYY-MM-DD, not '2023-02-29'\n",
    ],
    [['--from', '2024-03-01', '--until', '2024-02-01'], 'paperboy: --from 2024-03-01 is after --until 2024-02-01\n'],
  ])('refuses %j with exit 2', async (args, stderr) => {
    const { env } = environment();
    const result = await runPaperboy(['ingest', 'oai', ...args], env);
    expect(result).toEqual({ code: 2, stdout: '', stderr });
  });

  it('refuses a missing --until with exit 2', async () => {
    const result = await runPaperboy(['ingest', 'oai', '--from', '2024-01-01'], environment().env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("required option '--until <YYYY-MM-DD>' not specified");
  });

  it('killed after its first page, resumes at page 2 when run again, and ends with every paper once', async () => {
    const { env, path } = environment();
    oai.requests.length = 0;
    const child = startPaperboy(ARGS, env);
    const handle = openDatabase({ dialect: 'sqlite', path });
    try {
      const ingest = new KyselyIngestStore(handle.db);
      const deadline = Date.now() + 30_000;
      // The token of page 2 is saved right after page 1 is committed; the next request is 3 s later.
      while (Date.now() < deadline) {
        const saved = await ingest.getState(oaiStateKey(RANGE)).catch(() => null);
        if (saved) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      child.child.kill('SIGKILL');
      expect((await child.exited).signal).toBe('SIGKILL');
      expect(oai.requests.map((r) => r.served)).toEqual(['page-1.xml']);
      expect(oai.requests[0]!.headers['user-agent']).toBe('Paperboy/0.1 (+https://papers.example.org)');

      const second = await runPaperboy(ARGS, env);
      expect(second.code).toBe(0);
      expect(second.stdout).toBe(
        'OAI-PMH 2008-11-01..2009-04-30 (set cs): 2 pages, 600 records: 599 imported (599 new, 0 updated, ' +
          '0 unchanged), 0 skipped, 1 deleted on arXiv, resumed at page 2\n',
      );
      expect(second.stderr.split('\n')).toEqual([
        expect.stringMatching(
          /^resuming the harvest at page 2 \(resumption token 6130925\|401, 400 records done, saved .+Z\)$/,
        ),
        'page 3: record 100 (line 2267): skipped: deleted on arXiv (oai:arXiv.org:0811.4547)',
        '',
      ]);
      expect(oai.requests.map((r) => r.served)).toEqual(['page-1.xml', 'page-2.xml', 'page-3.xml']);
      // arXiv's spacing: at least 3 s from the end of one request to the start of the next.
      expect(oai.requests[2]!.receivedAt - oai.requests[1]!.answeredAt!).toBeGreaterThanOrEqual(2_990);

      const papers = await handle.db
        .selectFrom('papers')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(papers.n)).toBe(OAI_HARVEST.papers);
      expect(await ingest.getState(oaiStateKey(RANGE))).toBeNull();
      const runs = await ingest.listRuns({ limit: 5, source: 'oai' });
      expect(runs.map((r) => r.status)).toEqual(['ok', 'interrupted']);
      expect(runs[1]!.counts).toMatchObject({ pages: 1, inserted: 399, skipped: 1 });
    } finally {
      await handle.close();
    }
  }, 60_000);
});
