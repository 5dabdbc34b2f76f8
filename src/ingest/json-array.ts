/**
 * A streaming splitter for a top-level JSON array: it hands out each item's bytes as soon as the item is complete,
 * so a large array (a Hugging Face `daily_papers` dump) is parsed item by item in bounded memory, and a broken item
 * costs only that item. It tracks only strings and bracket depth; each item is then parsed by JSON.parse.
 */

/** Largest item we keep in memory: a daily-papers item is a few KiB. */
export const MAX_ITEM_BYTES = 16 * 1024 * 1024;

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
const UTF8_BOM = [0xef, 0xbb, 0xbf];

/** One item of the array, or why the array cannot be read further. */
export type ArrayItemEvent =
  /** `index` counts from 1; `line` is where the item starts. */
  | { kind: 'item'; index: number; line: number; bytes: Buffer }
  | { kind: 'too-large'; index: number; line: number }
  /** The bytes are not an array, or the array ended early; nothing after this is read. */
  | { kind: 'broken'; index: number; line: number; reason: string; inItem: boolean };

type State = 'before-array' | 'before-item' | 'in-item' | 'after-item' | 'done';

/** Splits a byte stream holding one JSON array into its items. */
export async function* splitJsonArray(
  chunks: AsyncIterable<Uint8Array>,
  maxItemBytes = MAX_ITEM_BYTES,
): AsyncGenerator<ArrayItemEvent> {
  let state = 'before-array' as State;
  let line = 1;
  let index = 0;
  let itemLine = 1;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let parts: Buffer[] = [];
  let partsBytes = 0;
  let tooLarge = false;
  /** Bytes read so far, to recognise a UTF-8 byte order mark at the very start, however the input is chunked. */
  let offset = 0;

  for await (const chunk of chunks) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let itemStart = state === 'in-item' ? 0 : -1;
    for (let i = 0; i < buffer.length; i++, offset++) {
      const byte = buffer[i]!;
      if (byte === NEWLINE) line += 1;
      if (offset < UTF8_BOM.length && state === 'before-array' && byte === UTF8_BOM[offset]) continue;
      if (state === 'in-item') {
        if (inString) {
          if (escaped) escaped = false;
          else if (byte === BACKSLASH) escaped = true;
          else if (byte === QUOTE) inString = false;
          continue;
        }
        if (byte === QUOTE) inString = true;
        else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth += 1;
        else if (byte === CLOSE_BRACE || (byte === CLOSE_BRACKET && depth > 0)) depth -= 1;
        if (depth === 0 && (byte === COMMA || byte === CLOSE_BRACKET)) {
          keep(buffer.subarray(itemStart, i));
          yield finishItem();
          state = byte === COMMA ? 'before-item' : 'done';
          itemStart = -1;
        } else if (depth < 0) {
          yield { kind: 'broken', index, line, reason: `unbalanced '}' in item ${index}`, inItem: true };
          return;
        }
        continue;
      }
      if (isWhitespace(byte)) continue;
      if (state === 'before-array') {
        if (byte !== OPEN_BRACKET) {
          yield { kind: 'broken', index: 0, line, reason: 'not a JSON array', inItem: false };
          return;
        }
        state = 'before-item';
      } else if (state === 'before-item') {
        if (byte === CLOSE_BRACKET && index === 0) {
          state = 'done';
          continue;
        }
        if (byte === COMMA || byte === CLOSE_BRACKET) {
          const reason = `a missing item before '${String.fromCharCode(byte)}'`;
          yield { kind: 'broken', index: index + 1, line, reason, inItem: false };
          return;
        }
        index += 1;
        itemLine = line;
        state = 'in-item';
        itemStart = i;
        depth = 0;
        inString = false;
        escaped = false;
        // Read this byte again as the item's first (it is not whitespace, so no line is counted twice).
        i -= 1;
        offset -= 1;
      } else if (state === 'done') {
        yield { kind: 'broken', index, line, reason: 'more data after the end of the array', inItem: false };
        return;
      }
    }
    if (state === 'in-item') keep(buffer.subarray(itemStart));
  }
  if (state !== 'done') {
    const reason =
      state === 'in-item'
        ? `the file ends inside item ${index} (truncated?)`
        : state === 'before-array'
          ? 'no JSON array'
          : `the file ends after item ${index}, before the closing ']' (truncated?)`;
    yield { kind: 'broken', index, line, reason, inItem: state === 'in-item' };
  }

  function keep(bytes: Buffer): void {
    if (tooLarge) return;
    if (partsBytes + bytes.length > maxItemBytes) {
      tooLarge = true;
      parts = [];
      partsBytes = 0;
      return;
    }
    if (bytes.length > 0) {
      parts.push(Buffer.from(bytes));
      partsBytes += bytes.length;
    }
  }

  function finishItem(): ArrayItemEvent {
    const event: ArrayItemEvent = tooLarge
      ? { kind: 'too-large', index, line: itemLine }
      : { kind: 'item', index, line: itemLine, bytes: trimEnd(Buffer.concat(parts, partsBytes)) };
    parts = [];
    partsBytes = 0;
    tooLarge = false;
    return event;
  }
}

function trimEnd(bytes: Buffer): Buffer {
  let end = bytes.length;
  while (end > 0 && isWhitespace(bytes[end - 1]!)) end -= 1;
  return bytes.subarray(0, end);
}

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}
