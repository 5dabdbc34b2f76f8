/**
 * UTF-8 checks for imported bytes. A record with bytes that are not UTF-8 is rejected rather than stored with
 * replacement characters, so we need to know where bad bytes are, not just that decoding went wrong somewhere in a
 * 4.5 GB file. The fast path is Node's native `isUtf8`; the byte-by-byte scan only runs on chunks that fail it.
 */
import { isUtf8 } from 'node:buffer';

/** Index of the first byte that is not part of a valid UTF-8 sequence, or -1 when all of `bytes` is valid. */
export function findInvalidUtf8(bytes: Uint8Array): number {
  if (isUtf8(bytes)) return -1;
  let i = 0;
  while (i < bytes.length) {
    const length = validSequenceLength(bytes, i);
    if (length <= 0) return i;
    i += length;
  }
  return -1;
}

/**
 * Length of the valid UTF-8 sequence starting at `at`; 0 when the bytes there are invalid, or -1 when they are the
 * valid start of a sequence cut off by the end of `bytes`.
 */
function validSequenceLength(bytes: Uint8Array, at: number): number {
  const lead = bytes[at]!;
  if (lead < 0x80) return 1;
  let length: number;
  let min = 0x80;
  let max = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) length = 2;
  else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead === 0xe0) min = 0xa0;
    if (lead === 0xed) max = 0x9f; // no UTF-16 surrogates
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead === 0xf0) min = 0x90;
    if (lead === 0xf4) max = 0x8f; // nothing above U+10FFFF
  } else return 0;
  for (let k = 1; k < length; k++) {
    if (at + k >= bytes.length) return -1;
    const byte = bytes[at + k]!;
    if (k === 1 ? byte < min || byte > max : byte < 0x80 || byte > 0xbf) return 0;
  }
  return length;
}

/** Where a run of invalid bytes was, in the decoded text (UTF-16 index) and in the input (byte offset). */
export interface InvalidUtf8Run {
  textOffset: number;
  byteOffset: number;
}

/**
 * Decodes a byte stream chunk by chunk, replacing each invalid sequence by U+FFFD and reporting where it was, so a
 * caller that knows which text offsets belong to which record can reject exactly the records that had bad bytes.
 * Sequences split across chunks are carried over.
 */
export class Utf8StreamDecoder {
  private carry: Uint8Array = new Uint8Array(0);
  private textOffset = 0;
  private byteOffset = 0;

  constructor(private readonly onInvalid: (run: InvalidUtf8Run) => void) {}

  decode(chunk: Uint8Array): string {
    const bytes =
      this.carry.length > 0
        ? Buffer.concat([this.carry, chunk])
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const complete = bytes.length - incompleteTailLength(bytes);
    this.carry = bytes.subarray(complete);
    const body = bytes.subarray(0, complete);
    const text = isUtf8(body) ? body.toString('utf8') : this.decodeWithErrors(body);
    this.textOffset += text.length;
    this.byteOffset += body.length;
    return text;
  }

  /** Flushes the end of the stream: bytes left over from an unfinished sequence are invalid. */
  end(): string {
    if (this.carry.length === 0) return '';
    this.onInvalid({ textOffset: this.textOffset, byteOffset: this.byteOffset });
    this.carry = new Uint8Array(0);
    this.textOffset += 1;
    return '\ufffd';
  }

  private decodeWithErrors(bytes: Buffer): string {
    let text = '';
    let runStart = 0;
    let i = 0;
    while (i < bytes.length) {
      const length = validSequenceLength(bytes, i);
      if (length > 0) {
        i += length;
        continue;
      }
      text += bytes.toString('utf8', runStart, i);
      this.onInvalid({ textOffset: this.textOffset + text.length, byteOffset: this.byteOffset + i });
      text += '\ufffd';
      i += 1;
      runStart = i;
    }
    return text + bytes.toString('utf8', runStart, bytes.length);
  }
}

/** How many bytes at the end of `bytes` start a multi-byte sequence that the next chunk will finish. */
function incompleteTailLength(bytes: Uint8Array): number {
  const lookback = Math.min(3, bytes.length);
  for (let back = 1; back <= lookback; back++) {
    const byte = bytes[bytes.length - back]!;
    if (byte < 0x80) return 0;
    if (byte >= 0xc0) {
      const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
      return needed > back ? back : 0;
    }
  }
  return 0;
}
