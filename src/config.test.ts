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
    ['PAPERBOY_SECRET', 'too-short'],
    ['SMTP_URL', 'http://mail.example.org'],
    ['PAPERBOY_MAIL_FROM', 'papers@example.org\r\nBcc: x@y.org'],
    ['PAPERBOY_ARXIV_API_URL', 'ftp://export.arxiv.org'],
    ['PAPERBOY_SUBMISSIONS_PER_DAY', '0'],
    ['PAPERBOY_SUBMISSION_MAX_AGE_DAYS', 'two weeks'],
    ['PAPERBOY_RATE_LIMITS', 'sometimes'],
    ['OIDC_ISSUER', 'not-a-url'],
    ['PAPERBOY_CATEGORIES', 'cs.LG,machine learning!'],
    ['PAPERBOY_CATEGORIES', 'notacat'],
    ['PAPERBOY_CATEGORIES', 'cs.LG,bio.XX'],
    ['PAPERBOY_ARXIV_RSS_URL', 'rss.arxiv.org'],
    ['PAPERBOY_ARXIV_OAI_URL', 'ftp://oaipmh.arxiv.org/oai'],
    ['PAPERBOY_LISTING', 'sometimes'],
    ['PAPERBOY_WORKER_IN_SERVE', 'maybe'],
  ])('names %s when it is %s', (variable, value) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [variable]: value })).toThrow(new RegExp(`^${variable} must be`));
  });

  it('reads the community settings, with defaults', () => {
    const defaults = loadConfig({});
    expect(defaults).toMatchObject({
      secret: null,
      smtpUrl: null,
      mailFrom: 'Paperboy <paperboy@127.0.0.1>',
      arxivApiUrl: 'https://export.arxiv.org/api/query',
      submissionsPerDay: 10,
      submissionMaxAgeDays: 14,
      rateLimits: true,
      oidc: null,
    });
    const set = loadConfig({
      PAPERBOY_SECRET: 's'.repeat(40),
      SMTP_URL: 'smtp://u:p@127.0.0.1:2525',
      PAPERBOY_MAIL_FROM: 'Lab papers <papers@lab.example.org>',
      PAPERBOY_SUBMISSIONS_PER_DAY: '3',
      PAPERBOY_RATE_LIMITS: 'off',
      OIDC_ISSUER: 'https://id.example.org/',
      OIDC_CLIENT_ID: 'paperboy',
      OIDC_CLIENT_SECRET: 'shh',
      OIDC_NAME: 'Lab SSO',
    });
    expect(set).toMatchObject({
      secret: 's'.repeat(40),
      smtpUrl: 'smtp://u:p@127.0.0.1:2525',
      mailFrom: 'Lab papers <papers@lab.example.org>',
      submissionsPerDay: 3,
      rateLimits: false,
      oidc: { issuer: 'https://id.example.org', clientId: 'paperboy', clientSecret: 'shh', name: 'Lab SSO' },
    });
  });

  it('wants all of OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET, or none', () => {
    expect(() => loadConfig({ OIDC_ISSUER: 'https://id.example.org' })).toThrow(/^OIDC_CLIENT_ID must be set/);
    expect(() => loadConfig({ OIDC_ISSUER: 'https://id.example.org', OIDC_CLIENT_ID: 'x' })).toThrow(
      /^OIDC_CLIENT_SECRET must be set/,
    );
    expect(() => loadConfig({ OIDC_CLIENT_SECRET: 'x' })).toThrow(/^OIDC_ISSUER must be/);
  });

  it('never shows the secret or the SMTP password in its complaint', () => {
    expect(() => loadConfig({ PAPERBOY_SECRET: 'hunter2' })).toThrow(/\(hidden\)/);
    expect(() => loadConfig({ SMTP_URL: 'http://u:topsecret@x' })).not.toThrow(/topsecret/);
  });

  it('reads the ingestion settings, with defaults', () => {
    expect(loadConfig({})).toMatchObject({
      categories: [],
      arxivRssUrl: 'https://rss.arxiv.org',
      arxivOaiUrl: 'https://oaipmh.arxiv.org/oai',
      listingMode: 'auto',
      workerInServe: true,
    });
    expect(
      loadConfig({
        PAPERBOY_CATEGORIES: ' cs.LG, cs.CV,cs.LG hep-th math.AG ',
        PAPERBOY_ARXIV_RSS_URL: 'http://127.0.0.1:9000/',
        PAPERBOY_LISTING: 'submissions',
        PAPERBOY_WORKER_IN_SERVE: 'off',
      }),
    ).toMatchObject({
      categories: ['cs.LG', 'cs.CV', 'hep-th', 'math.AG'],
      arxivRssUrl: 'http://127.0.0.1:9000',
      listingMode: 'submissions',
      workerInServe: false,
    });
    expect(() => loadConfig({ PAPERBOY_CATEGORIES: 'cs.LG,CS LG' })).toThrow(/'CS' is not a category/);
  });
});
