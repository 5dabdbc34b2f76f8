/**
 * The worker's schedule in process, on SQLite and PostgreSQL: job leases claimed by one conditional statement (one
 * winner among simultaneous claims, on separate connections), the scheduler's passes (due, not due, lease held, done
 * elsewhere, failures backing off), and the daily ingest job against the local feed and API replays.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { type ArxivApiClient, createArxivApiClient } from '../src/ingest/arxiv-api-client.ts';
import { type DatabaseHandle, openDatabase } from '../src/storage/database.ts';
import { KyselyIngestStore } from '../src/storage/ingest-store.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';
import { KyselyPaperStore } from '../src/storage/paper-store.ts';
import { createDailyIngestJob, type DailyJobState } from '../src/worker/daily-job.ts';
import { KyselyJobLeases } from '../src/worker/leases.ts';
import type { WorkerLog } from '../src/worker/log.ts';
import { createScheduler, type ScheduledJob } from '../src/worker/scheduler.ts';
import { type ArxivReplay, startArxivReplay } from './support/arxiv-replay.ts';
import { type ArxivRssReplay, startArxivRssReplay, WEEKDAY_FEED } from './support/arxiv-rss-replay.ts';
import { databaseKinds, type TestDatabaseKind } from './support/databases.ts';

const BASE_URL = 'http://papers.test';
/** Thursday 2026-02-19, 20:30 New York time: the first slot after the announcement the weekday feed carries. */
const THURSDAY_SLOT = new Date('2026-02-20T01:30:00Z');

let api: ArxivReplay;
let rss: ArxivRssReplay;
const opened: DatabaseHandle[] = [];
const clients: ArxivApiClient[] = [];

beforeAll(async () => {
  api = await startArxivReplay();
  rss = await startArxivRssReplay({ upstreamApiUrl: api.url });
});
afterAll(async () => {
  await rss?.close();
  await api?.close();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(opened.splice(0).map((h) => h.close()));
  api.requests.length = 0;
  rss.requests.length = 0;
  rss.useFeed(WEEKDAY_FEED);
});

/** A log that keeps its lines, for assertions. */
function memoryLog(): WorkerLog & { lines: string[] } {
  const lines: string[] = [];
  const keep = (level: string) => (message: string) => void lines.push(`${level}: ${message}`);
  return { lines, info: keep('info'), warn: keep('warn'), error: keep('error') };
}

/** A database, and a second connection to it when asked (another worker process's view). */
async function database(kind: TestDatabaseKind, connections = 1): Promise<DatabaseHandle[]> {
  const { url } = await kind.create();
  const handles = Array.from({ length: connections }, () => openDatabase(url));
  opened.push(...handles);
  await migrateToLatest(handles[0]!.db);
  return handles;
}

function dailyJob(handle: DatabaseHandle, categories = 'cs.LG,cs.CV'): ScheduledJob<DailyJobState> {
  const arxiv = createArxivApiClient({ endpoint: api.url, baseUrl: BASE_URL, minRequestSpacingMs: 20 });
  clients.push(arxiv);
  const config = loadConfig({
    PAPERBOY_CATEGORIES: categories,
    PAPERBOY_ARXIV_RSS_URL: rss.url,
    PAPERBOY_BASE_URL: BASE_URL,
  });
  return createDailyIngestJob({
    store: new KyselyPaperStore(handle.db),
    ingestStore: new KyselyIngestStore(handle.db),
    arxiv,
    config,
    feedFetch: { backoffBaseMs: 20, requestTimeoutMs: 500, maxAttempts: 2 },
  });
}

function scheduler(
  handle: DatabaseHandle,
  jobs: ScheduledJob<unknown>[],
  clock: { now: Date },
  holder = 'worker-a',
  log = memoryLog(),
) {
  return createScheduler({
    jobs,
    state: new KyselyIngestStore(handle.db),
    leases: new KyselyJobLeases(handle.db, () => clock.now),
    holder,
    log,
    now: () => clock.now,
    pollMs: 50,
    errorBackoffMs: 60_000,
  });
}

describe.each(databaseKinds())('job leases on $name', (kind) => {
  it.skipIf(!kind.available)('are held by one holder until released or expired', async () => {
    const [handle] = await database(kind);
    const clock = { now: new Date('2026-02-20T01:30:00Z') };
    const leases = new KyselyJobLeases(handle!.db, () => clock.now);
    const a = await leases.claim('daily', 'worker-a', 60_000);
    expect(a).not.toBeNull();
    expect(await leases.claim('daily', 'worker-b', 60_000)).toBeNull();
    // Another job's lease is independent.
    expect(await leases.claim('digest', 'worker-b', 60_000)).not.toBeNull();
    // Renewed, it lasts from the renewal.
    clock.now = new Date('2026-02-20T01:30:50Z');
    expect(await leases.renew(a!)).toBe(true);
    clock.now = new Date('2026-02-20T01:31:30Z');
    expect(await leases.claim('daily', 'worker-b', 60_000)).toBeNull();
    // Expired: taken over; the old holder can neither renew nor release it.
    clock.now = new Date('2026-02-20T01:32:00Z');
    const b = await leases.claim('daily', 'worker-b', 60_000);
    expect(b).not.toBeNull();
    expect(await leases.renew(a!)).toBe(false);
    await leases.release(a!);
    expect(await leases.claim('daily', 'worker-c', 60_000)).toBeNull();
    await leases.release(b!);
    expect(await leases.claim('daily', 'worker-c', 60_000)).not.toBeNull();
  });

  it.skipIf(!kind.available)('go to exactly one of many simultaneous claims on separate connections', async () => {
    const handles = await database(kind, 6);
    const now = () => new Date('2026-02-20T01:30:00Z');
    for (let round = 0; round < 3; round += 1) {
      const claims = await Promise.all(
        handles.map((h, i) => new KyselyJobLeases(h.db, now).claim(`job-${round}`, `worker-${i}`, 60_000)),
      );
      expect(claims.filter((c) => c !== null)).toHaveLength(1);
    }
  });
});

describe.each(databaseKinds())('the schedule on $name', (kind) => {
  it.skipIf(!kind.available)(
    'runs the daily ingest when due, once, and then waits for the next announcement',
    async () => {
      const [handle] = await database(kind);
      const clock = { now: THURSDAY_SLOT };
      const log = memoryLog();
      const worker = scheduler(handle!, [dailyJob(handle!) as ScheduledJob<unknown>], clock, 'worker-a', log);
      const [first] = await worker.tick();
      expect(first).toMatchObject({ job: 'daily', outcome: 'ran' });
      // Covered: next is Sunday 20:30 New York time.
      expect(first?.nextRunAt?.toISOString()).toBe('2026-02-23T01:30:00.000Z');
      const state = await new KyselyIngestStore(handle!.db).getState<DailyJobState>('job:daily');
      expect(state).toMatchObject({
        coveredAnnouncement: '2026-02-20T01:00:00.000Z',
        lastAttemptAt: THURSDAY_SLOT.toISOString(),
        lastStatus: 'ok',
      });
      expect(log.lines).toEqual(['info: daily ingest of the announcement of 2026-02-19: ok']);
      clock.now = new Date('2026-02-20T03:00:00Z');
      expect((await worker.tick())[0]?.outcome).toBe('not-due');
      expect(rss.feedRequests()).toHaveLength(1);
      expect(await new KyselyIngestStore(handle!.db).listRuns({ limit: 10 })).toHaveLength(1);
      // The lease was given back.
      expect(await new KyselyIngestStore(handle!.db).getState('lease:daily')).toBeNull();
    },
  );

  it.skipIf(!kind.available)(
    'tries again at the next slot when the feed still shows the previous announcement',
    async () => {
      const [handle] = await database(kind);
      // Monday 2026-02-23 20:30: the feed still carries Thursday's announcement.
      const clock = { now: new Date('2026-02-24T01:30:00Z') };
      const state = new KyselyIngestStore(handle!.db);
      await state.setState('job:daily', {
        coveredAnnouncement: '2026-02-20T01:00:00.000Z',
        lastAttemptAt: '2026-02-20T01:30:00.000Z',
        lastRunId: null,
        lastStatus: 'ok',
      });
      const log = memoryLog();
      const [tick] = await scheduler(handle!, [dailyJob(handle!) as ScheduledJob<unknown>], clock, 'a', log).tick();
      expect(tick?.outcome).toBe('ran');
      expect(tick?.nextRunAt?.toISOString()).toBe('2026-02-24T02:30:00.000Z');
      expect((await state.getState<DailyJobState>('job:daily'))?.coveredAnnouncement).toBe('2026-02-20T01:00:00.000Z');
      expect(log.lines[0]).toBe(
        'info: daily ingest: the feed does not carry the latest announcement yet; trying again later',
      );
    },
  );

  it.skipIf(!kind.available)('lets only one of two workers ingest an announcement', async () => {
    const [one, two] = await database(kind, 2);
    const clock = { now: THURSDAY_SLOT };
    const logs = [memoryLog(), memoryLog()];
    const workers = [
      scheduler(one!, [dailyJob(one!) as ScheduledJob<unknown>], clock, 'worker-a', logs[0]),
      scheduler(two!, [dailyJob(two!) as ScheduledJob<unknown>], clock, 'worker-b', logs[1]),
    ];
    const ticks = (await Promise.all(workers.map((w) => w.tick()))).flat();
    expect(ticks.map((t) => t.outcome).sort()).toEqual(
      ticks.some((t) => t.outcome === 'lease-held') ? ['lease-held', 'ran'] : ['done-elsewhere', 'ran'],
    );
    // And again a moment later: nothing more to do for either.
    clock.now = new Date('2026-02-20T01:31:00Z');
    const again = (await Promise.all(workers.map((w) => w.tick()))).flat();
    expect(again.map((t) => t.outcome)).toEqual(['not-due', 'not-due']);
    expect(rss.feedRequests()).toHaveLength(1);
    expect(api.requests).toHaveLength(1);
    expect(await new KyselyIngestStore(one!.db).listRuns({ limit: 10 })).toHaveLength(1);
  });

  it.skipIf(!kind.available)('runs nothing when no categories are configured', async () => {
    const [handle] = await database(kind);
    const worker = scheduler(handle!, [dailyJob(handle!, '') as ScheduledJob<unknown>], { now: THURSDAY_SLOT });
    expect(await worker.tick()).toEqual([]);
    worker.start();
    await worker.stop();
    expect(rss.requests).toEqual([]);
    expect(await handle!.db.selectFrom('ingest_state').selectAll().execute()).toEqual([]);
  });

  it.skipIf(!kind.available)('backs off after a job throws, instead of retrying in a loop', async () => {
    const [handle] = await database(kind);
    const clock = { now: THURSDAY_SLOT };
    let runs = 0;
    const failing: ScheduledJob<unknown> = {
      name: 'flaky',
      enabled: true,
      leaseMs: 60_000,
      nextRunAt: () => new Date(0),
      run: async () => {
        runs += 1;
        throw new Error('the mail server is down');
      },
    };
    const log = memoryLog();
    const worker = scheduler(handle!, [failing], clock, 'a', log);
    expect((await worker.tick())[0]).toMatchObject({ outcome: 'failed' });
    expect((await worker.tick())[0]).toMatchObject({ outcome: 'backing-off' });
    clock.now = new Date(THURSDAY_SLOT.getTime() + 61_000);
    expect((await worker.tick())[0]).toMatchObject({ outcome: 'failed' });
    expect(runs).toBe(2);
    expect(log.lines[0]).toBe('error: flaky: the job failed; trying again later');
    expect(await new KyselyIngestStore(handle!.db).getState('lease:flaky')).toBeNull();
  });

  it.skipIf(!kind.available)('stops promptly, letting a running job see its signal', async () => {
    const [handle] = await database(kind);
    let sawAbort = false;
    let started: () => void = () => undefined;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const slow: ScheduledJob<unknown> = {
      name: 'slow',
      enabled: true,
      leaseMs: 60_000,
      nextRunAt: (now, state) => (state ? new Date(now.getTime() + 3_600_000) : new Date(0)),
      run: ({ signal }) =>
        new Promise((resolve) => {
          started();
          signal.addEventListener('abort', () => {
            sawAbort = true;
            resolve({ done: true });
          });
        }),
    };
    const worker = scheduler(handle!, [slow], { now: THURSDAY_SLOT });
    worker.start();
    await running;
    await worker.stop();
    expect(sawAbort).toBe(true);
    expect(await new KyselyIngestStore(handle!.db).getState('job:slow')).toEqual({ done: true });
  });
});
