/**
 * Ingestion bookkeeping through Kysely on SQLite or PostgreSQL: each run of an ingest source with its outcome (for
 * the admins' page and /metrics), and named state that lets an interrupted run resume (an OAI-PMH resumption
 * token, a snapshot file's committed position).
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database, IngestRunsTable } from './schema.ts';

export type IngestSource = 'daily' | 'oai' | 'snapshot';
export type IngestRunStatus = 'running' | 'ok' | 'partial' | 'failed' | 'interrupted';

/** Counters a run reports; each source fills in the ones it has. */
export type IngestCounts = Partial<
  Record<
    | 'announced'
    | 'fetched'
    | 'inserted'
    | 'updated'
    | 'unchanged'
    | 'listed'
    | 'skipped'
    | 'withdrawn'
    | 'missing'
    | 'requests'
    | 'pages',
    number
  >
>;

export interface IngestRun {
  id: number;
  source: IngestSource;
  startedAt: string;
  finishedAt: string | null;
  status: IngestRunStatus;
  params: Record<string, unknown>;
  counts: IngestCounts;
  errors: string[];
}

/** At most this many error sentences are kept per run (the count of skips is in `counts`). */
export const MAX_ERRORS_PER_RUN = 50;

export interface IngestStore {
  /** Records that a run started; returns its id. */
  startRun(source: IngestSource, params: Record<string, unknown>): Promise<number>;
  /** Records progress or the outcome of a run (status 'running' while it goes on). */
  updateRun(id: number, update: { status: IngestRunStatus; counts: IngestCounts; errors?: string[] }): Promise<void>;
  /** The most recent runs, newest first, optionally of one source. */
  listRuns(options: { limit: number; offset?: number; source?: IngestSource }): Promise<IngestRun[]>;
  /** How many runs there are (of one source when given): the admins' page needs it to number its pages. */
  countRuns(source?: IngestSource): Promise<number>;
  /** Per source: how many runs and failed runs, and when the last successful one finished. */
  runStatistics(): Promise<{ source: string; runs: number; failures: number; lastSuccessAt: string | null }[]>;
  /** Named resumable state (JSON-serialisable), or null when none is kept. */
  getState<T>(key: string): Promise<T | null>;
  setState(key: string, value: unknown): Promise<void>;
  deleteState(key: string): Promise<void>;
}

export class KyselyIngestStore implements IngestStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async startRun(source: IngestSource, params: Record<string, unknown>): Promise<number> {
    const row = await this.db
      .insertInto('ingest_runs')
      .values({
        source,
        started_at: this.now().toISOString(),
        finished_at: null,
        status: 'running',
        params: JSON.stringify(params),
        counts: '{}',
        errors: '[]',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  async updateRun(
    id: number,
    update: { status: IngestRunStatus; counts: IngestCounts; errors?: string[] },
  ): Promise<void> {
    await this.db
      .updateTable('ingest_runs')
      .set({
        status: update.status,
        counts: JSON.stringify(update.counts),
        ...(update.errors ? { errors: JSON.stringify(update.errors.slice(0, MAX_ERRORS_PER_RUN)) } : {}),
        finished_at: update.status === 'running' ? null : this.now().toISOString(),
      })
      .where('id', '=', id)
      .execute();
  }

  async listRuns(options: { limit: number; offset?: number; source?: IngestSource }): Promise<IngestRun[]> {
    let q = this.db.selectFrom('ingest_runs').selectAll();
    if (options.source) q = q.where('source', '=', options.source);
    const rows = await q
      .orderBy('started_at', 'desc')
      .orderBy('id', 'desc')
      .offset(options.offset ?? 0)
      .limit(options.limit)
      .execute();
    return rows.map(rowToRun);
  }

  async countRuns(source?: IngestSource): Promise<number> {
    let q = this.db.selectFrom('ingest_runs').select((eb) => eb.fn.countAll<number>().as('n'));
    if (source) q = q.where('source', '=', source);
    const row = await q.executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async runStatistics(): Promise<{ source: string; runs: number; failures: number; lastSuccessAt: string | null }[]> {
    const rows = await this.db
      .selectFrom('ingest_runs')
      .select((eb) => [
        'source',
        eb.fn.countAll<number>().as('runs'),
        eb.fn.sum<number>(eb.case().when('status', '=', 'failed').then(1).else(0).end()).as('failures'),
        eb.fn
          .max(eb.case().when('status', 'in', ['ok', 'partial']).then(eb.ref('finished_at')).else(null).end())
          .as('last_success_at'),
      ])
      .groupBy('source')
      .orderBy('source')
      .execute();
    return rows.map((row) => ({
      source: row.source,
      runs: Number(row.runs),
      failures: Number(row.failures ?? 0),
      lastSuccessAt: (row.last_success_at as string | null) ?? null,
    }));
  }

  async getState<T>(key: string): Promise<T | null> {
    const row = await this.db.selectFrom('ingest_state').select('value').where('key', '=', key).executeTakeFirst();
    return row ? (JSON.parse(row.value) as T) : null;
  }

  async setState(key: string, value: unknown): Promise<void> {
    const text = JSON.stringify(value);
    const updatedAt = this.now().toISOString();
    await this.db
      .insertInto('ingest_state')
      .values({ key, value: text, updated_at: updatedAt })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: text, updated_at: updatedAt }))
      .execute();
  }

  async deleteState(key: string): Promise<void> {
    await this.db.deleteFrom('ingest_state').where('key', '=', key).execute();
  }
}

function rowToRun(row: Selectable<IngestRunsTable>): IngestRun {
  return {
    id: Number(row.id),
    source: row.source as IngestSource,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    status: row.status as IngestRunStatus,
    params: row.params ? (JSON.parse(row.params) as Record<string, unknown>) : {},
    counts: row.counts ? (JSON.parse(row.counts) as IngestCounts) : {},
    errors: row.errors ? (JSON.parse(row.errors) as string[]) : [],
  };
}
