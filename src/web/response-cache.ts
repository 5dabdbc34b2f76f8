/**
 * Whole answers of public reads (the feed pages, paper pages, and the read API), kept in memory under the data
 * version they were built from (PaperStore.dataVersion). A write in any process bumps that version, so an answer
 * is reused only while the data it shows is unchanged; checking costs one primary-key read instead of rebuilding a
 * 50-paper page. Requests that carry a session cookie or an Authorization header are never cached: signed-in
 * people's pages show their own state.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PaperStore } from '../storage/paper-store.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** This route's 200 answers depend only on the URL and the stored data, so they may be cached. */
    responseCache?: boolean;
  }
  interface FastifyRequest {
    /** The data version an uncached, cacheable answer is being built from; null when not caching. */
    responseCacheVersion: number | null;
  }
}

/** An answer as sent, with what is needed to send it again. */
export interface CachedAnswer {
  version: number;
  contentType: string;
  cacheControl: string | null;
  body: string;
}

/** No single answer may take more than this share of the cache. */
const MAX_ENTRY_SHARE = 0.125;

/** A byte-bounded LRU of answers by URL, each valid for one data version. */
export class ResponseCache {
  private readonly entries = new Map<string, CachedAnswer & { bytes: number }>();
  private totalBytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(key: string, version: number): CachedAnswer | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.remove(key);
    if (entry.version !== version) return undefined;
    this.entries.set(key, entry);
    this.totalBytes += entry.bytes;
    return entry;
  }

  set(key: string, answer: CachedAnswer): void {
    // UTF-16 code units, two bytes each: a fair bound on what the string costs in memory.
    const bytes = key.length * 2 + answer.body.length * 2;
    if (bytes > this.maxBytes * MAX_ENTRY_SHARE) return;
    this.remove(key);
    this.entries.set(key, { ...answer, bytes });
    this.totalBytes += bytes;
    for (const [oldest] of this.entries) {
      if (this.totalBytes <= this.maxBytes) break;
      this.remove(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.totalBytes -= entry.bytes;
  }
}

/**
 * Serves cacheable GETs from the cache while the data version is unchanged, and keeps their 200 answers. The
 * `X-Cache` header says which happened (`hit` or `miss`), for operators and tests.
 */
export function registerResponseCache(app: FastifyInstance, store: PaperStore, maxBytes: number): void {
  app.decorateRequest('responseCacheVersion', null);
  if (maxBytes <= 0) return;
  const cache = new ResponseCache(maxBytes);

  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!isCacheable(request)) return;
    const version = await store.dataVersion();
    const hit = cache.get(request.url, version);
    if (!hit) {
      request.responseCacheVersion = version;
      reply.header('x-cache', 'miss');
      return;
    }
    reply.header('x-cache', 'hit').type(hit.contentType);
    if (hit.cacheControl) reply.header('cache-control', hit.cacheControl);
    return reply.send(hit.body);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const version = request.responseCacheVersion;
    if (version === null || reply.statusCode !== 200 || typeof payload !== 'string') return payload;
    // An answer that sets a cookie is someone's own.
    if (reply.getHeader('set-cookie') !== undefined) return payload;
    const cacheControl = reply.getHeader('cache-control');
    cache.set(request.url, {
      version,
      contentType: String(reply.getHeader('content-type') ?? 'text/plain'),
      cacheControl: typeof cacheControl === 'string' ? cacheControl : null,
      body: payload,
    });
    return payload;
  });
}

function isCacheable(request: FastifyRequest): boolean {
  return (
    request.method === 'GET' &&
    request.routeOptions.config.responseCache === true &&
    !hasSessionCookie(request.headers.cookie) &&
    request.headers.authorization === undefined
  );
}

/** Signed-in browsers see their own state (their upvotes, their forms): only they skip the cache. */
function hasSessionCookie(header: string | undefined): boolean {
  return header !== undefined && /(?:^|;)\s*pb_session=/.test(header);
}
