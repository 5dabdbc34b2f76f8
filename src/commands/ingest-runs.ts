/**
 * What admins read about ingestion: each run of the daily announcement, OAI-PMH harvests and snapshot imports, newest
 * first in pages, and per source how many runs failed and when one last succeeded. Admins only (requireAdmin: 401
 * anonymous, 403 otherwise), checked before anything is read.
 */
import type { Kysely } from 'kysely';
import { requireAdmin, type Viewer } from '../policy/policy.ts';
import { type IngestRun, type IngestSource, KyselyIngestStore } from '../storage/ingest-store.ts';
import type { Database } from '../storage/schema.ts';

/** Runs per page, by default and at most. */
export const INGEST_RUNS_PAGE_SIZE = 50;
export const INGEST_RUNS_MAX_PAGE_SIZE = 200;
/** The sources a run can have, in the order pages list them. */
export const INGEST_SOURCES: readonly IngestSource[] = ['daily', 'oai', 'snapshot'];

/** Per source: runs, failed runs, and when the last successful one finished (ISO, or null). */
export interface IngestSourceStatistics {
  source: string;
  runs: number;
  failures: number;
  lastSuccessAt: string | null;
}

export interface IngestRunsPage {
  runs: IngestRun[];
  /** Runs in all (of the chosen source). */
  total: number;
  /** From 0. */
  page: number;
  limit: number;
  /** The source the list is narrowed to, or null for all. */
  source: IngestSource | null;
  statistics: IngestSourceStatistics[];
}

/** One page of ingest runs (page from 0), optionally of one source, with the per-source statistics. */
export async function readIngestRuns(
  db: Kysely<Database>,
  viewer: Viewer | null,
  query: { page: number; limit?: number; source?: IngestSource | null },
): Promise<IngestRunsPage> {
  requireAdmin(viewer, 'see ingest runs');
  const limit = Math.min(query.limit ?? INGEST_RUNS_PAGE_SIZE, INGEST_RUNS_MAX_PAGE_SIZE);
  const source = query.source ?? null;
  const store = new KyselyIngestStore(db);
  const [runs, total, statistics] = await Promise.all([
    store.listRuns({ limit, offset: query.page * limit, ...(source ? { source } : {}) }),
    store.countRuns(source ?? undefined),
    store.runStatistics(),
  ]);
  return { runs, total, page: query.page, limit, source, statistics };
}
