/**
 * Configuration from the environment (and a `.env` file in the working directory), validated once at start-up.
 * A bad value stops the process with a message that names the variable and what it expects.
 */
import { existsSync } from 'node:fs';
import { type DatabaseUrl, parseDatabaseUrl, redact } from './storage/database.ts';

export interface Config {
  port: number;
  host: string;
  databaseUrl: DatabaseUrl;
  /** Absolute base for links in mail and feeds; derived from host and port when unset. */
  baseUrl: string;
  /** Load the bundled sample papers into an empty database on start. */
  sampleData: boolean;
  /** The instance's clock for the daily feed (IANA name). */
  timeZone: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Memory for cached public answers (web/response-cache.ts), in bytes; 0 turns the cache off. */
  responseCacheBytes: number;
  /** Key for signed tokens (CSRF, unsubscribe); null = one generated and kept in the database. */
  secret: string | null;
  /** `smtp://user:pass@host:port`; null = mail is written to the log (development). */
  smtpUrl: string | null;
  /** The From line of every mail. */
  mailFrom: string;
  /** arXiv's API query endpoint (tests point it at a local replay server). */
  arxivApiUrl: string;
  /** Submissions one person may make per day (admins are not limited). */
  submissionsPerDay: number;
  /** Papers whose first version is older than this many days may be submitted by admins only. */
  submissionMaxAgeDays: number;
  /** Rate limits on sign-in, upvotes, submissions and comments (off only for benchmarks). */
  rateLimits: boolean;
  /** Sign-in with an OpenID Connect provider; null when not configured. */
  oidc: OidcConfig | null;
  /** arXiv categories the instance follows (PAPERBOY_CATEGORIES); empty = no automatic ingestion. */
  categories: string[];
  /** Base of arXiv's announcement feeds; feeds are at `${base}/rss/<categories joined by +>`. */
  arxivRssUrl: string;
  /** arXiv's OAI-PMH endpoint. */
  arxivOaiUrl: string;
  /**
   * 'auto': new papers of followed categories are listed on the daily feed as they are announced (like an arXiv
   * listing); 'submissions': they enter the catalogue and are listed only when someone submits them (like Hugging
   * Face).
   */
  listingMode: 'auto' | 'submissions';
  /** `serve` also runs the worker's schedule (one machine); off when a separate `paperboy worker` runs it. */
  workerInServe: boolean;
  /**
   * Bearer token a Prometheus scraper sends for GET /metrics (PAPERBOY_METRICS_TOKEN); null = /metrics is open to
   * local requests on a loopback-only instance and to admins only (see web/metrics.ts).
   */
  metricsToken: string | null;
  /** Trending papers in each digest (PAPERBOY_DIGEST_SIZE, default 10). */
  digestSize: number;
  /**
   * When the digests go out, in the instance's time zone (PAPERBOY_DIGEST_TIME, `HH:MM`, default 08:00): daily ones
   * on weekdays, weekly ones on each subscriber's chosen day.
   */
  digestTime: { hour: number; minute: number };
  /** Most digest mails handed to the SMTP server per second (PAPERBOY_MAIL_RATE, default 10). */
  mailRatePerSecond: number;
  /**
   * Which embedder computes the vectors of semantic search (PAPERBOY_EMBEDDER): 'default' (the offline embedder
   * that needs no download), 'onnx' (a sentence-embedding model in PAPERBOY_EMBEDDER_MODEL) or 'off' (lexical
   * search only).
   */
  embedder: 'default' | 'onnx' | 'off';
  /** The folder of an ONNX sentence-embedding model (config.json, tokenizer.json, onnx/model.onnx); null if unset. */
  embedderModelDir: string | null;
  /** Where derived files are kept between runs, e.g. the word vectors' compact form (PAPERBOY_CACHE_DIR). */
  cacheDir: string;
}

export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Shown on the sign-in button ("Sign in with ..."). */
  name: string;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    expected: string,
    got: string,
    detail?: string,
  ) {
    const shown = got.length > 60 ? `${got.slice(0, 60)}…` : got;
    super(`${variable} must be ${expected} (got '${shown}'${detail ? `: ${detail}` : ''})`);
    this.name = 'ConfigError';
  }
}

const DEFAULTS = {
  PORT: '3000',
  HOST: '127.0.0.1',
  DATABASE_URL: 'sqlite:./data/paperboy.db',
  PAPERBOY_SAMPLE_DATA: '1',
  PAPERBOY_TIMEZONE: 'America/New_York',
  LOG_LEVEL: 'info',
  PAPERBOY_RESPONSE_CACHE_MB: '32',
  PAPERBOY_ARXIV_API_URL: 'https://export.arxiv.org/api/query',
  PAPERBOY_SUBMISSIONS_PER_DAY: '10',
  PAPERBOY_SUBMISSION_MAX_AGE_DAYS: '14',
  PAPERBOY_RATE_LIMITS: '1',
  OIDC_NAME: 'single sign-on',
  PAPERBOY_ARXIV_RSS_URL: 'https://rss.arxiv.org',
  PAPERBOY_ARXIV_OAI_URL: 'https://oaipmh.arxiv.org/oai',
  PAPERBOY_LISTING: 'auto',
  PAPERBOY_WORKER_IN_SERVE: '1',
  PAPERBOY_DIGEST_TIME: '08:00',
  PAPERBOY_MAIL_RATE: '10',
  PAPERBOY_EMBEDDER: 'default',
  PAPERBOY_CACHE_DIR: './data/cache',
} as const;

/** An arXiv category as arXiv writes it: an archive (`math`, `hep-th`) or archive.subject (`cs.LG`, `math.AG`). */
const CATEGORY_PATTERN = /^([a-z][a-z-]*)(?:\.[A-Za-z][A-Za-z-]*)?$/;
/** arXiv's current archives (arxiv.org/category_taxonomy): a category to follow must belong to one of them. */
const ARXIV_ARCHIVES = new Set([
  'astro-ph',
  'cond-mat',
  'cs',
  'econ',
  'eess',
  'gr-qc',
  'hep-ex',
  'hep-lat',
  'hep-ph',
  'hep-th',
  'math',
  'math-ph',
  'nlin',
  'nucl-ex',
  'nucl-th',
  'physics',
  'q-bio',
  'q-fin',
  'quant-ph',
  'stat',
]);

/** Shorter keys are too easy to guess, in characters. */
const MIN_SECRET_LENGTH = 32;
const MAX_SUBMISSIONS_PER_DAY = 10_000;
const MAX_SUBMISSION_AGE_DAYS = 36_500;

const BYTES_PER_MIB = 1_048_576;
/** More than this is surely a typo (the cache holds rendered pages of a daily feed). */
const MAX_RESPONSE_CACHE_MB = 65_536;

const DATABASE_URL_EXPECTED = 'sqlite:PATH (e.g. sqlite:./data/paperboy.db) or postgres://user:pass@host:port/db';
/** Addresses that mean "listen on every interface", which are no use in a link. */
const UNSPECIFIED_ADDRESSES = ['0.0.0.0', '::', '[::]'];
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const TRUE_WORDS = ['1', 'true', 'yes', 'on'];
const FALSE_WORDS = ['0', 'false', 'no', 'off'];

type Env = Record<string, string | undefined>;

/** Reads `.env` from the working directory into process.env (variables already set win). */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

/** Validates the environment; throws ConfigError on the first bad value. */
export function loadConfig(env: Env = process.env): Config {
  const get = (name: keyof typeof DEFAULTS) => {
    const value = env[name];
    return value === undefined || value === '' ? DEFAULTS[name] : value;
  };

  const portText = get('PORT');
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 0 || port > 65535) {
    throw new ConfigError('PORT', 'a TCP port number from 0 to 65535', portText);
  }

  const host = get('HOST');
  if (!/^[A-Za-z0-9.:[\]-]+$/.test(host)) throw new ConfigError('HOST', 'a host name or IP address', host);

  const databaseText = get('DATABASE_URL');
  let databaseUrl: DatabaseUrl;
  try {
    databaseUrl = parseDatabaseUrl(databaseText);
  } catch (error) {
    throw new ConfigError('DATABASE_URL', DATABASE_URL_EXPECTED, redact(databaseText), (error as Error).message);
  }

  const sampleText = get('PAPERBOY_SAMPLE_DATA').toLowerCase();
  if (!TRUE_WORDS.includes(sampleText) && !FALSE_WORDS.includes(sampleText)) {
    throw new ConfigError('PAPERBOY_SAMPLE_DATA', '1 or 0 (true/false, yes/no, on/off)', sampleText);
  }

  const timeZone = get('PAPERBOY_TIMEZONE');
  if (!isTimeZone(timeZone)) {
    throw new ConfigError('PAPERBOY_TIMEZONE', 'an IANA time zone name such as America/New_York or UTC', timeZone);
  }

  const logLevel = get('LOG_LEVEL') as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('LOG_LEVEL', `one of ${LOG_LEVELS.join(', ')}`, logLevel);

  const cacheText = get('PAPERBOY_RESPONSE_CACHE_MB');
  const cacheMb = Number(cacheText);
  if (!/^\d+$/.test(cacheText) || cacheMb > MAX_RESPONSE_CACHE_MB) {
    throw new ConfigError(
      'PAPERBOY_RESPONSE_CACHE_MB',
      `a whole number of MiB from 0 (off) to ${MAX_RESPONSE_CACHE_MB}`,
      cacheText,
    );
  }

  const baseText = env.PAPERBOY_BASE_URL;
  // Listening on every address says nothing about how readers reach the instance: link to loopback by default.
  const linkHost = UNSPECIFIED_ADDRESSES.includes(host) ? '127.0.0.1' : host;
  let baseUrl = `http://${linkHost.includes(':') ? `[${linkHost}]` : linkHost}:${port}`;
  if (baseText) {
    let parsed: URL | null = null;
    try {
      parsed = new URL(baseText);
    } catch {
      parsed = null;
    }
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol)) {
      throw new ConfigError(
        'PAPERBOY_BASE_URL',
        'an absolute http(s) URL such as https://papers.example.org',
        baseText,
      );
    }
    baseUrl = baseText.replace(/\/+$/, '');
  }

  const secret = env.PAPERBOY_SECRET || null;
  if (secret !== null && secret.length < MIN_SECRET_LENGTH) {
    throw new ConfigError('PAPERBOY_SECRET', `a random string of at least ${MIN_SECRET_LENGTH} characters`, '(hidden)');
  }

  const smtpUrl = env.SMTP_URL || null;
  if (smtpUrl !== null && !isUrlWithScheme(smtpUrl, ['smtp:', 'smtps:'])) {
    throw new ConfigError('SMTP_URL', 'smtp://user:pass@host:port or smtps://...', redact(smtpUrl));
  }

  const mailFrom = env.PAPERBOY_MAIL_FROM || `Paperboy <paperboy@${new URL(baseUrl).hostname}>`;
  if (/[\r\n]/.test(mailFrom) || !/@/.test(mailFrom)) {
    throw new ConfigError('PAPERBOY_MAIL_FROM', 'one address, e.g. "Paperboy <papers@example.org>"', mailFrom);
  }

  const arxivApiUrl = get('PAPERBOY_ARXIV_API_URL');
  if (!isUrlWithScheme(arxivApiUrl, ['http:', 'https:'])) {
    throw new ConfigError('PAPERBOY_ARXIV_API_URL', 'an http(s) URL of the query endpoint', arxivApiUrl);
  }

  const submissionsPerDay = wholeNumber(get, 'PAPERBOY_SUBMISSIONS_PER_DAY', 1, MAX_SUBMISSIONS_PER_DAY);
  const submissionMaxAgeDays = wholeNumber(get, 'PAPERBOY_SUBMISSION_MAX_AGE_DAYS', 0, MAX_SUBMISSION_AGE_DAYS);

  const rateText = get('PAPERBOY_RATE_LIMITS').toLowerCase();
  if (!TRUE_WORDS.includes(rateText) && !FALSE_WORDS.includes(rateText)) {
    throw new ConfigError('PAPERBOY_RATE_LIMITS', '1 or 0 (true/false, yes/no, on/off)', rateText);
  }

  return {
    port,
    host,
    databaseUrl,
    baseUrl,
    sampleData: TRUE_WORDS.includes(sampleText),
    timeZone,
    logLevel,
    responseCacheBytes: cacheMb * BYTES_PER_MIB,
    secret,
    smtpUrl,
    mailFrom,
    arxivApiUrl,
    submissionsPerDay,
    submissionMaxAgeDays,
    rateLimits: TRUE_WORDS.includes(rateText),
    oidc: readOidc(env, get('OIDC_NAME')),
    categories: readCategories(env.PAPERBOY_CATEGORIES ?? ''),
    arxivRssUrl: httpUrl(get, 'PAPERBOY_ARXIV_RSS_URL', 'the base URL of arXiv RSS feeds (https://rss.arxiv.org)'),
    arxivOaiUrl: httpUrl(get, 'PAPERBOY_ARXIV_OAI_URL', "arXiv's OAI-PMH endpoint (https://oaipmh.arxiv.org/oai)"),
    listingMode: readListingMode(get('PAPERBOY_LISTING')),
    workerInServe: readSwitch(get, 'PAPERBOY_WORKER_IN_SERVE'),
    metricsToken: readMetricsToken(env.PAPERBOY_METRICS_TOKEN || null),
    digestSize: readDigestSize(env.PAPERBOY_DIGEST_SIZE || ''),
    digestTime: readClockTime(get, 'PAPERBOY_DIGEST_TIME'),
    mailRatePerSecond: wholeNumber(get, 'PAPERBOY_MAIL_RATE', 1, MAX_MAIL_RATE_PER_SECOND),
    ...readEmbedder(get, env.PAPERBOY_EMBEDDER_MODEL || null),
    cacheDir: get('PAPERBOY_CACHE_DIR'),
  };
}

/** More mails per second than this is beyond what any relay accepts from one sender. */
const MAX_MAIL_RATE_PER_SECOND = 1000;

/** `HH:MM` on a 24-hour clock. */
function readClockTime(get: (name: keyof typeof DEFAULTS) => string, name: keyof typeof DEFAULTS) {
  const text = get(name);
  const match = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (!match) throw new ConfigError(name, 'a time of day as HH:MM on a 24-hour clock, e.g. 08:00', text);
  return { hour: Number(match[1]), minute: Number(match[2]) };
}

const EMBEDDERS = ['default', 'onnx', 'off'] as const;

/** The embedder and, for 'onnx', the model folder it needs. */
function readEmbedder(get: (name: keyof typeof DEFAULTS) => string, modelDir: string | null) {
  const embedder = get('PAPERBOY_EMBEDDER') as Config['embedder'];
  if (!EMBEDDERS.includes(embedder)) {
    throw new ConfigError('PAPERBOY_EMBEDDER', `one of ${EMBEDDERS.join(', ')}`, embedder);
  }
  if (embedder === 'onnx' && modelDir === null) {
    throw new ConfigError(
      'PAPERBOY_EMBEDDER_MODEL',
      'the folder of an ONNX sentence-embedding model when PAPERBOY_EMBEDDER=onnx',
      '',
    );
  }
  return { embedder, embedderModelDir: modelDir };
}

/** Trending papers per digest when PAPERBOY_DIGEST_SIZE is unset: a screenful on a phone. */
const DEFAULT_DIGEST_SIZE = 10;
/** More papers than this is a catalogue, not a digest (and a mail some clients clip). */
const MAX_DIGEST_SIZE = 50;

function readDigestSize(text: string): number {
  if (text === '') return DEFAULT_DIGEST_SIZE;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > MAX_DIGEST_SIZE) {
    throw new ConfigError('PAPERBOY_DIGEST_SIZE', `a whole number of papers from 1 to ${MAX_DIGEST_SIZE}`, text);
  }
  return value;
}

/** The scrape token must be hard to guess (like PAPERBOY_SECRET) and fit in one header without odd characters. */
function readMetricsToken(token: string | null): string | null {
  if (token !== null && (token.length < MIN_SECRET_LENGTH || !/^[\x21-\x7e]+$/.test(token))) {
    throw new ConfigError(
      'PAPERBOY_METRICS_TOKEN',
      `a random string of at least ${MIN_SECRET_LENGTH} printable characters without spaces`,
      '(hidden)',
    );
  }
  return token;
}

/** `cs.LG,cs.CV` (commas or spaces) -> ['cs.LG', 'cs.CV'], each checked, duplicates dropped. */
function readCategories(text: string): string[] {
  const categories = [...new Set(text.split(/[\s,+]+/).filter((part) => part !== ''))];
  const bad = categories.find((category) => !ARXIV_ARCHIVES.has(CATEGORY_PATTERN.exec(category)?.[1] ?? ''));
  if (bad !== undefined) {
    throw new ConfigError(
      'PAPERBOY_CATEGORIES',
      'arXiv categories separated by commas, e.g. cs.LG,cs.CV',
      text,
      `'${bad}' is not a category`,
    );
  }
  return categories;
}

function readListingMode(text: string): Config['listingMode'] {
  if (text !== 'auto' && text !== 'submissions') {
    throw new ConfigError('PAPERBOY_LISTING', "'auto' (list followed categories' new papers) or 'submissions'", text);
  }
  return text;
}

function readSwitch(get: (name: keyof typeof DEFAULTS) => string, name: keyof typeof DEFAULTS): boolean {
  const text = get(name).toLowerCase();
  if (!TRUE_WORDS.includes(text) && !FALSE_WORDS.includes(text)) {
    throw new ConfigError(name, '1 or 0 (true/false, yes/no, on/off)', text);
  }
  return TRUE_WORDS.includes(text);
}

function httpUrl(get: (name: keyof typeof DEFAULTS) => string, name: keyof typeof DEFAULTS, expected: string): string {
  const value = get(name);
  if (!isUrlWithScheme(value, ['http:', 'https:'])) throw new ConfigError(name, expected, value);
  return value.replace(/\/+$/, '');
}

/** OpenID Connect settings: all three of issuer, client id and secret, or none. */
function readOidc(env: Env, name: string): OidcConfig | null {
  const issuer = env.OIDC_ISSUER || '';
  const clientId = env.OIDC_CLIENT_ID || '';
  const clientSecret = env.OIDC_CLIENT_SECRET || '';
  if (!issuer && !clientId && !clientSecret) return null;
  if (!isUrlWithScheme(issuer, ['http:', 'https:'])) {
    throw new ConfigError('OIDC_ISSUER', "the provider's issuer URL (https://...)", issuer);
  }
  if (!clientId) throw new ConfigError('OIDC_CLIENT_ID', 'set whenever OIDC_ISSUER is', '');
  if (!clientSecret) throw new ConfigError('OIDC_CLIENT_SECRET', 'set whenever OIDC_ISSUER is', '');
  return { issuer: issuer.replace(/\/+$/, ''), clientId, clientSecret, name };
}

function wholeNumber(
  get: (name: keyof typeof DEFAULTS) => string,
  name: keyof typeof DEFAULTS,
  min: number,
  max: number,
) {
  const text = get(name);
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new ConfigError(name, `a whole number from ${min} to ${max}`, text);
  }
  return value;
}

function isUrlWithScheme(value: string, schemes: string[]): boolean {
  try {
    return schemes.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** Loopback host names and addresses: a server bound to one of these is reachable from this machine only. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', '[::1]', 'localhost']);

/**
 * True when the server is reachable from this machine only (a laptop in development). Without SMTP, sign-in links
 * are shown on the page only then: on an instance others can reach, that would let anyone sign in as anyone.
 */
export function servesLoopbackOnly(config: Pick<Config, 'host'>): boolean {
  return LOOPBACK_HOSTS.has(config.host);
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
