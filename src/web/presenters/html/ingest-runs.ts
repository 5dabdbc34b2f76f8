/**
 * The model of the admins' ingest page (/admin/ingest): each run as a table row an admin reads at a glance (when,
 * which source, what was asked, how it ended, how long it took, what it counted, what went wrong), the per-source
 * summary, and links to the other pages and sources. Pure: the view only lays it out.
 */
import type { IngestRunsPage, IngestSourceStatistics } from '../../../commands/ingest-runs.ts';
import type { IngestRun, IngestRunStatus } from '../../../storage/ingest-store.ts';

/** Where the page lives. */
export const INGEST_RUNS_PATH = '/admin/ingest';

const SOURCE_LABELS: Record<string, string> = {
  daily: 'Daily announcement',
  oai: 'OAI-PMH harvest',
  snapshot: 'Snapshot import',
};

const STATUS_LABELS: Record<IngestRunStatus, string> = {
  running: 'running',
  ok: 'ok',
  partial: 'partial (some skipped)',
  failed: 'failed',
  interrupted: 'interrupted',
};

/** Counters in the order a run produces them; any other counter follows, by name. */
const COUNT_ORDER = [
  'announced',
  'pages',
  'requests',
  'fetched',
  'inserted',
  'updated',
  'unchanged',
  'listed',
  'withdrawn',
  'missing',
  'skipped',
];

const MS_PER_SECOND = 1_000;
const SECONDS_PER_MINUTE = 60;
const MINUTES_PER_HOUR = 60;
/** Parameter values longer than this are cut (a long file path, many categories), in characters. */
const MAX_PARAM_CHARS = 120;

export interface IngestRunRow {
  id: number;
  source: string;
  sourceLabel: string;
  startedAt: string;
  /** `2026-03-02 01:00` (UTC). */
  startedLabel: string;
  status: IngestRunStatus;
  statusLabel: string;
  /** `4 min 05 s`; for a running run, how long it has run so far. */
  durationLabel: string;
  params: { name: string; value: string }[];
  counts: { name: string; value: number }[];
  errors: string[];
}

export interface IngestSummaryRow {
  source: string;
  sourceLabel: string;
  runs: number;
  failures: number;
  lastSuccessLabel: string;
  lastSuccessAt: string | null;
}

export interface IngestRunsPageModel {
  rows: IngestRunRow[];
  summary: IngestSummaryRow[];
  /** From 1, for people. */
  page: number;
  pageCount: number;
  total: number;
  newerHref: string | null;
  olderHref: string | null;
  /** Links narrowing the list to one source (or all), the current one marked. */
  filters: { label: string; href: string; current: boolean }[];
  sourceLabel: string | null;
}

/** The page model of one page of runs; `now` dates the runs still going. */
export function ingestRunsPageModel(data: IngestRunsPage, sources: readonly string[], now: Date): IngestRunsPageModel {
  const page = data.page + 1;
  const pageCount = Math.max(1, Math.ceil(data.total / data.limit));
  const href = (n: number) => ingestRunsHref(data.source, n);
  return {
    rows: data.runs.map((run) => ingestRunRow(run, now)),
    summary: summaryRows(data.statistics, sources),
    page,
    pageCount,
    total: data.total,
    newerHref: page > 1 ? href(page - 1) : null,
    olderHref: page < pageCount ? href(page + 1) : null,
    filters: [
      { label: 'All sources', href: INGEST_RUNS_PATH, current: data.source === null },
      ...sources.map((source) => ({
        label: sourceLabel(source),
        href: ingestRunsHref(source, 1),
        current: data.source === source,
      })),
    ],
    sourceLabel: data.source === null ? null : sourceLabel(data.source),
  };
}

/** The page's address for a source (null = all) and page number (1 has no `p`, so that it has one address). */
export function ingestRunsHref(source: string | null, page: number): string {
  const query = new URLSearchParams();
  if (source !== null) query.set('source', source);
  if (page > 1) query.set('p', String(page));
  const text = query.toString();
  return text === '' ? INGEST_RUNS_PATH : `${INGEST_RUNS_PATH}?${text}`;
}

export function ingestRunRow(run: IngestRun, now: Date): IngestRunRow {
  const endMs = run.finishedAt === null ? now.getTime() : Date.parse(run.finishedAt);
  return {
    id: run.id,
    source: run.source,
    sourceLabel: sourceLabel(run.source),
    startedAt: run.startedAt,
    startedLabel: utcMinute(run.startedAt),
    status: run.status,
    statusLabel: STATUS_LABELS[run.status] ?? run.status,
    durationLabel: formatDuration(endMs - Date.parse(run.startedAt)),
    params: Object.entries(run.params).map(([name, value]) => ({ name, value: paramText(value) })),
    counts: orderedCounts(run.counts),
    errors: run.errors,
  };
}

/** A duration for people: `850 ms`, `12 s`, `4 min 05 s`, `2 h 03 min`; never negative. */
export function formatDuration(ms: number): string {
  const safe = Number.isFinite(ms) ? Math.max(0, ms) : 0;
  if (safe < MS_PER_SECOND) return `${Math.round(safe)} ms`;
  const seconds = Math.floor(safe / MS_PER_SECOND);
  if (seconds < SECONDS_PER_MINUTE) return `${seconds} s`;
  const minutes = Math.floor(seconds / SECONDS_PER_MINUTE);
  if (minutes < MINUTES_PER_HOUR) return `${minutes} min ${pad2(seconds % SECONDS_PER_MINUTE)} s`;
  return `${Math.floor(minutes / MINUTES_PER_HOUR)} h ${pad2(minutes % MINUTES_PER_HOUR)} min`;
}

export function sourceLabel(source: string): string {
  return SOURCE_LABELS[source] ?? source;
}

function summaryRows(statistics: IngestSourceStatistics[], sources: readonly string[]): IngestSummaryRow[] {
  const bySource = new Map(statistics.map((row) => [row.source, row]));
  const all = [...sources, ...statistics.map((row) => row.source).filter((source) => !sources.includes(source))];
  return all.map((source) => {
    const row = bySource.get(source);
    const lastSuccessAt = row?.lastSuccessAt ?? null;
    return {
      source,
      sourceLabel: sourceLabel(source),
      runs: row?.runs ?? 0,
      failures: row?.failures ?? 0,
      lastSuccessAt,
      lastSuccessLabel: lastSuccessAt === null ? 'never' : utcMinute(lastSuccessAt),
    };
  });
}

function orderedCounts(counts: Record<string, number | undefined>): { name: string; value: number }[] {
  const names = Object.keys(counts).filter((name) => typeof counts[name] === 'number');
  const rank = (name: string) => {
    const index = COUNT_ORDER.indexOf(name);
    return index === -1 ? COUNT_ORDER.length : index;
  };
  return names
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    .map((name) => ({ name, value: counts[name] as number }));
}

/** A parameter as text: lists joined with commas, objects as JSON, long values cut. */
function paramText(value: unknown): string {
  const text = Array.isArray(value)
    ? value.map(String).join(', ')
    : value !== null && typeof value === 'object'
      ? JSON.stringify(value)
      : String(value);
  return text.length > MAX_PARAM_CHARS ? `${text.slice(0, MAX_PARAM_CHARS)}…` : text;
}

/** `2026-03-02T01:00:00.000Z` -> `2026-03-02 01:00`. */
function utcMinute(iso: string): string {
  return iso.slice(0, 16).replace('T', ' ');
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
