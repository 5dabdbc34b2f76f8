/**
 * A local stand-in for arXiv's OAI-PMH endpoint (`/oai`), serving the real `arXivRaw` records of
 * test/fixtures/arxiv/oai as one three-page harvest, so that tests run the real harvester over real HTTP without
 * touching arXiv. It answers like arXiv does:
 *
 * - `verb=ListRecords&metadataPrefix=arXivRaw&from=&until=[&set=]` -> page 1; a range that starts after the newest
 *   datestamp of the records -> `noRecordsMatch`; another metadataPrefix -> `cannotDisseminateFormat`;
 * - `verb=ListRecords&resumptionToken=T` (and nothing else: OAI-PMH forbids other arguments with a token) -> the
 *   page T names; an unknown token -> `badResumptionToken`; a token with other arguments -> `badArgument`;
 * - every request is recorded (arrival and end times, URL, parameters, headers, what was served);
 * - `failNext(fault, times, skip)` makes requests fail, after letting `skip` requests through: a status (503 with
 *   Retry-After, as arXiv paces harvesters; 429; 500), a hang (for timeouts), the connection dropped mid-answer, the
 *   page cut off in the middle of a record, or an HTML error page.
 *
 * Usage: `const oai = await startOaiReplay(); ... PAPERBOY_ARXIV_OAI_URL = oai.url; ... await oai.close()`.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

/** Where the pages live. */
export const OAI_FIXTURES_DIR = fileURLToPath(new URL('../fixtures/arxiv/oai/', import.meta.url));

/** The harvest the replay serves: its pages in order, and the facts tests check against. */
export const OAI_HARVEST = {
  pages: ['page-1.xml', 'page-2.xml', 'page-3.xml'],
  /** Each page's resumption token (the first page has none: it answers the range request). */
  tokens: [null, '6130925|401', '6130925|801'],
  records: 1000,
  /** Record 1 has an id arXiv no longer accepts. */
  skipped: 1,
  /** Record 900 is deleted. */
  deleted: 1,
  papers: 998,
  /** The newest datestamp in the pages: a range after it matches nothing. */
  newestDatestamp: '2014-01-14',
} as const;

export type OaiFault =
  /** An HTTP status (503 or 429 with Retry-After: seconds or an HTTP date; or a plain 500). */
  | { kind: 'status'; status: number; retryAfter?: string }
  /** Accept the request and never answer (the harvester's timeout must fire). */
  | { kind: 'hang' }
  /** Send the headers and part of the page, then drop the connection. */
  | { kind: 'reset' }
  /** A complete 200 answer whose XML stops in the middle of a record. */
  | { kind: 'truncated' }
  /** An HTML page (status 200 unless given), as arXiv's front ends serve during maintenance. */
  | { kind: 'html'; status?: number };

/** What the server saw of one request. */
export interface RecordedOaiRequest {
  receivedAt: number;
  answeredAt: number | null;
  url: string;
  params: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** 'page-2.xml', 'noRecordsMatch', 'badResumptionToken', ..., or the fault's kind ('status-503'). */
  served: string;
}

export interface OaiReplay {
  /** The endpoint, for PAPERBOY_ARXIV_OAI_URL: `http://127.0.0.1:PORT/oai`. */
  url: string;
  requests: RecordedOaiRequest[];
  /** Fails `times` requests with `fault` (after the faults already queued), letting the next `skip` requests through first. */
  failNext(fault: OaiFault, times?: number, skip?: number): void;
  close(): Promise<void>;
}

const XML = 'text/xml; charset=utf-8';

function fixture(name: string): string {
  return readFileSync(`${OAI_FIXTURES_DIR}${name}`, 'utf8');
}

/** Starts the replay server on 127.0.0.1 with a free port. */
export async function startOaiReplay(): Promise<OaiReplay> {
  const pages = OAI_HARVEST.pages.map(fixture);
  const pageByToken = new Map<string, number>();
  OAI_HARVEST.tokens.forEach((token, index) => {
    if (token !== null) pageByToken.set(token, index);
  });
  const errors = {
    noRecordsMatch: fixture('error-no-records-match.xml'),
    badResumptionToken: fixture('error-bad-resumption-token.xml'),
    badArgument: fixture('error-bad-argument.xml'),
  };
  const requests: RecordedOaiRequest[] = [];
  const faults: OaiFault[] = [];
  let skip = 0;

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const params = Object.fromEntries(url.searchParams);
    const record: RecordedOaiRequest = {
      receivedAt: Date.now(),
      answeredAt: null,
      url: request.url ?? '',
      params,
      headers: request.headers,
      served: '',
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
    const answer = (): { served: string; body: string } => {
      if (url.pathname !== '/oai' || params.verb !== 'ListRecords') {
        return { served: 'badArgument', body: errors.badArgument };
      }
      if (params.resumptionToken !== undefined) {
        if (Object.keys(params).length !== 2) return { served: 'badArgument', body: errors.badArgument };
        const index = pageByToken.get(params.resumptionToken);
        if (index === undefined) return { served: 'badResumptionToken', body: errors.badResumptionToken };
        return { served: OAI_HARVEST.pages[index]!, body: pages[index]! };
      }
      if (params.metadataPrefix !== 'arXivRaw') {
        return { served: 'cannotDisseminateFormat', body: errorAnswer('cannotDisseminateFormat', 'Unknown format.') };
      }
      if (!params.from || !params.until) return { served: 'badArgument', body: errors.badArgument };
      if (params.from > OAI_HARVEST.newestDatestamp) return { served: 'noRecordsMatch', body: errors.noRecordsMatch };
      return { served: OAI_HARVEST.pages[0]!, body: pages[0]! };
    };
    let fault: OaiFault | undefined;
    if (skip > 0) skip -= 1;
    else fault = faults.shift();
    if (fault) return serveFault(fault, record, response, finish, answer().body);
    const { served, body } = answer();
    finish(served, 200, XML, body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/oai`,
    requests,
    failNext(fault, times = 1, skipFirst = 0) {
      if (skipFirst > 0) skip = skipFirst;
      for (let i = 0; i < times; i += 1) faults.push(fault);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function serveFault(
  fault: OaiFault,
  record: RecordedOaiRequest,
  response: ServerResponse,
  finish: (served: string, status: number, type: string, body: string, headers?: Record<string, string>) => void,
  page: string,
): void {
  switch (fault.kind) {
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
      return;
    case 'reset':
      record.served = 'reset';
      response.writeHead(200, { 'content-type': XML, 'content-length': String(Buffer.byteLength(page)) });
      response.write(page.slice(0, page.length / 3), () => response.socket?.destroy());
      return;
    case 'truncated': {
      const cut = page.indexOf('<abstract>', page.length / 2) + 40;
      finish('truncated', 200, XML, page.slice(0, cut));
      return;
    }
    case 'html':
      finish(
        'html',
        fault.status ?? 200,
        'text/html; charset=utf-8',
        '<!DOCTYPE html><html><head><title>arXiv is under maintenance</title></head><body><h1>Be right back</h1></body></html>',
      );
  }
}

function errorAnswer(code: string, text: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">\n' +
    `<responseDate>2024-06-03T12:00:00Z</responseDate>\n<request verb="ListRecords">http://export.arxiv.org/oai2</request>\n` +
    `<error code="${code}">${text}</error>\n</OAI-PMH>\n`
  );
}
