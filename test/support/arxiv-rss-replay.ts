/**
 * A local stand-in for arXiv's announcement feeds (`https://rss.arxiv.org/rss/<categories>`), answering with the
 * feeds in test/fixtures/arxiv/rss (built by hand from arXiv's documented format with real CC0 metadata), so that
 * the daily ingest runs over real HTTP without touching arXiv. Same pattern as arxiv-replay.ts (the API replay):
 *
 * - every `/rss/<categories>` request is answered with the current feed file (`useFeed(name)`), whatever the
 *   categories; requests are recorded (`requests`: time, URL, headers, what was served);
 * - `failNext(fault, times)` serves faults instead: a status with Retry-After (429/503), a hang (timeouts), the
 *   feed cut in the middle of an item, or arXiv's HTML maintenance page;
 * - `apiUrl` is an API endpoint that answers the extra API recordings of this folder (`api-*.xml`, e.g. a withdrawn
 *   paper the API recordings do not have) and passes every other request on to the API replay given as `upstreamApiUrl`.
 *
 * Usage: `const rss = await startArxivRssReplay({ upstreamApiUrl: api.url }); rss.useFeed(WEEKDAY_FEED); ...`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the feeds live. */
export const ARXIV_RSS_FIXTURES_DIR = fileURLToPath(new URL('../fixtures/arxiv/rss/', import.meta.url));

/** Thursday 2026-02-19's announcement (feed dated Friday): 2 new, 2 cross, 1 replace, 1 replace-cross. */
export const WEEKDAY_FEED = 'cs.LG+cs.CV-2026-02-20.xml';
/** Saturday's feed: a channel without items. */
export const WEEKEND_FEED = 'cs.LG+cs.CV-2026-02-21-weekend.xml';
/** One known new paper and one id arXiv's API does not return. */
export const UNKNOWN_ID_FEED = 'cs.LG+cs.CV-unknown-id.xml';
/** The weekday feed cut in the middle of its fourth item. */
export const TRUNCATED_FEED = 'cs.LG+cs.CV-truncated.xml';
/** One replacement: a paper withdrawn by its authors (answered by the API overlay). */
export const WITHDRAWN_FEED = 'astro-ph-withdrawn.xml';

/** One failure to serve instead of the feed. */
export type ArxivRssFault =
  | { kind: 'status'; status: number; retryAfter?: string }
  | { kind: 'hang' }
  | { kind: 'truncated' }
  | { kind: 'html'; status?: number };

export interface RecordedRssRequest {
  receivedAt: number;
  url: string;
  headers: IncomingHttpHeaders;
  /** 'feed:<file>', 'api-overlay:<file>', 'api-upstream', 'not-found', or the fault's kind. */
  served: string;
}

export interface ArxivRssReplay {
  /** The feeds' base, for PAPERBOY_ARXIV_RSS_URL: `http://127.0.0.1:PORT`. */
  url: string;
  /** An API endpoint with this folder's extra recordings in front of the upstream API replay. */
  apiUrl: string;
  requests: RecordedRssRequest[];
  /** Only the feed requests. */
  feedRequests(): RecordedRssRequest[];
  useFeed(file: string): void;
  failNext(fault: ArxivRssFault, times?: number): void;
  close(): Promise<void>;
}

const RSS = 'application/rss+xml; charset=utf-8';
const ATOM = 'application/atom+xml; charset=utf-8';

/** Starts the replay on 127.0.0.1 with a free port. */
export async function startArxivRssReplay(options: { upstreamApiUrl?: string } = {}): Promise<ArxivRssReplay> {
  const requests: RecordedRssRequest[] = [];
  const faults: ArxivRssFault[] = [];
  let feed = WEEKDAY_FEED;
  const overlays = loadApiOverlays();

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const record: RecordedRssRequest = {
      receivedAt: Date.now(),
      url: request.url ?? '',
      headers: request.headers,
      served: '',
    };
    requests.push(record);
    const send = (served: string, status: number, type: string, body: string, headers: Record<string, string> = {}) => {
      record.served = served;
      response.writeHead(status, { 'content-type': type, ...headers });
      response.end(body);
    };
    if (url.pathname === '/api/query') {
      const ids = (url.searchParams.get('id_list') ?? '').split(',').filter((id) => id !== '');
      const overlay = overlays.get(ids.join(','));
      if (overlay) return send(`api-overlay:${overlay.file}`, 200, ATOM, overlay.text);
      if (!options.upstreamApiUrl) return send('not-found', 404, 'text/plain', 'no upstream API');
      record.served = 'api-upstream';
      void forward(`${options.upstreamApiUrl}${url.search}`, request.headers, response);
      return;
    }
    if (!url.pathname.startsWith('/rss/')) return send('not-found', 404, 'text/plain', 'not found');
    const fault = faults.shift();
    if (fault) return serveFault(fault, record, response, send);
    return send(`feed:${feed}`, 200, RSS, readFileSync(join(ARXIV_RSS_FIXTURES_DIR, feed), 'utf8'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    apiUrl: `${url}/api/query`,
    requests,
    feedRequests: () => requests.filter((r) => r.url.startsWith('/rss/')),
    useFeed(file) {
      feed = file;
    },
    failNext(fault, times = 1) {
      for (let i = 0; i < times; i += 1) faults.push(fault);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The extra API recordings, by the id list they answer (`0704.0156`). */
function loadApiOverlays(): Map<string, { file: string; text: string }> {
  const overlays = new Map<string, { file: string; text: string }>();
  for (const file of readdirSync(ARXIV_RSS_FIXTURES_DIR).filter((n) => n.startsWith('api-') && n.endsWith('.xml'))) {
    const text = readFileSync(join(ARXIV_RSS_FIXTURES_DIR, file), 'utf8');
    const asked = /id_list=([^&"<]+)/.exec(text)?.[1];
    if (asked) overlays.set(asked, { file, text });
  }
  return overlays;
}

/** Passes a request on to the upstream API replay and relays its answer (status, type, Retry-After, body). */
async function forward(target: string, headers: IncomingHttpHeaders, response: ServerResponse): Promise<void> {
  try {
    const upstream = await fetch(target, { headers: { 'user-agent': String(headers['user-agent'] ?? '') } });
    const relayed: Record<string, string> = { 'content-type': upstream.headers.get('content-type') ?? 'text/plain' };
    const retryAfter = upstream.headers.get('retry-after');
    if (retryAfter) relayed['retry-after'] = retryAfter;
    response.writeHead(upstream.status, relayed);
    response.end(Buffer.from(await upstream.arrayBuffer()));
  } catch {
    // The upstream hung up (a 'hang' fault being closed): drop this connection too.
    response.destroy();
  }
}

function serveFault(
  fault: ArxivRssFault,
  record: RecordedRssRequest,
  response: ServerResponse,
  send: (served: string, status: number, type: string, body: string, headers?: Record<string, string>) => void,
): void {
  switch (fault.kind) {
    case 'status':
      send(
        `status-${fault.status}`,
        fault.status,
        'text/plain',
        `HTTP ${fault.status}`,
        fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter },
      );
      return;
    case 'hang':
      record.served = 'hang';
      response.on('close', () => undefined);
      return;
    case 'truncated':
      send('truncated', 200, RSS, readFileSync(join(ARXIV_RSS_FIXTURES_DIR, TRUNCATED_FEED), 'utf8'));
      return;
    case 'html':
      send(
        'html',
        fault.status ?? 200,
        'text/html; charset=utf-8',
        readFileSync(join(ARXIV_RSS_FIXTURES_DIR, 'maintenance.html'), 'utf8'),
      );
      return;
  }
}
