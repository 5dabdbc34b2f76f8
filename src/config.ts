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
} as const;

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

  return {
    port,
    host,
    databaseUrl,
    baseUrl,
    sampleData: TRUE_WORDS.includes(sampleText),
    timeZone,
    logLevel,
    responseCacheBytes: cacheMb * BYTES_PER_MIB,
  };
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
