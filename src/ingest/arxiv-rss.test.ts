import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ArxivFeedError, arxivRssFeedUrl, parseArxivRss } from './arxiv-rss.ts';

const FIXTURES = new URL('../../test/fixtures/arxiv/rss/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES));

async function* chunks(bytes: Uint8Array | string, size = 997): AsyncGenerator<Uint8Array> {
  const all = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  for (let start = 0; start < all.length; start += size) yield all.subarray(start, start + size);
}

const feed = (items: string, channel = '<pubDate>Fri, 20 Feb 2026 00:00:00 -0500</pubDate>') =>
  `<?xml version="1.0"?><rss version="2.0" xmlns:arxiv="http://arxiv.org/schemas/atom" ` +
  `xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>t</title>${channel}${items}</channel></rss>`;

describe("arXiv's announcement feed", () => {
  it('reads a weekday feed: ids with versions, the four announce types, authors, categories, the date', async () => {
    const parsed = await parseArxivRss(chunks(fixture('cs.LG+cs.CV-2026-02-20.xml')));
    expect(parsed.title).toBe('cs.LG+cs.CV updates on arXiv.org');
    expect(parsed.publishedAt).toBe('2026-02-20T05:00:00.000Z');
    expect(parsed.rejected).toEqual([]);
    expect(parsed.items.map((i) => [i.id, i.version, i.announceType])).toEqual([
      ['2301.05651', 1, 'new'],
      ['1907.06632', 1, 'new'],
      ['2602.15552', 1, 'cross'],
      ['2503.23466', 1, 'cross'],
      ['2405.11454', 2, 'replace'],
      ['2103.02870', 2, 'replace-cross'],
    ]);
    const first = parsed.items[0]!;
    expect(first.title).toBe('Mutation Testing of Deep Reinforcement Learning Based on Real Faults');
    expect(first.authors).toEqual([
      'Florian Tambon',
      'Vahid Majdinasab',
      'Amin Nikanjam',
      'Foutse Khomh',
      'Giuliano Antonio',
    ]);
    expect(first.categories).toEqual(['cs.LG', 'cs.SE']);
    expect(first.position).toBe('item 1 (line 17)');
  });

  it('reads an empty weekend feed as no items', async () => {
    const parsed = await parseArxivRss(chunks(fixture('cs.LG+cs.CV-2026-02-21-weekend.xml')));
    expect(parsed.items).toEqual([]);
    expect(parsed.publishedAt).toBe('2026-02-21T05:00:00.000Z');
  });

  it('falls back on the description header and the link when the guid or the type element is missing', async () => {
    const parsed = await parseArxivRss(
      chunks(
        feed(
          '<item><link>https://arxiv.org/abs/hep-th/9901001</link><description>arXiv:hep-th/9901001v3 Announce ' +
            'Type: replace \nAbstract: x</description><title>Old style</title></item>',
        ),
      ),
    );
    expect(parsed.items.map((i) => [i.id, i.version, i.announceType])).toEqual([['hep-th/9901001', 3, 'replace']]);
  });

  it('rejects an item without a usable id or with an unknown type, and keeps the others', async () => {
    const parsed = await parseArxivRss(
      chunks(
        feed(
          '<item><title>No id</title></item>' +
            '<item><guid>oai:arXiv.org:0811.36489v1</guid><arxiv:announce_type>new</arxiv:announce_type></item>' +
            '<item><guid>oai:arXiv.org:2401.00001v1</guid><arxiv:announce_type>odd</arxiv:announce_type></item>' +
            '<item><guid>oai:arXiv.org:2401.00002v1</guid><arxiv:announce_type>new</arxiv:announce_type>' +
            '<title>Kept</title></item>',
        ),
      ),
    );
    expect(parsed.items.map((i) => i.id)).toEqual(['2401.00002']);
    expect(parsed.rejected.map((r) => r.reason)).toEqual([
      'no arXiv id (no guid, link or description header)',
      "invalid arXiv id: '0811.36489v1' is malformed: ids from 0811 have 4 digits after the dot",
      "2401.00001: unknown announce type 'odd'",
    ]);
  });

  it('refuses a truncated feed, an HTML page and another XML document', async () => {
    await expect(parseArxivRss(chunks(fixture('cs.LG+cs.CV-truncated.xml')))).rejects.toMatchObject({
      name: 'ArxivFeedError',
      transient: true,
      message: expect.stringMatching(/^the feed was cut short/),
    });
    await expect(parseArxivRss(chunks(fixture('maintenance.html')))).rejects.toMatchObject({
      transient: true,
      message: 'it answered with an HTML page instead of the RSS feed',
    });
    const atom = parseArxivRss(chunks(fixture('api-0704.0156-withdrawn.xml')));
    await expect(atom).rejects.toBeInstanceOf(ArxivFeedError);
    await expect(atom).rejects.toMatchObject({ transient: false, message: 'expected an RSS feed, found <feed>' });
  });

  it('builds the feed address from a base and the categories', () => {
    expect(arxivRssFeedUrl('https://rss.arxiv.org/', ['cs.LG', 'cs.CV'])).toBe('https://rss.arxiv.org/rss/cs.LG+cs.CV');
  });
});
