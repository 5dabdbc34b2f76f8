/**
 * The ingest store's contract, the same on SQLite and PostgreSQL: runs are started, updated and listed newest first
 * in pages (optionally of one source), their statistics count runs and failures per source and know the last
 * success; named resumable state is read, written, overwritten and deleted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../src/storage/database.ts';
import { KyselyIngestStore, MAX_ERRORS_PER_RUN } from '../src/storage/ingest-store.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';
import { databaseKinds } from './support/databases.ts';

/** A clock the test moves by hand: every read is one second after the previous one. */
function steppingClock(startIso: string): () => Date {
  let at = Date.parse(startIso);
  return () => {
    const now = new Date(at);
    at += 1_000;
    return now;
  };
}

describe.each(databaseKinds())('ingest store on $name', (kind) => {
  let handle: DatabaseHandle;
  let store: KyselyIngestStore;

  beforeAll(async () => {
    if (!kind.available) return;
    const { url } = await kind.create();
    handle = openDatabase(url);
    await migrateToLatest(handle.db);
    store = new KyselyIngestStore(handle.db, steppingClock('2026-03-02T01:00:00.000Z'));
  });
  afterAll(async () => {
    await handle?.close();
  });

  it.skipIf(!kind.available)('knows no runs and no statistics on an empty database', async () => {
    expect(await store.listRuns({ limit: 10 })).toEqual([]);
    expect(await store.countRuns()).toBe(0);
    expect(await store.runStatistics()).toEqual([]);
  });

  it.skipIf(!kind.available)('starts a run as running, then records its outcome and finish time', async () => {
    const id = await store.startRun('daily', { categories: ['cs.LG', 'cs.CV'] });
    expect(id).toBeGreaterThan(0);
    const [started] = await store.listRuns({ limit: 1 });
    expect(started).toEqual({
      id,
      source: 'daily',
      startedAt: '2026-03-02T01:00:00.000Z',
      finishedAt: null,
      status: 'running',
      params: { categories: ['cs.LG', 'cs.CV'] },
      counts: {},
      errors: [],
    });

    await store.updateRun(id, { status: 'running', counts: { announced: 120, fetched: 50 } });
    const [progress] = await store.listRuns({ limit: 1 });
    expect(progress).toMatchObject({ status: 'running', finishedAt: null, counts: { announced: 120, fetched: 50 } });

    await store.updateRun(id, {
      status: 'partial',
      counts: { announced: 120, fetched: 119, inserted: 100, updated: 19, skipped: 1 },
      errors: ['2603.00001 was announced but the API did not return it.'],
    });
    const [done] = await store.listRuns({ limit: 1 });
    expect(done).toMatchObject({
      id,
      status: 'partial',
      counts: { announced: 120, fetched: 119, inserted: 100, updated: 19, skipped: 1 },
      errors: ['2603.00001 was announced but the API did not return it.'],
    });
    expect(done!.finishedAt! > done!.startedAt).toBe(true);
  });

  it.skipIf(!kind.available)('keeps earlier errors when an update gives none, and caps them', async () => {
    const id = await store.startRun('oai', { from: '2026-01-01', until: '2026-01-31', set: 'cs' });
    await store.updateRun(id, { status: 'running', counts: { pages: 1 }, errors: ['Record 3 has no id.'] });
    await store.updateRun(id, { status: 'running', counts: { pages: 2 } });
    expect((await store.listRuns({ limit: 1 }))[0]!.errors).toEqual(['Record 3 has no id.']);

    const many = Array.from({ length: MAX_ERRORS_PER_RUN + 25 }, (_, i) => `Record ${i} is broken.`);
    await store.updateRun(id, { status: 'failed', counts: { pages: 2, skipped: many.length }, errors: many });
    const [failed] = await store.listRuns({ limit: 1 });
    expect(failed!.errors).toHaveLength(MAX_ERRORS_PER_RUN);
    expect(failed!.errors[0]).toBe('Record 0 is broken.');
    expect(failed!.counts.skipped).toBe(MAX_ERRORS_PER_RUN + 25);
    expect(failed!.status).toBe('failed');
    expect(failed!.finishedAt).not.toBeNull();
  });

  it.skipIf(!kind.available)('lists newest first, in pages, optionally of one source, and counts them', async () => {
    const ids: number[] = [];
    for (const source of ['snapshot', 'daily', 'oai', 'daily', 'snapshot'] as const) {
      ids.push(await store.startRun(source, { n: ids.length }));
    }
    const all = await store.listRuns({ limit: 100 });
    expect(all).toHaveLength(7);
    expect(all.map((run) => run.id).slice(0, 5)).toEqual([...ids].reverse());
    const startTimes = all.map((run) => run.startedAt);
    expect([...startTimes].sort().reverse()).toEqual(startTimes);

    const first = await store.listRuns({ limit: 3 });
    const second = await store.listRuns({ limit: 3, offset: 3 });
    const third = await store.listRuns({ limit: 3, offset: 6 });
    expect([...first, ...second, ...third].map((run) => run.id)).toEqual(all.map((run) => run.id));
    expect(third).toHaveLength(1);
    expect(await store.listRuns({ limit: 3, offset: 30 })).toEqual([]);

    const daily = await store.listRuns({ limit: 100, source: 'daily' });
    expect(daily.map((run) => run.source)).toEqual(['daily', 'daily', 'daily']);
    expect(daily[0]!.id).toBe(ids[3]);
    expect(await store.countRuns()).toBe(7);
    expect(await store.countRuns('daily')).toBe(3);
    expect(await store.countRuns('snapshot')).toBe(2);
  });

  it.skipIf(!kind.available)('orders runs started in the same millisecond by id', async () => {
    const frozen = new KyselyIngestStore(handle.db, () => new Date('2026-03-09T00:00:00.000Z'));
    const a = await frozen.startRun('daily', {});
    const b = await frozen.startRun('daily', {});
    const [newest, next] = await frozen.listRuns({ limit: 2 });
    expect([newest!.id, next!.id]).toEqual([b, a]);
    await frozen.updateRun(a, { status: 'interrupted', counts: {} });
    await frozen.updateRun(b, { status: 'ok', counts: { announced: 0 } });
  });

  it.skipIf(!kind.available)('counts runs and failures by source and knows the last success', async () => {
    // Finish the runs the earlier tests left running: snapshot ok then failed, oai ok.
    const running = (await store.listRuns({ limit: 100 })).filter((run) => run.status === 'running');
    for (const run of running.reverse()) {
      const status = run.source === 'snapshot' && run.params.n === 4 ? 'failed' : 'ok';
      await store.updateRun(run.id, { status, counts: {} });
    }
    const runs = await store.listRuns({ limit: 100 });
    const lastSuccess = (source: string) =>
      runs
        .filter((run) => run.source === source && (run.status === 'ok' || run.status === 'partial'))
        .map((run) => run.finishedAt!)
        .sort()
        .at(-1) ?? null;
    const statistics = await store.runStatistics();
    expect(statistics).toEqual([
      { source: 'daily', runs: 5, failures: 0, lastSuccessAt: lastSuccess('daily') },
      { source: 'oai', runs: 2, failures: 1, lastSuccessAt: lastSuccess('oai') },
      { source: 'snapshot', runs: 2, failures: 1, lastSuccessAt: lastSuccess('snapshot') },
    ]);
    expect(lastSuccess('daily')).not.toBeNull();
    for (const row of statistics) {
      expect(typeof row.runs).toBe('number');
      expect(typeof row.failures).toBe('number');
    }
  });

  it.skipIf(!kind.available)('knows no success for a source whose runs all failed', async () => {
    const other = await kind.create();
    const fresh = openDatabase(other.url);
    try {
      await migrateToLatest(fresh.db);
      const s = new KyselyIngestStore(fresh.db);
      const id = await s.startRun('oai', {});
      await s.updateRun(id, { status: 'failed', counts: {}, errors: ['arXiv answered 503 five times.'] });
      await s.startRun('oai', {});
      expect(await s.runStatistics()).toEqual([{ source: 'oai', runs: 2, failures: 1, lastSuccessAt: null }]);
    } finally {
      await fresh.close();
    }
  });

  it.skipIf(!kind.available)('reads, writes, overwrites and deletes named state', async () => {
    expect(await store.getState('oai:cs')).toBeNull();
    await store.setState('oai:cs', { token: '6960524|1001', from: '2026-01-01' });
    expect(await store.getState('oai:cs')).toEqual({ token: '6960524|1001', from: '2026-01-01' });
    await store.setState('oai:cs', { token: '6960524|2001', from: '2026-01-01' });
    expect(await store.getState<{ token: string }>('oai:cs')).toEqual({ token: '6960524|2001', from: '2026-01-01' });
    await store.setState('snapshot:/data/arxiv.jsonl', 123_456_789);
    expect(await store.getState('snapshot:/data/arxiv.jsonl')).toBe(123_456_789);
    await store.setState('flag', false);
    expect(await store.getState('flag')).toBe(false);
    await store.deleteState('oai:cs');
    expect(await store.getState('oai:cs')).toBeNull();
    await store.deleteState('oai:cs');
    expect(await store.getState('snapshot:/data/arxiv.jsonl')).toBe(123_456_789);
    const rows = await handle.db.selectFrom('ingest_state').select(['key', 'updated_at']).orderBy('key').execute();
    expect(rows.map((row) => row.key)).toEqual(['flag', 'snapshot:/data/arxiv.jsonl']);
  });
});
