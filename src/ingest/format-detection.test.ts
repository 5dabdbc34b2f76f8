import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectFormat } from './format-detection.ts';

const fixture = (path: string) => readFileSync(new URL(`../../test/fixtures/${path}`, import.meta.url));
const detect = (bytes: Uint8Array | string, complete = true) =>
  detectFormat(typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes, complete);

describe('detectFormat', () => {
  it.each([
    ['arxiv/kaggle-snapshot-200.jsonl', 'arxiv-snapshot'],
    ['arxiv/oai-arxivraw-1000.xml', 'oai-pmh'],
    ['arxiv/api/search-testing-100.xml', 'arxiv-atom'],
    ['arxiv/api/id-0000.0000-empty.xml', 'arxiv-atom'],
    ['arxiv/api/id-abc-error-400.xml', 'arxiv-atom'],
    ['import/hf-daily-papers.json', 'hf-daily-papers'],
    ['import/hf-daily-papers-bad-items.txt', 'hf-daily-papers'],
    ['import/snapshot-broken-line.jsonl', 'arxiv-snapshot'],
    ['import/oai-error-bad-token.xml', 'oai-pmh'],
  ])('recognises %s as %s', (path, format) => {
    expect(detect(fixture(path))).toEqual({ ok: true, format });
  });

  it('recognises the bundled sample as its JSON-lines variant', () => {
    const sample = readFileSync(new URL('../../sample-data/seed-papers.jsonl', import.meta.url));
    expect(detect(sample)).toEqual({ ok: true, format: 'paperboy-sample' });
  });

  it('looks only at the first bytes of a large input', () => {
    const head = fixture('arxiv/oai-arxivraw-1000.xml').subarray(0, 64 * 1024);
    expect(detect(head, false)).toEqual({ ok: true, format: 'oai-pmh' });
    const lines = fixture('arxiv/kaggle-snapshot-200.jsonl').subarray(0, 5000);
    expect(detect(lines, false)).toEqual({ ok: true, format: 'arxiv-snapshot' });
  });

  it('skips a UTF-8 byte order mark and leading whitespace', () => {
    const withBom = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('\n\n  '),
      fixture('import/hf-daily-papers.json'),
    ]);
    expect(detect(withBom)).toEqual({ ok: true, format: 'hf-daily-papers' });
  });

  it('accepts an empty daily_papers answer', () => {
    expect(detect('[]\n')).toEqual({ ok: true, format: 'hf-daily-papers' });
  });

  it('decides on a later line when the first JSON line is broken', () => {
    const lines = fixture('arxiv/kaggle-snapshot-200.jsonl').toString('utf8').split('\n');
    expect(detect([lines[0]!.slice(0, 100), ...lines.slice(1, 3)].join('\n'))).toEqual({
      ok: true,
      format: 'arxiv-snapshot',
    });
  });

  it.each([
    ['import/empty.jsonl', 'an empty file'],
    ['import/arxiv-abs-page.html', 'an HTML page'],
    ['import/pixel.png', 'a PNG image'],
    ['import/papers.csv', "plain text (it begins 'id,title,authors')"],
  ])('names what %s is', (path, found) => {
    expect(detect(fixture(path))).toEqual({ ok: false, found });
  });

  it('refuses OAI-PMH in another metadata format, found from the request or the first record', () => {
    for (const path of ['import/oai-dc.xml', 'import/oai-dc-resumed.xml']) {
      const result = detect(fixture(path));
      expect(result.ok).toBe(false);
      expect(!result.ok && result.found).toContain("'oai_dc' metadata format, which is not supported");
    }
  });

  it('refuses a single JSON object, and objects that are not papers', () => {
    const single = detect(fixture('import/single-paper-object.data'));
    expect(single).toEqual({
      ok: false,
      found: 'a single JSON object (keys: id, title, summary, authors), not JSON lines',
    });
    expect(detect('{"error": "not found"}')).toEqual({
      ok: false,
      found: 'a single JSON object (keys: error), not arXiv paper JSON lines',
    });
    expect(detect('[{"id": 1}]')).toMatchObject({ ok: false });
    expect(detect('[1, 2]')).toEqual({ ok: false, found: 'a JSON array whose items are not objects' });
  });

  it('names other XML, feeds and binary data', () => {
    expect(detect('<?xml version="1.0"?>\n<rss version="2.0"><channel/></rss>')).toEqual({
      ok: false,
      found: 'an RSS feed',
    });
    expect(detect('<feed xmlns="http://www.w3.org/2005/Atom"><title>blog</title></feed>')).toEqual({
      ok: false,
      found: 'an Atom feed that is not an arXiv API answer',
    });
    expect(detect('<svg xmlns="http://www.w3.org/2000/svg"/>')).toEqual({
      ok: false,
      found: 'XML whose root element is <svg>',
    });
    expect(detect(Buffer.from([0x1f, 0x8b, 8, 0]))).toMatchObject({
      ok: false,
      found: expect.stringContaining('gzip'),
    });
    expect(detect(Buffer.from([0x00, 0x01, 0x02, 0x03]))).toEqual({ ok: false, found: 'binary data' });
    expect(detect('   \n\t ')).toEqual({ ok: false, found: 'a file with only whitespace' });
  });
});
