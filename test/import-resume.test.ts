/**
 * Resumable imports of JSON-lines files (src/ingest/snapshot-resume.ts), on SQLite and PostgreSQL: the real binary
 * killed with SIGKILL in the middle of a generated snapshot of tens of thousands of records, then run again (it
 * resumes at the saved line, every record is imported exactly once, the counts add up); and in process: a database
 * failure mid-file, line numbers of skipped records after a resume, --restart, and a changed file starting over.
 */
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PaperRecord } from '../src/domain/paper.ts';
import type { ImportMessage } from '../src/ingest/import-stream.ts';
import { fingerprintFile, importFileResumably, type SnapshotResume } from '../src/ingest/snapshot-resume.ts';
import { type DatabaseHandle, openDatabase } from '../src/storage/database.ts';
import { KyselyIngestStore } from '../src/storage/ingest-store.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';
import { KyselyPaperStore, type Listing, type PaperStore } from '../src/storage/paper-store.ts';
import { databaseKinds, type TestDatabaseKind } from './support/databases.ts';
import { runPaperboy, startPaperboy } from './support/processes.ts';

const SNAPSHOT_FIXTURE = new URL('./fixtures/arxiv/kaggle-snapshot-200.jsonl', import.meta.url).pathname;
/** Records in the generated snapshot: tens of thousands, so that a kill lands in the middle. */
const GENERATED_RECORDS = 20_000;
/** The kill comes once this many lines are committed (a few batches of 500). */
const KILL_AFTER_LINES = 1_500;
const POLL_INTERVAL_MS = 20;

let dir: string;
let generated: string;

/** Real snapshot lines (the 200 of the fixture, over and over) with ids 2101.00001, 2101.00002, ... */
function generateSnapshot(path: string, records: number, firstNumber = 1): void {
  const lines = readFileSync(SNAPSHOT_FIXTURE, 'utf8').trim().split('\n');
  const out: string[] = [];
  for (let i = 0; i < records; i += 1) {
    const record = JSON.parse(lines[i % lines.length]!) as Record<string, unknown>;
    record.id = `2101.${String(firstNumber + i).padStart(5, '0')}`;
    out.push(JSON.stringify(record));
  }
  writeFileSync(path, `${out.join('\n')}\n`);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'paperboy-import-resume-'));
  generated = join(dir, 'snapshot.jsonl');
  generateSnapshot(generated, GENERATED_RECORDS);
});

const opened: DatabaseHandle[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((h) => h.close()));
});
afterAll(async () => {
  await Promise.all(opened.splice(0).map((h) => h.close()));
});

async function openStores(url: Parameters<typeof openDatabase>[0]) {
  const handle = openDatabase(url);
  opened.push(handle);
  await migrateToLatest(handle.db);
  return { handle, papers: new KyselyPaperStore(handle.db), ingest: new KyselyIngestStore(handle.db) };
}

async function paperCount(handle: DatabaseHandle): Promise<number> {
  const row = await handle.db
    .selectFrom('papers')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

interface SavedPosition {
  line: number;
  offsetBytes: number;
  totals: { imported: number; inserted: number };
}

describe.each(databaseKinds())('paperboy import resumes after being killed, on $name', (kind: TestDatabaseKind) => {
  it.skipIf(!kind.available)(
    'continues at the saved line: every record once, the counts add up, the committed part is not read again',
    async () => {
      const { url, urlText } = await kind.create();
      const env = { DATABASE_URL: urlText, PAPERBOY_TIMEZONE: 'America/New_York' };
      const { handle, ingest } = await openStores(url);
      const { key } = await fingerprintFile(generated);

      const child = startPaperboy(['import', generated], env);
      let saved: SavedPosition | null = null;
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        saved = await ingest.getState<SavedPosition>(key);
        if (saved && saved.line >= KILL_AFTER_LINES) break;
        await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
      }
      child.child.kill('SIGKILL');
      expect(await child.exited).toEqual({ code: null, signal: 'SIGKILL' });

      // Killed in the middle, after some batches were committed.
      saved = await ingest.getState<SavedPosition>(key);
      expect(saved).not.toBeNull();
      const { line, offsetBytes } = saved!;
      expect(line % 500).toBe(0);
      expect(line).toBeGreaterThanOrEqual(KILL_AFTER_LINES);
      expect(line).toBeLessThan(GENERATED_RECORDS);
      expect(saved!.totals).toMatchObject({ imported: line, inserted: line });
      // The offset is the start of the next line.
      const bytes = readFileSync(generated);
      expect(bytes[offsetBytes - 1]).toBe(0x0a);
      expect(bytes.subarray(0, offsetBytes).toString('utf8').split('\n').length - 1).toBe(line);
      // Committed papers: the saved lines, and at most one batch committed before the kill but not yet saved.
      const committed = await paperCount(handle);
      expect(committed - line).toBeGreaterThanOrEqual(0);
      expect(committed - line).toBeLessThanOrEqual(500);

      const second = await runPaperboy(['import', generated], env);
      expect(second.stderr).toMatch(
        new RegExp(
          `^resuming at line ${line + 1} / byte ${offsetBytes} of ${generated} \\(${line} records read before, saved .+Z\\)\n$`,
        ),
      );
      expect(second.stdout).toBe(
        `${generated} (arXiv metadata snapshot JSON lines): ${GENERATED_RECORDS - line} imported ` +
          `(${GENERATED_RECORDS - committed} new, 0 updated, ${committed - line} unchanged), 0 skipped\n`,
      );
      expect(second.code).toBe(0);
      expect(await paperCount(handle)).toBe(GENERATED_RECORDS);
      expect(await ingest.getState(key)).toBeNull();
      const runs = await ingest.listRuns({ limit: 5, source: 'snapshot' });
      expect(runs.map((r) => r.status)).toEqual(['ok', 'interrupted']);
      expect(runs[0]!.params).toMatchObject({ resumedAtLine: line + 1, resumedAtByte: offsetBytes });
      expect(runs[0]!.counts).toMatchObject({ imported: GENERATED_RECORDS - line });
      // The killed run's counts, as of its last batch (the kill may fall between saving the position and them).
      const killedRun = runs[1]!.counts as { imported: number };
      expect(line - killedRun.imported).toBeGreaterThanOrEqual(0);
      expect(line - killedRun.imported).toBeLessThanOrEqual(500);
    },
    120_000,
  );
});

/** A store that fails its `failOnCall`-th batch, as a database that goes away mid-import. */
function failingStore(store: PaperStore, failOnCall: number): PaperStore {
  let calls = 0;
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'upsertPapersAndListings') {
        return async (records: PaperRecord[], listings: Listing[]) => {
          calls += 1;
          if (calls === failOnCall) throw new Error('connection lost');
          return target.upsertPapersAndListings(records, listings);
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe.each(databaseKinds())('importFileResumably on $name', (kind: TestDatabaseKind) => {
  const options = { format: 'arxiv-snapshot' as const, timeZone: 'America/New_York', batchSizeRecords: 100 };

  it.skipIf(!kind.available)(
    'resumes after a database failure, and numbers skipped lines in the whole file',
    async () => {
      const stores = await openStores((await kind.create()).url);
      const file = join(dir, `small-${kind.name}.jsonl`);
      generateSnapshot(file, 450);
      appendFileSync(file, '{"id": "not-an-id", "title": "Broken"}\n');
      const failing = { papers: failingStore(stores.papers, 3), ingest: stores.ingest };
      await expect(importFileResumably(failing, file, 'small.jsonl', options)).rejects.toThrow(
        /database error while importing small\.jsonl \(200 records written before it\): connection lost/,
      );
      expect(await paperCount(stores.handle)).toBe(200);
      const [failed] = await stores.ingest.listRuns({ limit: 1, source: 'snapshot' });
      expect(failed?.status).toBe('failed');

      const resumes: SnapshotResume[] = [];
      const messages: ImportMessage[] = [];
      const result = await importFileResumably(stores, file, 'small.jsonl', {
        ...options,
        onResume: (r) => resumes.push(r),
        onMessage: (m) => messages.push(m),
      });
      expect(resumes).toEqual([expect.objectContaining({ line: 200, recordsBefore: 200 })]);
      expect(result.summary).toMatchObject({ imported: 250, inserted: 250, unchanged: 0, skipped: 1 });
      expect(result.totals).toEqual({ imported: 450, inserted: 450, updated: 0, unchanged: 0, skipped: 1 });
      expect(messages.map((m) => m.position)).toEqual(['line 451']);
      expect(await paperCount(stores.handle)).toBe(450);
      const runs = await stores.ingest.listRuns({ limit: 5, source: 'snapshot' });
      expect(runs.map((r) => r.status)).toEqual(['partial', 'failed']);
      expect(runs[0]!.errors).toEqual([
        "line 451: invalid arXiv id: 'not-an-id' is not an arXiv id (expected e.g. 2206.00927 or hep-th/9901001)",
      ]);
    },
  );

  it.skipIf(!kind.available)('reads from the start with restart, or when the file changed', async () => {
    const stores = await openStores((await kind.create()).url);
    const file = join(dir, `changing-${kind.name}.jsonl`);
    generateSnapshot(file, 300);
    const failing = () => ({ papers: failingStore(stores.papers, 2), ingest: stores.ingest });
    await expect(importFileResumably(failing(), file, 'f', options)).rejects.toThrow(/connection lost/);

    const restarted = await importFileResumably(stores, file, 'f', { ...options, restart: true });
    expect(restarted.resumed).toBeNull();
    expect(restarted.summary).toMatchObject({ imported: 300, inserted: 200, unchanged: 100 });

    await expect(importFileResumably(failing(), file, 'f', options)).rejects.toThrow(/connection lost/);
    const before = await fingerprintFile(file);
    generateSnapshot(file, 300, 1001);
    expect((await fingerprintFile(file)).key).not.toBe(before.key);
    const changed = await importFileResumably(stores, file, 'f', options);
    expect(changed.resumed).toBeNull();
    expect(changed.summary).toMatchObject({ imported: 300, inserted: 300 });
  });
});
