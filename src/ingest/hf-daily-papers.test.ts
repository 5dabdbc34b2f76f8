import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ParseEvent } from './events.ts';
import { parseHfDailyPapers } from './hf-daily-papers.ts';

async function* inChunks(bytes: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function parse(path: string, chunkSize = 4096): Promise<ParseEvent[]> {
  const bytes = readFileSync(new URL(`../../test/fixtures/import/${path}`, import.meta.url));
  const events: ParseEvent[] = [];
  for await (const event of parseHfDailyPapers(inChunks(bytes, chunkSize))) events.push(event);
  return events;
}

describe('parseHfDailyPapers', () => {
  it("reads items: arXiv's date as v1, the feed time as the listing time, links kept, unknowns empty", async () => {
    const events = await parse('hf-daily-papers.json');
    expect(events).toHaveLength(3);
    expect(events[0]).toEqual({
      kind: 'record',
      position: 'item 1 (line 2)',
      listedAt: '2024-05-30T00:35:12.482Z',
      record: {
        id: '2405.19101',
        title: 'Poseidon: Efficient Foundation Models for PDEs',
        abstract:
          'We introduce Poseidon, a foundation model for learning the solution operators of PDEs. It is based on a multiscale operator transformer, with time-conditioned layer norms that enable continuous-in-time evaluations.',
        authors: [
          'Maximilian Herde',
          'Bogdan Raonić',
          'Tobias Rohner',
          'Roger Käppeli',
          'Roberto Molinaro',
          'Emmanuel de Bézenac',
          'Siddhartha Mishra',
        ],
        categories: [],
        versions: [{ version: 1, created: '2024-05-29T14:09:07.000Z' }],
        comments: null,
        journalRef: null,
        doi: null,
        reportNo: null,
        license: null,
        submitter: null,
        githubRepo: 'https://github.com/camlab-ethz/poseidon',
        projectPage: null,
      },
    });
    expect(events[1]).toMatchObject({ record: { projectPage: 'https://ml.cs.tsinghua.edu.cn/dpmv3/' } });
    // No dates at all: nothing is made up.
    expect(events[2]).toMatchObject({ listedAt: null, record: { id: '2308.06675', versions: [] } });
  });

  it('rejects bad items by index and keeps the others, whatever the chunking', async () => {
    const expected = [
      'record item 1 (line 2)',
      "rejected item 2 (line 3): not a daily paper (no 'paper' object)",
      "rejected item 3 (line 4): invalid arXiv id: '2405.191' is not an arXiv id (expected e.g. 2206.00927 or hep-th/9901001)",
      expect.stringMatching(/^rejected item 4 \(line 5\): broken JSON/),
      'record item 5 (line 6)',
    ];
    for (const size of [1, 13, 4096]) {
      const events = await parse('hf-daily-papers-bad-items.txt', size);
      expect(
        events.map((e) =>
          e.kind === 'rejected'
            ? `rejected ${e.position}: ${e.reason}`
            : `${e.kind} ${'position' in e ? e.position : ''}`,
        ),
      ).toEqual(expected);
    }
  });

  it('keeps the items before a truncation', async () => {
    const events = await parse('hf-daily-papers-truncated.txt');
    expect(events.map((e) => e.kind)).toEqual(['record', 'rejected', 'stopped']);
    expect(events[2]).toMatchObject({ reason: 'the file ends inside item 2 (truncated?)' });
  });
});
