/**
 * Code and project links found in real abstracts and comments (src/domain/paper-links.ts) reach the API as
 * `githubRepo` and `projectPage`, from every source (the sample JSON lines, the arXiv API's Atom), on SQLite and
 * PostgreSQL; and an explicit link stored before is not replaced by a found one when the paper is imported again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { importStream } from '../src/ingest/import-stream.ts';
import { openFileInput } from '../src/ingest/input.ts';
import { createTestApp, type TestApp, testRecord } from './support/app.ts';
import { databaseKinds } from './support/databases.ts';

const SAMPLE = new URL('../sample-data/seed-papers.jsonl', import.meta.url).pathname;
const API_ANSWER = new URL('./fixtures/arxiv/api/search-testing-100.xml', import.meta.url).pathname;

const apps: TestApp[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

async function importFile(app: TestApp, path: string) {
  return importStream(app.store, await openFileInput(path), { timeZone: 'America/New_York' });
}

async function links(app: TestApp, id: string) {
  const response = await app.app.inject({ method: 'GET', url: `/api/papers/${id}` });
  expect(response.statusCode).toBe(200);
  const body = response.json() as { githubRepo?: string; projectPage?: string };
  return { githubRepo: body.githubRepo ?? null, projectPage: body.projectPage ?? null };
}

describe.each(databaseKinds())('links in GET /api/papers/{id} on $name', (kind) => {
  it.skipIf(!kind.available)('come from the abstracts of imported snapshot lines and arXiv API answers', async () => {
    const app = await createTestApp(kind);
    apps.push(app);
    await importFile(app, SAMPLE);
    await importFile(app, API_ANSWER);
    expect(await links(app, '2301.12664')).toEqual({
      githubRepo: 'https://github.com/thuml/Latent-Spectral-Models',
      projectPage: null,
    });
    expect(await links(app, '2412.05994')).toEqual({
      githubRepo: null,
      projectPage: 'https://namgyukang.github.io/Physics-Informed-Gaussians/',
    });
    expect(await links(app, '2105.02446')).toEqual({
      githubRepo: 'https://github.com/MoonInTheRiver/DiffSinger',
      projectPage: 'https://diffsinger.github.io/',
    });
    // From the arXiv API's Atom answer.
    expect(await links(app, '2507.10541')).toEqual({
      githubRepo: null,
      projectPage: 'https://opendatalab.github.io/REST',
    });
    // A paper without links has none.
    expect(await links(app, '2206.00927')).toEqual({ githubRepo: null, projectPage: null });
  });

  it.skipIf(!kind.available)('never replace an explicit link when the paper is imported again', async () => {
    const app = await createTestApp(kind);
    apps.push(app);
    await importFile(app, SAMPLE);
    const imported = await app.store.getPaper('2301.12664');
    // As a source that names links (Hugging Face) or a submitter would have set them.
    await app.store.upsertPapers([
      testRecord('2301.12664', {
        ...imported!,
        githubRepo: 'https://github.com/explicit/lsm',
        projectPage: 'https://lsm.example.org/',
      }),
    ]);
    const again = await importFile(app, SAMPLE);
    expect(again.unchanged).toBe(again.imported);
    expect(await links(app, '2301.12664')).toEqual({
      githubRepo: 'https://github.com/explicit/lsm',
      projectPage: 'https://lsm.example.org/',
    });
  });
});
