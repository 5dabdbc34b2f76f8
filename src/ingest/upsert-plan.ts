/**
 * What `upsertPapers` would do, without doing it: the dry run's answer to "how many new, updated, unchanged?". It
 * applies the same merge rule (mergePaperRecords) and the same change test (sameRecord) as the store, reading
 * each paper once. Repeated ids are merged within a batch, as the store does; across batches a dry run cannot see
 * its own unwritten records, so a paper repeated far apart in one file counts as new each time.
 */
import { mergePaperRecords, type PaperRecord, sameRecord } from '../domain/paper.ts';
import type { PaperStore, UpsertCounts } from '../storage/paper-store.ts';

/** Counts what upserting `records` would change in `store`, reading but never writing. */
export async function planUpsert(store: PaperStore, records: readonly PaperRecord[]): Promise<UpsertCounts> {
  const merged = new Map<string, { stored: PaperRecord | null; next: PaperRecord }>();
  for (const record of records) {
    const had = merged.get(record.id);
    const stored = had ? had.stored : await store.getPaper(record.id);
    merged.set(record.id, { stored, next: mergePaperRecords(had?.next ?? stored, record) });
  }
  const counts: UpsertCounts = { inserted: 0, updated: 0, unchanged: 0 };
  for (const { stored, next } of merged.values()) {
    if (stored === null) counts.inserted += 1;
    else if (sameRecord(stored, next)) counts.unchanged += 1;
    else counts.updated += 1;
  }
  return counts;
}
