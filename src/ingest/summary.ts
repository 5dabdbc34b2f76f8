/**
 * The one-line summary printed for each imported input, e.g.
 * `oai-arxivraw-1000.xml (OAI-PMH arXivRaw): 999 imported (999 new, 0 updated, 0 unchanged), 1 skipped,
 * resumption token 496549|96001 (cursor 95000 of 907096)`.
 */
import type { SourceNote } from './events.ts';
import type { ImportSummary } from './import-stream.ts';

/** Formats an import summary as one line (no trailing newline). */
export function formatImportSummary(summary: ImportSummary): string {
  const counts = `(${summary.inserted} new, ${summary.updated} updated, ${summary.unchanged} unchanged${repeatedText(summary)})`;
  const parts = [
    summary.dryRun ? `${summary.imported} would be imported ${counts}` : `${summary.imported} imported ${counts}`,
    `${summary.skipped} skipped`,
  ];
  if (summary.deleted > 0) parts.push(`${summary.deleted} deleted on arXiv`);
  if (summary.feature) {
    const already = summary.alreadyListed > 0 ? ` (${summary.alreadyListed} already listed)` : '';
    parts.push(`${summary.listed} ${summary.dryRun ? 'would be listed' : 'listed'} on the daily feed${already}`);
  }
  for (const note of summary.notes) {
    const text = noteText(note, summary);
    if (text) parts.push(text);
  }
  if (summary.stopped) parts.push(`stopped early at ${summary.stopped.position}: ${summary.stopped.reason}`);
  const prefix = summary.dryRun ? 'dry run, nothing written: ' : '';
  return `${prefix}${summary.name} (${summary.formatLabel}): ${parts.join(', ')}`;
}

function repeatedText(summary: ImportSummary): string {
  const repeated = summary.imported - summary.inserted - summary.updated - summary.unchanged;
  return repeated > 0 ? `, ${repeated} repeated in the file` : '';
}

function noteText(note: SourceNote, summary: ImportSummary): string | null {
  switch (note.kind) {
    case 'oai-resumption': {
      const of = note.completeListSize !== null ? ` of ${note.completeListSize}` : '';
      const cursor = note.cursor !== null ? ` (cursor ${note.cursor}${of})` : of ? ` (${of.trim()})` : '';
      return note.token ? `resumption token ${note.token}${cursor}` : `end of the list${cursor}`;
    }
    case 'oai-no-records':
      return 'no records match (OAI-PMH noRecordsMatch)';
    case 'atom-totals': {
      if (note.totalResults === 0) return 'arXiv API: no results';
      const entries = summary.imported + summary.skipped;
      if (note.totalResults === null || entries === 0) return null;
      const first = (note.startIndex ?? 0) + 1;
      return `arXiv API results ${first}–${first + entries - 1} of ${note.totalResults}`;
    }
    case 'warning':
      return null;
  }
}
