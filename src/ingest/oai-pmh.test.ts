import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ParseEvent } from './events.ts';
import { parseOaiPmh } from './oai-pmh.ts';

async function* inChunks(bytes: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function parse(path: string, chunkSize = 64 * 1024): Promise<ParseEvent[]> {
  const bytes = readFileSync(new URL(`../../test/fixtures/${path}`, import.meta.url));
  const events: ParseEvent[] = [];
  for await (const event of parseOaiPmh(inChunks(bytes, chunkSize))) events.push(event);
  return events;
}

const brief = (events: ParseEvent[]) =>
  events.map((e): string => {
    switch (e.kind) {
      case 'record':
        return `${e.position}: ${e.record.id}`;
      case 'rejected':
      case 'stopped':
        return `${e.kind} ${e.position}: ${e.reason}`;
      case 'deleted':
        return `deleted ${e.position}: ${e.identifier}`;
      default:
        return JSON.stringify(e.note);
    }
  });

describe('parseOaiPmh', () => {
  it('reads a real arXivRaw page: records, the malformed id, the resumption token', async () => {
    const events = await parse('arxiv/oai-arxivraw-1000.xml');
    expect(events.filter((e) => e.kind === 'record')).toHaveLength(999);
    expect(brief(events.slice(0, 2))).toEqual([
      "rejected record 1 (line 6): invalid arXiv id: '0811.36489' is malformed: ids from 0811 have 4 digits after the dot",
      'record 2 (line 40): 0811.3649',
    ]);
    expect(events.at(-1)).toEqual({
      kind: 'note',
      note: { kind: 'oai-resumption', token: '496549|96001', completeListSize: 907096, cursor: 95000 },
    });
    expect(events[1]).toMatchObject({
      record: {
        title: 'Traces of high powers of the Frobenius class in the hyperelliptic ensemble',
        authors: ['Zeev Rudnick'],
        categories: ['math.NT'],
        versions: [
          { version: 1, created: '2008-11-21T22:59:40.000Z' },
          { version: 2, created: '2008-12-09T20:46:26.000Z' },
          { version: 3, created: '2009-04-07T12:26:42.000Z' },
          { version: 4, created: '2009-09-01T22:36:30.000Z' },
        ],
        submitter: 'Zeev Rudnick',
        license: 'http://arxiv.org/licenses/nonexclusive-distrib/1.0/',
      },
    });
  });

  it('gives the same events however the bytes are chunked', async () => {
    const whole = brief(await parse('import/oai-latin1-record.xml', 1 << 20));
    for (const size of [1, 7, 100]) expect(brief(await parse('import/oai-latin1-record.xml', size))).toEqual(whole);
  });

  it('decodes entities and keeps the paragraphs of an abstract', async () => {
    const events = await parse('arxiv/oai-arxivraw-1000.xml');
    const abstracts = events.flatMap((e) => (e.kind === 'record' ? [e.record.abstract] : []));
    expect(abstracts.some((a) => a.includes('p < 2') || a.includes(' < '))).toBe(true);
    expect(abstracts.some((a) => a.includes('&lt;') || a.includes('&amp;'))).toBe(false);
    expect(abstracts.filter((a) => a.includes('\n\n')).length).toBeGreaterThan(10);
    // Paragraphs are separated by exactly one blank line; no other stray whitespace survives.
    expect(abstracts.every((a) => !/\n\n\n|[^\n]\n[^\n]|\n[ \t]|[ \t]\n| {2}/.test(a))).toBe(true);
  });

  it('skips deleted and untitled records, and notes the end of the list', async () => {
    expect(brief(await parse('import/oai-deleted-untitled.xml'))).toEqual([
      'record 1 (line 6): 0811.3649',
      'deleted record 2 (line 32): oai:arXiv.org:0811.3600',
      'rejected record 3 (line 39): 0811.3650 has no title',
      'record 4 (line 60): 0811.3651',
      '{"kind":"oai-resumption","token":"","completeListSize":907096,"cursor":906096}',
    ]);
  });

  it('rejects only the record whose bytes are not UTF-8', async () => {
    expect(brief(await parse('import/oai-latin1-record.xml'))).toEqual([
      'record 1 (line 6): 0811.3649',
      'rejected record 2 (line 32): not valid UTF-8',
      'record 3 (line 53): 0811.3651',
      '{"kind":"oai-resumption","token":"496549|96001","completeListSize":907096,"cursor":95000}',
    ]);
  });

  it('keeps the records before a truncation and reports where it stopped', async () => {
    expect(brief(await parse('import/oai-truncated.xml'))).toEqual([
      "rejected record 1 (line 6): invalid arXiv id: '0811.36489' is malformed: ids from 0811 have 4 digits after the dot",
      'record 2 (line 40): 0811.3649',
      'record 3 (line 66): 0811.3650',
      'record 4 (line 87): 0811.3651',
      'rejected record 5 (line 106): the file ends inside record 5 (truncated)',
      'stopped line 114: the file ends inside record 5 (truncated)',
    ]);
  });

  it('stops at malformed XML, keeping the records before it', async () => {
    const page = readFileSync(new URL('../../test/fixtures/import/oai-deleted-untitled.xml', import.meta.url), 'utf8');
    const broken = Buffer.from(
      page.replace('<categories>physics.plasm-ph</categories>', '<categories>physics.plasm-ph</oops>'),
    );
    const events: ParseEvent[] = [];
    for await (const event of parseOaiPmh(inChunks(broken, 100))) events.push(event);
    expect(brief(events)).toEqual([
      'record 1 (line 6): 0811.3649',
      'deleted record 2 (line 32): oai:arXiv.org:0811.3600',
      'rejected record 3 (line 39): 0811.3650 has no title',
      'rejected record 4 (line 60): malformed XML at column 106: unexpected close tag.',
      'stopped line 69: malformed XML at column 106: unexpected close tag.',
    ]);
  });

  it('refuses answers to other OAI-PMH requests', async () => {
    const identify = Buffer.from(
      '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><request verb="Identify">http://export.arxiv.org/oai2</request>' +
        '<Identify><repositoryName>arXiv</repositoryName></Identify></OAI-PMH>',
    );
    const events = parseOaiPmh(inChunks(identify, 1000));
    await expect(events.next()).rejects.toThrow(
      'an OAI-PMH Identify answer holds no records to import (harvest with verb=ListRecords)',
    );
  });

  it('refuses another metadata format and reports OAI-PMH errors', async () => {
    await expect(parse('import/oai-dc.xml')).rejects.toThrow("OAI-PMH metadata format 'oai_dc' is not supported");
    await expect(parse('import/oai-dc-resumed.xml')).rejects.toThrow(
      "OAI-PMH metadata format 'oai_dc' is not supported",
    );
    await expect(parse('import/oai-error-bad-token.xml')).rejects.toThrow(
      'OAI-PMH error badResumptionToken: The value of the resumptionToken argument is invalid or expired.',
    );
  });
});
