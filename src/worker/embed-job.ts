/**
 * Background embedding: papers that lack a current vector (new ones, ones with an edited title or abstract, or all
 * of them after the embedder changed) are embedded in batches and stored (storage/embedding-store.ts), so that
 * semantic search and similar papers cover them. As a scheduled job it is due every minute and stops after a time
 * budget so that other jobs (the daily ingest, the digests) are not held up; when it stopped with work left it is
 * due again at once. `paperboy reindex` runs the same loop (embedPapers) to completion.
 */
import type { Embedder } from '../search/embedder.ts';
import type { EmbedderHandle } from '../search/embedder-loader.ts';
import type { EmbeddingStore } from '../storage/embedding-store.ts';
import type { ScheduledJob } from './scheduler.ts';

/** The job's name: lease `lease:embed`, state `job:embed`. */
export const EMBED_JOB_NAME = 'embed';
/** Papers embedded and stored per transaction: one write per batch, small enough to keep the writer lock short. */
export const EMBED_BATCH_PAPERS = 256;
/** How often the job looks for papers to embed when the last run found none, in ms: new papers wait at most this. */
export const EMBED_IDLE_POLL_MS = 60_000;
/** Longest a run works before giving other jobs their turn, in ms (it is due again at once when work is left). */
export const EMBED_RUN_BUDGET_MS = 60_000;
/** A run holds its lease this long without renewal: far longer than its budget, so only a crashed one expires. */
export const EMBED_JOB_LEASE_MS = 10 * 60_000;

/** What the job keeps between runs. */
export interface EmbedJobState {
  /** When the last run ended (ISO). */
  lastRunAt: string;
  /** Papers it embedded. */
  embedded: number;
  /** It stopped with papers still waiting. */
  moreWaiting: boolean;
  /** Why it could not run (no embedder), if so. */
  problem: string | null;
}

export interface EmbedProgress {
  embedded: number;
}

export interface EmbedPapersOptions {
  /** Every paper, not only those needing a vector (`paperboy reindex`). */
  all?: boolean;
  batchSize?: number;
  /** Stop after this long (ms); absent: until done. */
  budgetMs?: number;
  signal?: AbortSignal;
  onProgress?: (progress: EmbedProgress) => void;
}

/** Embeds and stores papers needing vectors of this embedder, batch by batch; says whether it finished. */
export async function embedPapers(
  store: EmbeddingStore,
  embedder: Embedder,
  options: EmbedPapersOptions = {},
): Promise<{ embedded: number; finished: boolean }> {
  const started = performance.now();
  const batchSize = options.batchSize ?? EMBED_BATCH_PAPERS;
  let embedded = 0;
  let afterId = '';
  for (;;) {
    if (options.signal?.aborted) return { embedded, finished: false };
    if (options.budgetMs !== undefined && performance.now() - started > options.budgetMs) {
      return { embedded, finished: false };
    }
    const papers = await store.papersNeedingVectors(embedder.id, {
      limit: batchSize,
      afterId,
      ...(options.all ? { all: true } : {}),
    });
    if (papers.length === 0) return { embedded, finished: true };
    const vectors = await embedder.embed(
      papers.map((paper) => paper.text),
      'document',
    );
    if (vectors.length !== papers.length) {
      throw new Error(`the embedder ${embedder.id} returned ${vectors.length} vectors for ${papers.length} texts`);
    }
    await store.upsertVectors(
      embedder.id,
      embedder.dimensions,
      papers.map((paper, i) => ({
        paperId: paper.id,
        textHash: paper.textHash,
        paperUpdatedAt: paper.paperUpdatedAt,
        vector: vectors[i]!,
      })),
    );
    embedded += papers.length;
    afterId = papers[papers.length - 1]!.id;
    options.onProgress?.({ embedded });
  }
}

export interface EmbedJobDependencies {
  store: EmbeddingStore;
  /** The process's shared embedder (search/embedder-loader.ts); null when PAPERBOY_EMBEDDER=off. */
  embedder: EmbedderHandle | null;
  /** Tests shorten these. */
  idlePollMs?: number;
  budgetMs?: number;
}

/** The background embedding job. */
export function createEmbedJob(dependencies: EmbedJobDependencies): ScheduledJob<EmbedJobState> {
  const idlePollMs = dependencies.idlePollMs ?? EMBED_IDLE_POLL_MS;
  return {
    name: EMBED_JOB_NAME,
    enabled: dependencies.embedder !== null,
    leaseMs: EMBED_JOB_LEASE_MS,
    nextRunAt(now, state) {
      if (state === null || state.moreWaiting) return now;
      return new Date(Date.parse(state.lastRunAt) + idlePollMs);
    },
    async run({ now, signal, log }) {
      const embedder = await dependencies.embedder?.ready;
      if (!embedder) {
        return {
          lastRunAt: now.toISOString(),
          embedded: 0,
          moreWaiting: false,
          problem: 'the embedder is not available',
        };
      }
      const started = performance.now();
      const result = await embedPapers(dependencies.store, embedder, {
        budgetMs: dependencies.budgetMs ?? EMBED_RUN_BUDGET_MS,
        signal,
      });
      if (result.embedded > 0) {
        const seconds = (performance.now() - started) / 1000;
        log.info(`embed: ${result.embedded} papers embedded with ${embedder.id}`, {
          papersPerSecond: Math.round(result.embedded / Math.max(seconds, 0.001)),
          moreWaiting: !result.finished,
        });
      }
      return {
        lastRunAt: now.toISOString(),
        embedded: result.embedded,
        moreWaiting: !result.finished && !signal.aborted,
        problem: null,
      };
    },
  };
}
