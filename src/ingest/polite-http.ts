/**
 * One GET to one of arXiv's services, read whole within a time limit and a size bound, on a caller's kept-alive
 * agent (one connection: arXiv's etiquette). Shared by the API client and the OAI-PMH harvester, which add their
 * own spacing and retries on top.
 */
import http from 'node:http';
import https from 'node:https';

export interface WholeAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface GetOptions {
  agent: http.Agent;
  userAgent: string;
  accept: string;
  timeoutMs: number;
  maxBytes: number;
}

/** Reads the whole answer to a GET; rejects on a network error, a timeout or an answer larger than `maxBytes`. */
export function getWhole(url: URL, options: GetOptions): Promise<WholeAnswer> {
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(
      url,
      {
        method: 'GET',
        agent: options.agent,
        headers: { 'user-agent': options.userAgent, accept: options.accept },
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxBytes) request.destroy(new Error(`the answer exceeded ${options.maxBytes} bytes`));
          else chunks.push(chunk);
        });
        response.on('end', () => {
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) });
        });
        response.on('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
      },
    );
    const timer = setTimeout(
      () => request.destroy(new Error(`no complete answer within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    request.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    request.end();
  });
}

/** arXiv's front ends answer overload and maintenance with HTML pages, sometimes with status 200. */
export function looksLikeHtml(headers: http.IncomingHttpHeaders, body: Buffer): boolean {
  if (/html/i.test(headers['content-type'] ?? '')) return true;
  const start = body.subarray(0, 256).toString('utf8').trimStart().toLowerCase();
  return start.startsWith('<!doctype html') || start.startsWith('<html');
}

/** The first value of a header that may be repeated. */
export function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
