import { describe, expect, it } from 'vitest';
import { type ArrayItemEvent, splitJsonArray } from './json-array.ts';

async function* inChunks(bytes: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function split(text: string, chunkSize = 1 << 20, maxItemBytes?: number): Promise<ArrayItemEvent[]> {
  const events: ArrayItemEvent[] = [];
  for await (const event of splitJsonArray(inChunks(Buffer.from(text, 'utf8'), chunkSize), maxItemBytes)) {
    events.push(event);
  }
  return events;
}

const items = (events: ArrayItemEvent[]) =>
  events.map((e) => (e.kind === 'item' ? `${e.index}@${e.line}:${e.bytes.toString('utf8')}` : `${e.kind}:${e.index}`));

describe('splitJsonArray', () => {
  const text = '\ufeff[\n {"a": "x, ]}[{\\"", "b": [1, {"c": 2}]},\n {"d": "é"} ,\n 3, "s" ]\n';

  it('hands out each item, whatever the chunk boundaries', async () => {
    const expected = ['1@2:{"a": "x, ]}[{\\"", "b": [1, {"c": 2}]}', '2@3:{"d": "é"}', '3@4:3', '4@4:"s"'];
    for (const size of [1, 2, 3, 7, 1000]) expect(items(await split(text, size))).toEqual(expected);
  });

  it('accepts an empty array', async () => {
    expect(await split(' [ ] ')).toEqual([]);
  });

  it('reports a truncated array, inside an item or between items', async () => {
    expect(await split('[{"a": 1}, {"b": [2')).toEqual([
      { kind: 'item', index: 1, line: 1, bytes: Buffer.from('{"a": 1}') },
      { kind: 'broken', index: 2, line: 1, reason: 'the file ends inside item 2 (truncated?)', inItem: true },
    ]);
    expect((await split('[{"a": 1},')).at(-1)).toMatchObject({ kind: 'broken', inItem: false });
  });

  it('stops on what is not an array, or on content after it', async () => {
    expect(await split('{"a": 1}')).toEqual([
      { kind: 'broken', index: 0, line: 1, reason: 'not a JSON array', inItem: false },
    ]);
    expect((await split('[1] [2]')).at(-1)).toMatchObject({
      kind: 'broken',
      reason: 'more data after the end of the array',
    });
    expect((await split('[1,,2]')).at(-1)).toMatchObject({ kind: 'broken', reason: "a missing item before ','" });
  });

  it('skips an item larger than the limit without keeping it', async () => {
    const events = await split(`[{"big": "${'x'.repeat(100)}"}, {"small": 1}]`, 16, 50);
    expect(events.map((e) => e.kind)).toEqual(['too-large', 'item']);
  });
});
