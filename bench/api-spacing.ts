/**
 * The arXiv API etiquette, measured: the real client (src/ingest/arxiv-api-client.ts, with its default 3 s spacing)
 * looks papers up on a local replay of arXiv's API (test/support/arxiv-replay.ts, real recorded answers), one
 * `id_list` request per look-up, and the replay server's own clock says how far apart the requests arrived: the gap
 * from the end of one answer to the arrival of the next (arXiv's rule: at least 3 s), and the requests' rate. Midway
 * the server answers once with 503 and `Retry-After: 5`, so the table also shows the wait the client kept then.
 *
 * `API_SPACING_BENCH_REQUESTS=4 npm run bench -- --only=spacing` is the short mode for development (about 15 s);
 * the full run makes API_SPACING_FULL_REQUESTS requests (about 45 s).
 */
import { createArxivApiClient, MIN_REQUEST_SPACING_MS } from '../src/ingest/arxiv-api-client.ts';
import { startArxivReplay } from '../test/support/arxiv-replay.ts';

/** Look-ups in the full run. */
const API_SPACING_FULL_REQUESTS = 12;
/** The Retry-After the replay sends with its one 503, in seconds. */
const RETRY_AFTER_SECONDS = 5;
const MS_PER_SECOND = 1_000;
const SECONDS_PER_MINUTE = 60;

export interface SpacingFigures {
  /** Look-ups asked of the client (each one request when it succeeds at once). */
  lookups: number;
  /** Requests the server saw (the look-ups plus the retry after the 503). */
  requests: number;
  /** End of one answer to the arrival of the next, in ms, over every pair except the one after the 503. */
  gapsMs: { min: number; median: number; max: number };
  /** The gap after the 503 with Retry-After (ms), which must be at least the Retry-After. */
  gapAfterRetryAfterMs: number;
  /** Request arrivals per minute: intervals between the first and last arrival over their span. */
  requestsPerMinute: number;
  /** arXiv's rule, in ms. */
  requiredGapMs: number;
  retryAfterSeconds: number;
  /** Every User-Agent the server saw (one expected). */
  userAgents: string[];
  /** Client connections the server saw (one expected). */
  connections: number;
}

type Progress = (message: string) => void;

/** Runs the measurement; the number of look-ups comes from API_SPACING_BENCH_REQUESTS (short mode) or the default. */
export async function runSpacingBench(progress: Progress): Promise<SpacingFigures> {
  const lookups = Number(process.env.API_SPACING_BENCH_REQUESTS ?? API_SPACING_FULL_REQUESTS);
  if (!Number.isInteger(lookups) || lookups < 3) throw new Error('API_SPACING_BENCH_REQUESTS must be 3 or more');
  const replay = await startArxivReplay();
  const client = createArxivApiClient({ endpoint: replay.url, baseUrl: 'https://bench.paperboy.invalid' });
  try {
    const ids = replay.knownIds();
    const faultAfter = Math.floor(lookups / 2);
    progress(
      `api spacing: ${lookups} look-ups through the real client (≥ ${MIN_REQUEST_SPACING_MS} ms apart), one 503 with Retry-After: ${RETRY_AFTER_SECONDS}`,
    );
    for (let i = 0; i < lookups; i += 1) {
      if (i === faultAfter) replay.failNext({ kind: 'status', status: 503, retryAfter: String(RETRY_AFTER_SECONDS) });
      const id = ids[i % ids.length]!;
      const found = await client.lookUpIds([id]);
      if (!found.records.has(id.replace(/v\d+$/, ''))) throw new Error(`the replay did not return ${id}`);
    }
    const requests = replay.requests;
    const gaps: number[] = [];
    let gapAfterRetryAfterMs = Number.NaN;
    for (let i = 1; i < requests.length; i += 1) {
      const previous = requests[i - 1]!;
      const gap = requests[i]!.receivedAt - (previous.answeredAt ?? previous.receivedAt);
      if (previous.served === 'status-503') gapAfterRetryAfterMs = gap;
      else gaps.push(gap);
    }
    gaps.sort((a, b) => a - b);
    // Rate as arXiv sees it: request starts per minute (n - 1 intervals between n arrivals).
    const spanMs = requests.at(-1)!.receivedAt - requests[0]!.receivedAt;
    return {
      lookups,
      requests: requests.length,
      gapsMs: { min: gaps[0]!, median: gaps[Math.floor(gaps.length / 2)]!, max: gaps.at(-1)! },
      gapAfterRetryAfterMs,
      requestsPerMinute: ((requests.length - 1) / spanMs) * MS_PER_SECOND * SECONDS_PER_MINUTE,
      requiredGapMs: MIN_REQUEST_SPACING_MS,
      retryAfterSeconds: RETRY_AFTER_SECONDS,
      userAgents: [...new Set(requests.map((r) => String(r.headers['user-agent'])))],
      connections: new Set(requests.map((r) => r.connection)).size,
    };
  } finally {
    await client.close();
    await replay.close();
  }
}

/** The table: gaps against arXiv's 3 s. */
export function spacingTable(f: SpacingFigures): { header: string[]; rows: string[][] } {
  const ratio = (ms: number) => `${(ms / f.requiredGapMs).toFixed(3)}×`;
  const ok = (ms: number, needed: number) => (ms >= needed ? 'yes' : 'NO');
  return {
    header: ['measure', 'ms', 'vs 3 s rule', '>= rule'],
    rows: [
      ['gap between requests, min', f.gapsMs.min.toFixed(0), ratio(f.gapsMs.min), ok(f.gapsMs.min, f.requiredGapMs)],
      ['gap between requests, median', f.gapsMs.median.toFixed(0), ratio(f.gapsMs.median), '-'],
      ['gap between requests, max', f.gapsMs.max.toFixed(0), ratio(f.gapsMs.max), '-'],
      [
        `gap after a 503 with Retry-After: ${f.retryAfterSeconds}`,
        f.gapAfterRetryAfterMs.toFixed(0),
        ratio(f.gapAfterRetryAfterMs),
        ok(f.gapAfterRetryAfterMs, f.retryAfterSeconds * MS_PER_SECOND),
      ],
    ],
  };
}

function summaryLine(f: SpacingFigures): string {
  return `${f.requests} requests (${f.lookups} look-ups + 1 retry) at ${f.requestsPerMinute.toFixed(1)} requests/min (arXiv's rule allows at most 20); ${f.connections} connection(s); User-Agent: ${f.userAgents.join(' | ')}`;
}

/** Plain text for the terminal. */
export function renderSpacingConsole(f: SpacingFigures): string {
  const { header, rows } = spacingTable(f);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return ['arXiv API spacing (real client, local replay)', line(header), ...rows.map(line), summaryLine(f)].join('\n');
}

/** A section for bench/RESULTS.md. */
export function renderSpacingMarkdown(f: SpacingFigures): string {
  const { header, rows } = spacingTable(f);
  return [
    '',
    '## arXiv API request spacing',
    '',
    `The real arXiv API client (default settings: one connection, at least ${f.requiredGapMs} ms from the end of one request to the start of the next) looks up ${f.lookups} papers one request each on a local replay of arXiv's API (recorded answers); midway the replay answers once with 503 and \`Retry-After: ${f.retryAfterSeconds}\`. Gaps are measured by the server: from the end of one answer to the arrival of the next request.`,
    '',
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    `${summaryLine(f)}.`,
    '',
  ].join('\n');
}
