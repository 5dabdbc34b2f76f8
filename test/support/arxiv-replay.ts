/**
 * A local stand-in for arXiv's API (`/api/query`), answering from the real recorded answers in
 * test/fixtures/arxiv/api, so that tests exercise the real client over real HTTP without touching arXiv.
 *
 * - `id_list` look-ups: each recorded entry is indexed by its id; a request is answered with the entries of the ids
 *   it names, in its order, and arXiv's silence for the rest (as arXiv does: an unknown but well-formed id is simply
 *   left out, and a list of only unknown ids gets the recorded empty answer). A request naming exactly a recording's
 *   ids gets that recording byte for byte.
 * - a malformed id (by arXiv's own loose check) gets the recorded HTTP 400 error feed, naming that id.
 * - every request is recorded (`requests`: arrival and end times, URL, headers, ids) for etiquette checks.
 * - `failNext(fault, times)` makes the next requests fail: a status (429/503 with Retry-After), a hang (for
 *   timeouts), truncated XML, an HTML error page, or the 400 error feed for an id. Faults are used in the order they were queued.
 *
 * Usage: `const arxiv = await startArxivReplay(); ... PAPERBOY_ARXIV_API_URL = arxiv.url; ... await arxiv.close()`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the recorded answers live. */
export const ARXIV_API_FIXTURES_DIR = fileURLToPath(new URL('../fixtures/arxiv/api/', import.meta.url));

/** One failure to serve instead of a real answer. */
export type ArxivFault =
  /** An HTTP status (e.g. 429 or 503), with an optional Retry-After header value (seconds or an HTTP date). */
  | { kind: 'status'; status: number; retryAfter?: string }
  /** Accept the request and never answer (the client's timeout must fire). */
  | { kind: 'hang' }
  /** A 200 whose Atom feed stops in the middle of an entry. */
  | { kind: 'truncated' }
  /** A 200 (or the given status) HTML page, as arXiv's front ends serve during maintenance. */
  | { kind: 'html'; status?: number }
  /** arXiv's HTTP 400 error feed for `id`, whatever the request named (an id arXiv refuses but we accept). */
  | { kind: 'error-feed'; id: string };

/** What the server saw of one request. */
export interface RecordedArxivRequest {
  /** When the request arrived and when its answer was finished (Date.now() ms; end is null for a hang). */
  receivedAt: number;
  answeredAt: number | null;
  url: string;
  headers: IncomingHttpHeaders;
  /** The `id_list` ids, in order (empty when the request named none). */
  ids: string[];
  /** What was served: 'replay', 'empty', 'error-400', or the fault's kind. */
  served: string;
  /** Which client connection the request came on (connections are numbered from 1 in order of opening). */
  connection: number;
}

export interface ArxivReplay {
  /** The query endpoint, for PAPERBOY_ARXIV_API_URL: `http://127.0.0.1:PORT/api/query`. */
  url: string;
  /** Every request so far, in arrival order. */
  requests: RecordedArxivRequest[];
  /** Fails the next `times` requests with `fault` (after any faults already queued). */
  failNext(fault: ArxivFault, times?: number): void;
  /** The ids the recordings know, e.g. for batches of many ids. */
  knownIds(): string[];
  close(): Promise<void>;
}

const ENTRY = /<entry>[\s\S]*?<\/entry>/g;
const ENTRY_ID = /<id>https?:\/\/arxiv\.org\/abs\/(.+?)(?:v\d+)?<\/id>/;
/** arXiv's own id check is looser than ours: `0000.0000` is well-formed to arXiv (and unknown), `abc` is not. */
const ARXIV_WELL_FORMED = /^(?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?\/\d{7})(?:v\d+)?$/;

interface Recordings {
  entries: Map<string, string>;
  /** Whole recordings by their id list (`1605.08386`, `0808.05394,1707.08567`). */
  exact: Map<string, string>;
  empty: string;
  error: string;
}

function loadRecordings(): Recordings {
  const entries = new Map<string, string>();
  const exact = new Map<string, string>();
  for (const name of readdirSync(ARXIV_API_FIXTURES_DIR).filter((n) => n.endsWith('.xml'))) {
    const text = readFileSync(join(ARXIV_API_FIXTURES_DIR, name), 'utf8');
    for (const entry of text.match(ENTRY) ?? []) {
      const id = ENTRY_ID.exec(entry)?.[1];
      if (id) entries.set(id, entry);
    }
    const asked = /id_list=([^&"<]+)/.exec(text)?.[1];
    if (asked && /<entry>/.test(text)) exact.set(asked, text);
  }
  return {
    entries,
    exact,
    empty: readFileSync(join(ARXIV_API_FIXTURES_DIR, 'id-0000.0000-empty.xml'), 'utf8'),
    error: readFileSync(join(ARXIV_API_FIXTURES_DIR, 'id-abc-error-400.xml'), 'utf8'),
  };
}

/** Starts the replay server on 127.0.0.1 with a free port. */
export async function startArxivReplay(): Promise<ArxivReplay> {
  const recordings = loadRecordings();
  const requests: RecordedArxivRequest[] = [];
  const faults: ArxivFault[] = [];
  let connections = 0;

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const ids = (url.searchParams.get('id_list') ?? '').split(',').filter((id) => id !== '');
    const record: RecordedArxivRequest = {
      receivedAt: Date.now(),
      answeredAt: null,
      url: request.url ?? '',
      headers: request.headers,
      ids,
      served: '',
      connection: (request.socket as { replayNumber?: number }).replayNumber ?? 0,
    };
    requests.push(record);
    const finish = (
      served: string,
      status: number,
      type: string,
      body: string,
      headers: Record<string, string> = {},
    ) => {
      record.served = served;
      response.writeHead(status, { 'content-type': type, ...headers });
      response.end(body, () => {
        record.answeredAt = Date.now();
      });
    };
    const fault = faults.shift();
    if (fault) return serveFault(fault, record, response, finish, recordings.error);
    if (url.pathname !== '/api/query') return finish('not-found', 404, 'text/plain', 'not found');
    const malformed = ids.find((id) => !ARXIV_WELL_FORMED.test(id));
    if (malformed !== undefined) return finish('error-400', 400, ATOM, errorFeed(recordings.error, malformed));
    const exact = recordings.exact.get(ids.join(','));
    if (exact) return finish('replay', 200, ATOM, exact);
    const found = ids.map((id) => recordings.entries.get(id.replace(/v\d+$/, ''))).filter((e) => e !== undefined);
    if (found.length === 0) return finish('empty', 200, ATOM, recordings.empty);
    return finish('replay', 200, ATOM, composeFeed(recordings.empty, found));
  });
  server.on('connection', (socket) => {
    connections += 1;
    (socket as { replayNumber?: number }).replayNumber = connections;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/api/query`,
    requests,
    failNext(fault, times = 1) {
      for (let i = 0; i < times; i += 1) faults.push(fault);
    },
    knownIds: () => [...recordings.entries.keys()],
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const ATOM = 'application/atom+xml; charset=utf-8';

function serveFault(
  fault: ArxivFault,
  record: RecordedArxivRequest,
  response: ServerResponse,
  finish: (served: string, status: number, type: string, body: string, headers?: Record<string, string>) => void,
  errorTemplate: string,
): void {
  switch (fault.kind) {
    case 'error-feed':
      finish('error-400', 400, ATOM, errorFeed(errorTemplate, fault.id));
      return;
    case 'status':
      finish(
        `status-${fault.status}`,
        fault.status,
        'text/plain',
        `HTTP ${fault.status}`,
        fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter },
      );
      return;
    case 'hang':
      record.served = 'hang';
      // Keep the socket open without answering; close() ends it.
      response.on('close', () => undefined);
      return;
    case 'truncated': {
      const body = readFileSync(join(ARXIV_API_FIXTURES_DIR, 'id-1605.08386.xml'), 'utf8');
      finish('truncated', 200, ATOM, body.slice(0, body.indexOf('<summary>') + 40));
      return;
    }
    case 'html':
      finish(
        'html',
        fault.status ?? 200,
        'text/html; charset=utf-8',
        '<!DOCTYPE html><html><head><title>arXiv is under maintenance</title></head><body><h1>Be right back</h1></body></html>',
      );
      return;
  }
}

/** The recorded error feed ("incorrect id format for abc") about another id. */
function errorFeed(template: string, id: string): string {
  return template.replaceAll('abc', id.replaceAll('&', '&amp;').replaceAll('<', '&lt;'));
}

/** The empty answer's feed head with these entries and their count, as arXiv answers a multi-id look-up. */
function composeFeed(emptyFeed: string, entries: string[]): string {
  const head = emptyFeed
    .replace(/<opensearch:totalResults>\d+</, `<opensearch:totalResults>${entries.length}<`)
    .replace('</feed>', '');
  return `${head}  ${entries.join('\n  ')}\n</feed>\n`;
}
