/**
 * `paperboy users` and `paperboy tokens` as an operator runs them: the real binary on a real SQLite file; exit codes
 * (0, 1 for a conflict with stored data, 2 for unusable arguments), one clear line on stderr on failure, and the new
 * token as the last line of the output, which then works against the API.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashSecretToken } from '../src/accounts/secret-tokens.ts';
import { createTestApp } from './support/app.ts';
import { sqliteKind } from './support/databases.ts';
import { type RunResult, runPaperboy } from './support/processes.ts';

function run(args: string[], databasePath: string): Promise<RunResult> {
  return runPaperboy(args, { DATABASE_URL: `sqlite:${databasePath}`, LOG_LEVEL: 'silent' });
}

const lines = (text: string) => text.split('\n').filter((line) => line.length > 0);

describe('paperboy users and tokens (the binary)', () => {
  it('creates accounts and tokens, refuses bad arguments and conflicts, and the token works', async () => {
    const database = join(mkdtempSync(join(tmpdir(), 'paperboy-cli-accounts-')), 'paperboy.db');

    const created = await run(['users', 'create', 'Ada@Example.org', '--admin', '--username', 'ada'], database);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(lines(created.stdout)).toEqual([
      expect.stringMatching(/^created @ada <ada@example\.org> admin, joined \d{4}-\d{2}-\d{2} \(id 1\)$/),
    ]);

    const derived = await run(['users', 'create', 'grace.hopper@example.org'], database);
    expect(derived.code).toBe(0);
    expect(derived.stdout).toMatch(/^created @grace-hopper <grace\.hopper@example\.org> member/);

    const duplicate = await run(['users', 'create', 'ada@example.org'], database);
    expect(duplicate.code).toBe(1);
    expect(lines(duplicate.stderr)).toEqual(['paperboy: An account with the email ada@example.org exists already.']);

    for (const args of [
      ['users', 'create', 'not-an-address'],
      ['users', 'create', 'x@example.org', '--username', 'has space'],
      ['users', 'create'],
      ['users', 'set-admin', 'ada@example.org'],
      ['tokens', 'create', 'ada@example.org', '--name', ''],
    ]) {
      const refused = await run(args, database);
      expect(refused.code, args.join(' ')).toBe(2);
      expect(refused.stdout).toBe('');
      expect(refused.stderr.trim().length).toBeGreaterThan(0);
    }

    const token = await run(['tokens', 'create', 'ada@example.org', '--name', 'ci'], database);
    expect(token.code).toBe(0);
    const output = lines(token.stdout);
    const secret = output[output.length - 1]!;
    expect(secret).toMatch(/^pb_[A-Za-z0-9_-]{43}$/);
    expect(output[0]).toBe(`created token "ci" for ${lines(created.stdout)[0]!.slice('created '.length)}`);

    const nobody = await run(['tokens', 'create', 'nobody@example.org'], database);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toMatch(/^paperboy: no account has the email nobody@example\.org/);

    const demoted = await run(['users', 'set-admin', 'ada@example.org', '--off'], database);
    expect(demoted.code).toBe(0);
    expect(demoted.stdout).toMatch(/^updated @ada <ada@example\.org> member/);

    const list = await run(['users', 'list'], database);
    expect(list.code).toBe(0);
    expect(lines(list.stdout).map((line) => line.split(' ')[0])).toEqual(['@ada', '@grace-hopper']);

    // The printed token is stored hashed, and signs API requests in as the person.
    const t = await createTestApp(sqliteKind(), { dialect: 'sqlite', path: database });
    try {
      const stored = await t.database.db.selectFrom('api_tokens').select('token_hash').executeTakeFirstOrThrow();
      expect(stored.token_hash).toBe(hashSecretToken(secret));
      const me = await t.app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${secret}` } });
      expect(me.statusCode).toBe(200);
      expect(me.json()).toMatchObject({ username: 'ada', isAdmin: false });
    } finally {
      await t.close();
    }
  }, 120_000);
});
