import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('has working defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      databaseUrl: { dialect: 'sqlite', path: './data/paperboy.db' },
      baseUrl: 'http://127.0.0.1:3000',
      sampleData: true,
      timeZone: 'America/New_York',
    });
  });

  it('reads PostgreSQL URLs and switches', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
      PAPERBOY_SAMPLE_DATA: '0',
      PAPERBOY_BASE_URL: 'https://papers.example.org/',
    });
    expect(config.databaseUrl).toEqual({ dialect: 'postgres', url: 'postgres://u:p@127.0.0.1:5432/db' });
    expect(config.sampleData).toBe(false);
    expect(config.baseUrl).toBe('https://papers.example.org');
  });

  it('says once what a bad DATABASE_URL is, without its password', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://u:secret@x/db' })).toThrow(
      "DATABASE_URL must be sqlite:PATH (e.g. sqlite:./data/paperboy.db) or postgres://user:pass@host:port/db (got 'mysql://u:***@x/db': the scheme is neither sqlite: nor postgres://)",
    );
    expect(() => loadConfig({ DATABASE_URL: 'sqlite:' })).toThrow(/got 'sqlite:': the sqlite: URL has no file path\)$/);
  });

  it('links to loopback when listening on every address', () => {
    expect(loadConfig({ HOST: '0.0.0.0', PORT: '8080' }).baseUrl).toBe('http://127.0.0.1:8080');
    expect(loadConfig({ HOST: '::' }).baseUrl).toBe('http://127.0.0.1:3000');
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x'],
    ['PAPERBOY_SAMPLE_DATA', 'maybe'],
    ['PAPERBOY_TIMEZONE', 'Mars/Olympus'],
    ['PAPERBOY_BASE_URL', 'not a url'],
    ['LOG_LEVEL', 'loud'],
    ['PAPERBOY_RESPONSE_CACHE_MB', '-1'],
    ['PAPERBOY_RESPONSE_CACHE_MB', 'lots'],
  ])('names %s when it is %s', (variable, value) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [variable]: value })).toThrow(new RegExp(`^${variable} must be`));
  });
});
