/**
 * The import pipeline end to end on real databases (SQLite and PostgreSQL): every fixture format, idempotency, the
 * daily feed with --feature, dry runs and version merging across sources.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ImportSourceError } from '../src/ingest/events.ts';
import { type ImportMessage, type ImportOptions, importStream } from '../src/ingest/import-stream.ts';
import { bytesInput, openFileInput } from '../src/ingest/input.ts';
import { formatImportSummary } from '../src/ingest/summary.ts';
import { type DatabaseHandle, openDatabase } from '../src/storage/database.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';
import { KyselyPaperStore } from '../src/storage/paper-store.ts';
import { databaseKinds, type TestDatabaseKind } from './support/databases.ts';

const FIXTURES = new URL('./fixtures/', import.meta.url);
const fixturePath = (path: string) => new URL(path, FIXTURES).pathname;
const NOW = new Date('2024-06-12T15:00:00Z');
const TIME_ZONE = 'America/New_York';

interface TestDb {
  handle: DatabaseHandle;
  store: KyselyPaperStore;
}

const opened: DatabaseHandle[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((h) => h.close()));
});

async function freshDb(kind: TestDatabaseKind): Promise<TestDb> {
  const { url } = await kind.create();
  const handle = openDatabase(url);
  opened.push(handle);
  await migrateToLatest(handle.db);
  return { handle, store: new KyselyPaperStore(handle.db, () => NOW) };
}

async function importFile(db: TestDb, path: string, options: Partial<ImportOptions> = {}) {
  const messages: ImportMessage[] = [];
  // Named as given (relative), the way a user names a file on the command line.
  const input = { ...(await openFileInput(fixturePath(path))), name: path };
  const summary = await importStream(db.store, input, {
    timeZone: TIME_ZONE,
    now: NOW,
    onMessage: (m) => messages.push(m),
    ...options,
  });
  return { summary, messages };
}

async function dumpTables(db: TestDb) {
  return {
    papers: await db.handle.db.selectFrom('papers').selectAll().orderBy('id').execute(),
    listings: await db.handle.db.selectFrom('listings').selectAll().orderBy('paper_id').execute(),
  };
}

describe.each(databaseKinds())('import on $name', (kind) => {
  it.skipIf(!kind.available)(
    'imports a real OAI-PMH page, skipping the malformed id, and reports the token',
    async () => {
      const db = await freshDb(kind);
      const { summary, messages } = await importFile(db, 'arxiv/oai-arxivraw-1000.xml');
      expect(formatImportSummary(summary)).toBe(
        'arxiv/oai-arxivraw-1000.xml (OAI-PMH arXivRaw): 999 imported (999 new, 0 updated, 0 unchanged), 1 skipped, ' +
          'resumption token 496549|96001 (cursor 95000 of 907096)',
      );
      expect(messages).toEqual([
        {
          kind: 'skipped',
          position: 'record 1 (line 6)',
          text: "invalid arXiv id: '0811.36489' is malformed: ids from 0811 have 4 digits after the dot",
        },
      ]);
      expect(await db.store.countPapers()).toBe(999);
      const paper = await db.store.getPaper('0811.3649');
      expect(paper).toMatchObject({
        title: 'Traces of high powers of the Frobenius class in the hyperelliptic ensemble',
        authors: ['Zeev Rudnick'],
        categories: ['math.NT'],
        firstVersionAt: '2008-11-21T22:59:40.000Z',
        latestVersionAt: '2009-09-01T22:36:30.000Z',
      });
      expect(await db.store.getListing('0811.3649')).toBeNull();
    },
  );

  it.skipIf(!kind.available)('imports the snapshot, the API answers and Hugging Face items', async () => {
    const db = await freshDb(kind);
    const snapshot = await importFile(db, 'arxiv/kaggle-snapshot-200.jsonl');
    expect(snapshot.summary).toMatchObject({ format: 'arxiv-snapshot', imported: 200, inserted: 200, skipped: 0 });
    expect(await db.store.getPaper('0704.0001')).toMatchObject({
      authors: ['C. Balázs', 'E. L. Berger', 'P. M. Nadolsky', 'C.-P. Yuan'],
      versions: [
        { version: 1, created: '2007-04-02T19:18:42.000Z' },
        { version: 2, created: '2007-07-24T20:10:27.000Z' },
      ],
      doi: '10.1103/PhysRevD.76.013009',
    });

    const search = await importFile(db, 'arxiv/api/search-testing-100.xml');
    expect(formatImportSummary(search.summary)).toBe(
      'arxiv/api/search-testing-100.xml (arXiv API Atom): 100 imported (100 new, 0 updated, 0 unchanged), 0 skipped, ' +
        'arXiv API results 1–100 of 214881',
    );
    const empty = await importFile(db, 'arxiv/api/id-0000.0000-empty.xml');
    expect(formatImportSummary(empty.summary)).toBe(
      'arxiv/api/id-0000.0000-empty.xml (arXiv API Atom): 0 imported (0 new, 0 updated, 0 unchanged), 0 skipped, ' +
        'arXiv API: no results',
    );
    const pair = await importFile(db, 'arxiv/api/id-0808.05394-1707.08567.xml');
    expect(pair.summary).toMatchObject({ imported: 1, inserted: 1 });

    const hf = await importFile(db, 'import/hf-daily-papers.json');
    expect(hf.summary).toMatchObject({ format: 'hf-daily-papers', imported: 3, inserted: 3, skipped: 0 });
    expect(await db.store.getPaper('2405.19101')).toMatchObject({
      githubRepo: 'https://github.com/camlab-ethz/poseidon',
      firstVersionAt: '2024-05-29T14:09:07.000Z',
      categories: [],
    });
    expect(await db.store.countPapers()).toBe(304);
  });

  it.skipIf(!kind.available)('is idempotent: a second import changes nothing, byte for byte', async () => {
    const db = await freshDb(kind);
    const files = [
      'arxiv/kaggle-snapshot-200.jsonl',
      'arxiv/oai-arxivraw-1000.xml',
      'arxiv/api/search-testing-100.xml',
      'import/hf-daily-papers.json',
    ];
    for (const file of files) await importFile(db, file, { feature: true });
    const before = await dumpTables(db);
    expect(before.papers).toHaveLength(1302);
    expect(before.listings).toHaveLength(1302);

    for (const file of files) {
      const { summary } = await importFile(db, file, { feature: true, now: new Date('2024-07-01T00:00:00Z') });
      expect(summary).toMatchObject({ inserted: 0, updated: 0, unchanged: summary.imported, listed: 0 });
      expect(summary.alreadyListed).toBe(summary.imported);
    }
    expect(await dumpTables(db)).toEqual(before);
  });

  it.skipIf(!kind.available)(
    'with --feature, lists papers on their source listing or arXiv announcement day',
    async () => {
      const db = await freshDb(kind);
      await importFile(db, 'import/hf-daily-papers.json', { feature: true });
      // Hugging Face listed it at 2024-05-30T00:35Z: still May 29 in New York.
      expect(await db.store.getListing('2405.19101')).toEqual({
        paperId: '2405.19101',
        listedOn: '2024-05-29',
        submittedAt: '2024-05-30T00:35:12.482Z',
        source: 'import',
        submittedByUserId: null,
        comment: null,
        submitter: null,
      });
      // No dates at all: today, in the instance time zone, submitted now.
      expect(await db.store.getListing('2308.06675')).toMatchObject({
        listedOn: '2024-06-12',
        submittedAt: NOW.toISOString(),
      });

      const snapshot = await importFile(db, 'arxiv/kaggle-snapshot-200.jsonl', { feature: true, timeZone: 'UTC' });
      expect(snapshot.summary).toMatchObject({ listed: 200, alreadyListed: 0 });
      // v1 received Mon 2007-04-02 19:18Z (15:18 EDT, after the deadline): announced Tue 20:00 EDT = Wed 00:00 UTC.
      expect(await db.store.getListing('0704.0001')).toMatchObject({ listedOn: '2007-04-04' });
      expect(formatImportSummary(snapshot.summary)).toContain('200 listed on the daily feed');
    },
  );

  it.skipIf(!kind.available)(
    'skips a record the database could not store (a NUL character) and keeps the rest',
    async () => {
      const db = await freshDb(kind);
      const lines = readFileSync(fixturePath('arxiv/kaggle-snapshot-200.jsonl'), 'utf8').split('\n').slice(0, 3);
      lines[1] = lines[1]!.replace('"title":"', '"title":"\\u0000');
      const summary = await importStream(db.store, bytesInput('nul.jsonl', lines.join('\n')), {
        timeZone: TIME_ZONE,
        now: NOW,
      });
      expect(summary).toMatchObject({ imported: 2, inserted: 2, skipped: 1 });
      expect((await dumpTables(db)).papers.map((p) => p.id)).toEqual(['0704.0001', '0704.0003']);
    },
  );

  it.skipIf(!kind.available)('merges versions from different sources', async () => {
    const db = await freshDb(kind);
    await importFile(db, 'arxiv/kaggle-snapshot-200.jsonl');
    const atom = Buffer.from(
      `<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
        <entry><id>http://arxiv.org/abs/0704.0002v3</id><updated>2009-01-05T10:00:00Z</updated>
        <published>2007-03-31T02:26:18Z</published><title>Sparsity-certifying Graph Decompositions (revised)</title>
        <summary>Revised.</summary><author><name>Ileana Streinu</name></author><author><name>Louis Theran</name></author>
        <arxiv:primary_category term="math.CO"/><category term="math.CO"/><category term="cs.CG"/></entry></feed>`,
    );
    const summary = await importStream(db.store, bytesInput('revision.xml', atom), { timeZone: TIME_ZONE, now: NOW });
    expect(summary).toMatchObject({ format: 'arxiv-atom', imported: 1, updated: 1 });
    expect(await db.store.getPaper('0704.0002')).toMatchObject({
      title: 'Sparsity-certifying Graph Decompositions (revised)',
      versions: [
        { version: 1, created: '2007-03-31T02:26:18.000Z' },
        { version: 2, created: '2008-12-13T17:26:00.000Z' },
        { version: 3, created: '2009-01-05T10:00:00.000Z' },
      ],
      // The API does not give these; what the snapshot said stays.
      submitter: 'Louis Theran',
      license: 'http://arxiv.org/licenses/nonexclusive-distrib/1.0/',
    });
  });
});

describe.each(databaseKinds().filter((k) => k.name === 'sqlite'))('import of bad input on $name', (kind) => {
  it('keeps the records before a truncated XML file and reports the cut', async () => {
    const db = await freshDb(kind);
    const { summary, messages } = await importFile(db, 'import/oai-truncated.xml');
    expect(summary).toMatchObject({ imported: 3, inserted: 3, skipped: 2 });
    expect(summary.stopped).toEqual({ position: 'line 114', reason: 'the file ends inside record 5 (truncated)' });
    expect(messages.map((m) => `${m.kind} ${m.position}`)).toEqual([
      'skipped record 1 (line 6)',
      'skipped record 5 (line 106)',
      'stopped line 114',
    ]);
    expect(formatImportSummary(summary)).toBe(
      'import/oai-truncated.xml (OAI-PMH arXivRaw): 3 imported (3 new, 0 updated, 0 unchanged), 2 skipped, ' +
        'stopped early at line 114: the file ends inside record 5 (truncated)',
    );
    expect((await dumpTables(db)).papers.map((p) => p.id)).toEqual(['0811.3649', '0811.3650', '0811.3651']);
  });

  it('skips a broken JSON line and imports the rest', async () => {
    const db = await freshDb(kind);
    const { summary, messages } = await importFile(db, 'import/snapshot-broken-line.jsonl');
    expect(summary).toMatchObject({ imported: 4, inserted: 4, skipped: 1, stopped: null });
    expect(messages).toEqual([{ kind: 'skipped', position: 'line 3', text: expect.stringMatching(/^broken JSON \(/) }]);
    expect((await dumpTables(db)).papers.map((p) => p.id)).toEqual([
      '0704.0001',
      '0704.0002',
      '0704.0004',
      '0704.0005',
    ]);
  });

  it('rejects only the records with bytes that are not UTF-8', async () => {
    const db = await freshDb(kind);
    const lines = await importFile(db, 'import/snapshot-latin1-line.jsonl');
    expect(lines.summary).toMatchObject({ imported: 2, skipped: 1 });
    expect(lines.messages[0]).toMatchObject({ position: 'line 2', text: 'not valid UTF-8 (byte 0xE4 at column 120)' });
    const xml = await importFile(db, 'import/oai-latin1-record.xml');
    expect(xml.summary).toMatchObject({ imported: 2, skipped: 1 });
    expect(xml.messages[0]).toMatchObject({ position: 'record 2 (line 32)', text: 'not valid UTF-8' });
    expect((await dumpTables(db)).papers.map((p) => p.id)).toEqual([
      '0704.0012',
      '0704.0014',
      '0811.3649',
      '0811.3651',
    ]);
  });

  it('counts deleted records apart from skipped ones', async () => {
    const db = await freshDb(kind);
    const { summary } = await importFile(db, 'import/oai-deleted-untitled.xml');
    expect(formatImportSummary(summary)).toBe(
      'import/oai-deleted-untitled.xml (OAI-PMH arXivRaw): 2 imported (2 new, 0 updated, 0 unchanged), 1 skipped, ' +
        '1 deleted on arXiv, end of the list (cursor 906096 of 907096)',
    );
  });

  it.each([
    ['import/empty.jsonl', 'an empty file'],
    ['import/arxiv-abs-page.html', 'an HTML page'],
    ['import/pixel.png', 'a PNG image'],
    ['import/papers.csv', "plain text (it begins 'id,title,authors')"],
  ])('refuses %s in one line and writes nothing', async (path, found) => {
    const db = await freshDb(kind);
    await expect(importFile(db, path)).rejects.toThrow(
      `${path} is ${found}, not a format paperboy imports (accepted: arXiv metadata snapshot JSON lines, `,
    );
    expect(await db.store.countPapers()).toBe(0);
  });

  it("stops on the arXiv API's error feed, writing nothing", async () => {
    const db = await freshDb(kind);
    const error = await importFile(db, 'arxiv/api/id-abc-error-400.xml').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImportSourceError);
    expect((error as Error).message).toBe('arXiv API error: incorrect id format for abc');
    expect(await db.store.countPapers()).toBe(0);
  });

  it('writes nothing in a dry run, but says what would change', async () => {
    const db = await freshDb(kind);
    const dry = await importFile(db, 'arxiv/oai-arxivraw-1000.xml', { dryRun: true, feature: true });
    expect(formatImportSummary(dry.summary)).toBe(
      'dry run, nothing written: arxiv/oai-arxivraw-1000.xml (OAI-PMH arXivRaw): 999 would be imported ' +
        '(999 new, 0 updated, 0 unchanged), 1 skipped, 999 would be listed on the daily feed, ' +
        'resumption token 496549|96001 (cursor 95000 of 907096)',
    );
    expect(await dumpTables(db)).toEqual({ papers: [], listings: [] });

    await importFile(db, 'arxiv/oai-arxivraw-1000.xml', { feature: true, batchSizeRecords: 97 });
    const again = await importFile(db, 'arxiv/oai-arxivraw-1000.xml', { dryRun: true, feature: true });
    expect(again.summary).toMatchObject({ inserted: 0, updated: 0, unchanged: 999, listed: 0, alreadyListed: 999 });
  });

  it('writes in batches, with the same result as one batch', async () => {
    const one = await freshDb(kind);
    const many = await freshDb(kind);
    await importFile(one, 'arxiv/kaggle-snapshot-200.jsonl', { batchSizeRecords: 1000 });
    const progress: number[] = [];
    await importFile(many, 'arxiv/kaggle-snapshot-200.jsonl', {
      batchSizeRecords: 7,
      onProgress: (p) => progress.push(p.records),
    });
    const strip = (rows: Awaited<ReturnType<typeof dumpTables>>) =>
      rows.papers.map(({ created_at, updated_at, ...rest }) => rest);
    expect(strip(await dumpTables(many))).toEqual(strip(await dumpTables(one)));
    expect(progress.length).toBeGreaterThan(20);
    expect(progress.at(-1)).toBe(200);
  });

  it('reads the fixture the same from a stream as from memory', async () => {
    const db = await freshDb(kind);
    const bytes = readFileSync(fixturePath('import/hf-daily-papers-bad-items.txt'));
    const summary = await importStream(db.store, bytesInput('items', bytes), { timeZone: TIME_ZONE, now: NOW });
    expect(summary).toMatchObject({ format: 'hf-daily-papers', imported: 2, skipped: 3 });
  });
});
