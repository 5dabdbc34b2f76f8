import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ParseEvent } from './events.ts';
import { type LineEvent, parseArxivJsonLines, splitLines } from './json-lines.ts';

async function* inChunks(bytes: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function collect<T>(events: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const event of events) all.push(event);
  return all;
}

const fixture = (path: string) => readFileSync(new URL(`../../test/fixtures/${path}`, import.meta.url));

describe('splitLines', () => {
  it('splits on newlines whatever the chunk boundaries, and keeps a last line without one', async () => {
    const bytes = Buffer.from('one\ntwo é\n\nfour', 'utf8');
    for (const size of [1, 2, 5, 100]) {
      const lines = (await collect(splitLines(inChunks(bytes, size)))) as Array<Extract<LineEvent, { kind: 'line' }>>;
      expect(lines.map((l) => [l.lineNumber, l.bytes.toString('utf8'), l.lastWithoutNewline])).toEqual([
        [1, 'one', false],
        [2, 'two é', false],
        [3, '', false],
        [4, 'four', true],
      ]);
    }
  });

  it('reports a line over the limit without keeping it', async () => {
    const bytes = Buffer.from(`short\n${'x'.repeat(50)}\nafter\n`);
    const events = await collect(splitLines(inChunks(bytes, 7), 20));
    expect(events.map((e) => (e.kind === 'line' ? e.bytes.toString() : `too long at ${e.lineNumber}`))).toEqual([
      'short',
      'too long at 2',
      'after',
    ]);
  });
});

describe('parseArxivJsonLines', () => {
  const parse = async (bytes: Buffer) => collect(parseArxivJsonLines(inChunks(bytes, 4096)));
  const summary = (events: ParseEvent[]) =>
    events.map((e) =>
      e.kind === 'record'
        ? `${e.position}: ${e.record.id}`
        : e.kind === 'rejected'
          ? `${e.position}: ${e.reason}`
          : e.kind,
    );

  it('reads snapshot records, preferring authors_parsed, with dates in ISO', async () => {
    const events = await parse(fixture('arxiv/kaggle-snapshot-200.jsonl'));
    expect(events).toHaveLength(200);
    const first = events[0]!;
    expect(first).toMatchObject({
      kind: 'record',
      position: 'line 1',
      record: {
        id: '0704.0001',
        title: 'Calculation of prompt diphoton production cross sections at Tevatron and LHC energies',
        authors: ['C. Balázs', 'E. L. Berger', 'P. M. Nadolsky', 'C.-P. Yuan'],
        categories: ['hep-ph'],
        versions: [
          { version: 1, created: '2007-04-02T19:18:42.000Z' },
          { version: 2, created: '2007-07-24T20:10:27.000Z' },
        ],
        comments: '37 pages, 15 figures; published version',
        journalRef: 'Phys.Rev.D76:013009,2007',
        doi: '10.1103/PhysRevD.76.013009',
        reportNo: 'ANL-HEP-PR-07-12',
        license: null,
        submitter: 'Pavel Nadolsky',
      },
    });
  });

  it('rejects bad lines with their line number and reason, and reads the rest', async () => {
    expect(summary(await parse(fixture('import/snapshot-bad-records.jsonl')))).toEqual([
      'line 1: 0704.0006',
      "line 2: invalid arXiv id: '0704.00071' is malformed: ids from 0704 have 4 digits after the dot",
      'line 3: no arXiv id',
      'line 4: 0704.0008 has no title',
      'line 6: not a JSON object',
      "line 7: 0704.0009: v1 has an unreadable date 'sometime in 2007'",
      'line 8: 0704.0011',
    ]);
  });

  it('rejects only the line with bytes that are not UTF-8', async () => {
    expect(summary(await parse(fixture('import/snapshot-latin1-line.jsonl')))).toEqual([
      'line 1: 0704.0012',
      'line 2: not valid UTF-8 (byte 0xE4 at column 120)',
      'line 3: 0704.0014',
    ]);
  });

  it('says a broken last line may be a truncation', async () => {
    const events = await parse(
      Buffer.from('{"id": "2401.00001", "title": "T", "abstract": "A", "authors": "X"}\n{"id": "24'),
    );
    expect(events[1]).toMatchObject({
      kind: 'rejected',
      position: 'line 2',
      reason: expect.stringMatching(/broken JSON .*the file may be truncated$/),
    });
  });

  it('reads the sample variant: comma-separated authors, no category, bare dates', async () => {
    const sample = readFileSync(new URL('../../sample-data/seed-papers.jsonl', import.meta.url));
    const events = await parse(sample);
    expect(events.filter((e) => e.kind === 'record')).toHaveLength(48);
    expect(events[0]).toMatchObject({
      record: {
        id: '2308.06675',
        authors: ['Suryanarayana Maddu', 'Scott Weady', 'Michael J. Shelley'],
        categories: [],
        versions: [{ version: 1, created: '2023-08-13' }],
        submitter: null,
      },
    });
    expect(events[1]).toMatchObject({ record: { id: '2301.12664', versions: [] } });
  });
});

describe('parseArxivJsonLines on odd files', () => {
  const collect = async (text: string | Buffer) => {
    const events = [];
    for await (const event of parseArxivJsonLines(
      (async function* () {
        yield typeof text === 'string' ? Buffer.from(text) : text;
      })(),
    )) {
      events.push(event);
    }
    return events;
  };

  it('reads a first line that starts with a byte-order mark', async () => {
    const line = '{"id":"2401.00001","title":"T","abstract":"A","versions":[]}\n';
    const events = await collect(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(line)]));
    expect(events.map((e) => e.kind)).toEqual(['record']);
  });

  it('rejects fields of the wrong kind instead of dropping them silently', async () => {
    const events = await collect(
      [
        '{"id":"2401.00002","title":"x","abstract":"y","versions":"notalist"}',
        '{"id":"2401.00003","title":"x","abstract":"y","authors":5}',
        '{"id":"2401.00004","title":"x","abstract":"y","authors":null,"versions":null}',
      ].join('\n'),
    );
    expect(events.map((e) => (e.kind === 'rejected' ? e.reason : e.kind))).toEqual([
      "'versions' is not a list",
      "'authors' is not text",
      'record',
    ]);
  });
});
