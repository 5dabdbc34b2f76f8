/**
 * The import baseline, run as its own process: the least work any importer of the arXiv snapshot into Paperboy's
 * SQLite schema must do. It reads the JSON lines, parses each one, maps it to a `papers` row (the same columns,
 * JSON-encoding authors and versions, ISO timestamps, whitespace collapsed) and inserts the rows with one prepared
 * statement in transactions of the given batch size. No merging, no validation beyond what the mapping needs. The
 * rows it writes are the importer's, byte for byte (import-bench.ts checks), apart from the created/updated times.
 *
 * Usage: node bin/run-ts.js bench/raw-insert.ts SNAPSHOT.jsonl DB_PATH BATCH_SIZE
 * Prints one JSON line: `{"papers": N, "seconds": S}` (seconds from opening the file to the last commit).
 */
import { createReadStream } from 'node:fs';
import SQLite from 'better-sqlite3';
import { openDatabase } from '../src/storage/database.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';
import type { SnapshotRecord } from './synthetic-arxiv.ts';

/** Read size for the snapshot file, in bytes. */
const READ_CHUNK_BYTES = 1 << 20;
/** The same connection settings as Paperboy's own (src/storage/database.ts). */
const PRAGMAS = ['journal_mode = WAL', 'synchronous = NORMAL', 'foreign_keys = ON'] as const;

const COLUMNS = [
  'id',
  'title',
  'abstract',
  'authors',
  'categories',
  'primary_category',
  'versions',
  'latest_version',
  'first_version_at',
  'latest_version_at',
  'comments',
  'journal_ref',
  'doi',
  'report_no',
  'license',
  'submitter',
  'github_repo',
  'project_page',
  'created_at',
  'updated_at',
] as const;

type Row = unknown[];

const [snapshotPath, dbPath, batchSizeText] = process.argv.slice(2);
if (!snapshotPath || !dbPath || !batchSizeText) {
  console.error('usage: raw-insert.ts SNAPSHOT.jsonl DB_PATH BATCH_SIZE');
  process.exit(2);
}
const batchSize = Number(batchSizeText);

await createSchema(dbPath);
const result = await insertSnapshot(snapshotPath, dbPath, batchSize);
console.log(JSON.stringify(result));

/** The real migrations, so that the table, its indexes and its defaults are exactly Paperboy's. */
async function createSchema(path: string): Promise<void> {
  const handle = openDatabase({ dialect: 'sqlite', path });
  try {
    await migrateToLatest(handle.db);
  } finally {
    await handle.close();
  }
}

async function insertSnapshot(path: string, database: string, rowsPerTransaction: number) {
  const started = performance.now();
  const db = new SQLite(database);
  for (const pragma of PRAGMAS) db.pragma(pragma);
  const insert = db.prepare(`INSERT INTO papers (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`);
  const insertBatch = db.transaction((rows: Row[]) => {
    for (const row of rows) insert.run(row);
  });
  const nowIso = new Date().toISOString();
  let papers = 0;
  let batch: Row[] = [];
  let carry = '';
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: READ_CHUNK_BYTES })) {
    const lines = (carry + chunk).split('\n');
    carry = lines.pop() ?? '';
    for (const line of lines) {
      if (line.length === 0) continue;
      batch.push(snapshotLineToRow(line, nowIso));
      if (batch.length === rowsPerTransaction) {
        insertBatch(batch);
        papers += batch.length;
        batch = [];
      }
    }
  }
  if (carry.length > 0) batch.push(snapshotLineToRow(carry, nowIso));
  if (batch.length > 0) insertBatch(batch);
  papers += batch.length;
  db.close();
  return { papers, seconds: (performance.now() - started) / 1000 };
}

/**
 * Every whitespace run as one space, trimmed: what Paperboy stores for a title, and for a one-paragraph abstract
 * (all synthetic abstracts are). The pattern matches only runs that need changing, not every single space.
 */
function collapseWhitespace(text: string): string {
  return text.replace(/[^\S ]\s*| \s+/g, ' ').trim();
}

/** One snapshot line as a `papers` row, in COLUMNS order. */
function snapshotLineToRow(line: string, nowIso: string): Row {
  const record = JSON.parse(line) as SnapshotRecord;
  const authors = record.authors_parsed.map(([last, first, suffix]) => [first, last, suffix].filter(Boolean).join(' '));
  const versions = record.versions.map((v) => ({
    version: Number(v.version.slice(1)),
    created: new Date(v.created).toISOString(),
  }));
  const categories = record.categories.split(' ');
  return [
    record.id,
    collapseWhitespace(record.title),
    collapseWhitespace(record.abstract),
    JSON.stringify(authors),
    categories.join(' '),
    categories[0] ?? null,
    JSON.stringify(versions),
    versions.at(-1)?.version ?? 0,
    versions[0]?.created ?? null,
    versions.at(-1)?.created ?? null,
    record.comments,
    record['journal-ref'],
    record.doi,
    record['report-no'],
    record.license,
    record.submitter,
    null,
    null,
    nowIso,
    nowIso,
  ];
}
