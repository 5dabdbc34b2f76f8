/**
 * `paperboy import` as a user runs it: the real binary, a real SQLite file, files and standard input; exit codes,
 * the exact stdout/stderr lines, and no progress output when stderr is not a terminal.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { type RunResult, runPaperboy } from './support/processes.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const fixture = (path: string) => join('test/fixtures', path);

function freshDatabasePath(): string {
  return join(mkdtempSync(join(tmpdir(), 'paperboy-import-cli-')), 'paperboy.db');
}

/** Runs the binary from the repository root with stdin from `input` (or closed) and a given SQLite file. */
function run(args: string[], databasePath: string, input?: Buffer): Promise<RunResult> {
  return runPaperboy(args, { DATABASE_URL: `sqlite:${databasePath}`, PAPERBOY_TIMEZONE: 'America/New_York' }, input);
}

function paperIds(databasePath: string): string[] {
  if (!existsSync(databasePath)) return [];
  const db = new Database(databasePath, { readonly: true });
  try {
    return (db.prepare('select id from papers order by id').all() as Array<{ id: string }>).map((r) => r.id);
  } finally {
    db.close();
  }
}

const lines = (text: string) => text.split('\n').filter((line) => line.length > 0);

describe.concurrent('paperboy import (the binary)', () => {
  it('imports files, prints a summary per file and the skips, exits 3, and draws no progress off a terminal', async () => {
    const db = freshDatabasePath();
    const result = await run(
      ['import', fixture('arxiv/oai-arxivraw-1000.xml'), fixture('import/snapshot-broken-line.jsonl')],
      db,
    );
    expect(result.code).toBe(3);
    expect(lines(result.stdout)).toEqual([
      'test/fixtures/arxiv/oai-arxivraw-1000.xml (OAI-PMH arXivRaw): 999 imported (999 new, 0 updated, 0 unchanged), ' +
        '1 skipped, resumption token 496549|96001 (cursor 95000 of 907096)',
      'test/fixtures/import/snapshot-broken-line.jsonl (arXiv metadata snapshot JSON lines): 4 imported ' +
        '(4 new, 0 updated, 0 unchanged), 1 skipped',
    ]);
    const errors = lines(result.stderr);
    expect(errors).toHaveLength(3);
    expect(errors[0]).toBe(
      "test/fixtures/arxiv/oai-arxivraw-1000.xml: record 1 (line 6): skipped: invalid arXiv id: '0811.36489' is " +
        'malformed: ids from 0811 have 4 digits after the dot',
    );
    expect(errors[1]).toMatch(/^test\/fixtures\/import\/snapshot-broken-line\.jsonl: line 3: skipped: broken JSON \(/);
    expect(errors[2]).toBe('paperboy: 2 of 2 inputs: 2 records skipped (see above); the rest was imported');
    // Nothing else: no progress bar, no carriage returns or escape codes.
    expect(result.stderr).not.toContain('\r');
    expect(result.stderr).not.toContain('\u001b[');
    expect(result.stderr).not.toContain('records/s');
    expect(paperIds(db)).toHaveLength(1003);
  });

  it('reads standard input with -', async () => {
    const db = freshDatabasePath();
    const input = readFileSync(join(ROOT, fixture('import/hf-daily-papers.json')));
    const first = await run(['import', '--feature', '-'], db, input);
    expect(first).toEqual({
      code: 0,
      stdout:
        'stdin (Hugging Face daily_papers JSON): 3 imported (3 new, 0 updated, 0 unchanged), 0 skipped, ' +
        '3 listed on the daily feed\n',
      stderr: '',
    });
    expect(paperIds(db)).toEqual(['2308.06675', '2310.13268', '2405.19101']);
  });

  it('refuses an unknown format in one line before writing anything, even for the good files given with it', async () => {
    const db = freshDatabasePath();
    const result = await run(['import', fixture('arxiv/kaggle-snapshot-200.jsonl'), fixture('import/pixel.png')], db);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'paperboy: test/fixtures/import/pixel.png is a PNG image, not a format paperboy imports (accepted: arXiv ' +
        'metadata snapshot JSON lines, Paperboy sample JSON lines, OAI-PMH ListRecords XML (arXivRaw), arXiv API Atom ' +
        'XML, Hugging Face daily_papers JSON)\n',
    );
    expect(paperIds(db)).toEqual([]);
  });

  it('says which file is missing', async () => {
    const db = freshDatabasePath();
    const result = await run(['import', 'no/such/file.xml'], db);
    expect(result).toEqual({ code: 1, stdout: '', stderr: 'paperboy: cannot read no/such/file.xml: no such file\n' });
  });

  it("reports the arXiv API's error answer in one line", async () => {
    const db = freshDatabasePath();
    const result = await run(['import', fixture('arxiv/api/id-abc-error-400.xml')], db);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: 'paperboy: test/fixtures/arxiv/api/id-abc-error-400.xml: arXiv API error: incorrect id format for abc\n',
    });
    expect(paperIds(db)).toEqual([]);
  });

  it('prints the first 20 skips, then how many more; and writes nothing on a dry run', async () => {
    const db = freshDatabasePath();
    const dir = mkdtempSync(join(tmpdir(), 'paperboy-import-cli-'));
    const file = join(dir, 'many-bad.jsonl');
    const bad = Array.from({ length: 25 }, (_, i) => `{"id": "bad-${i}", "title": "T"}`);
    const good = readFileSync(join(ROOT, fixture('arxiv/kaggle-snapshot-200.jsonl')), 'utf8').split('\n')[0];
    writeFileSync(file, `${good}\n${bad.join('\n')}\n`);
    const result = await run(['import', '--dry-run', '--feature', file], db);
    expect(result.code).toBe(3);
    const errors = lines(result.stderr);
    expect(errors).toHaveLength(22);
    expect(errors[0]).toBe(
      `${file}: line 2: skipped: invalid arXiv id: 'bad-0' is not an arXiv id (expected e.g. 2206.00927 or hep-th/9901001)`,
    );
    expect(errors[19]).toMatch(new RegExp(`^${file}: line 21: skipped: `));
    expect(errors[20]).toBe(`${file}: …and 5 more`);
    expect(errors[21]).toBe(
      `paperboy: ${file}: 25 records skipped (see above); the rest would be imported; nothing was written`,
    );
    expect(result.stdout).toBe(
      `dry run, nothing written: ${file} (arXiv metadata snapshot JSON lines): 1 would be imported ` +
        '(1 new, 0 updated, 0 unchanged), 25 skipped, 1 would be listed on the daily feed\n',
    );
    expect(paperIds(db)).toEqual([]);
    // Not even an empty database file was created for the dry run.
    expect(existsSync(db)).toBe(false);
  });

  it('explains itself with --help, and treats bad usage as exit 2', async () => {
    const db = freshDatabasePath();
    const help = await run(['import', '--help'], db);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: paperboy import [options] <files...>');
    expect(help.stdout).toContain('--dry-run');
    expect(help.stdout).toContain('OAI-PMH ListRecords XML (arXivRaw)');
    expect(help.stdout).toMatch(/Exit codes:\n {2}0 +every record was imported\n {2}3 /);
    const none = await run(['import', '--fast'], db);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("error: unknown option '--fast'");
  });
});
