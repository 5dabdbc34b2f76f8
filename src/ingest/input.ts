/**
 * Where import bytes come from: a file or standard input, read as a stream (a snapshot is 4.5 GB), with the first
 * bytes peeked so that the format can be recognised from the content before any parser runs.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

/** Chunk size for file reads: large chunks keep per-chunk overhead low on multi-gigabyte files. */
const READ_CHUNK_BYTES = 1024 * 1024;
/**
 * How much of the start of an input format detection looks at: enough for a whole first line of the snapshot even
 * for a collaboration paper with thousands of authors (such lines reach a few hundred KiB).
 */
export const PEEK_BYTES = 1024 * 1024;

/** A readable import source. */
export interface ImportInput {
  /** As the user named it (`-` is shown as `stdin`). */
  name: string;
  /** Total size in bytes when known (a regular file), for progress and ETA; null for a pipe. */
  sizeBytes: number | null;
  chunks: AsyncIterable<Uint8Array>;
}

/** An input whose first bytes have been read: `head` for detection, `chunks` replays them and goes on. */
export interface PeekedInput extends ImportInput {
  head: Buffer;
  /** True when `head` is the whole input. */
  headIsComplete: boolean;
  /** Releases the underlying stream when `chunks` will not be read to the end. */
  close(): Promise<void>;
}

/** Raised when a file cannot be opened or read; the message names the file and the reason in plain words. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** Opens a file for streaming; throws InputError when it is missing, a directory or unreadable. */
export async function openFileInput(path: string): Promise<ImportInput> {
  let size: number;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new InputError(`cannot import ${path}: it is a directory`);
    size = info.isFile() ? info.size : Number.NaN;
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`cannot read ${path}: ${describeFsError(error)}`);
  }
  return {
    name: path,
    sizeBytes: Number.isNaN(size) ? null : size,
    chunks: readFileChunks(path),
  };
}

async function* readFileChunks(path: string): AsyncGenerator<Uint8Array> {
  const stream = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (error) {
    throw new InputError(`cannot read ${path}: ${describeFsError(error)}`);
  } finally {
    stream.destroy();
  }
}

/** Standard input as an import source. */
export function stdinInput(stream: NodeJS.ReadableStream = process.stdin): ImportInput {
  return { name: 'stdin', sizeBytes: null, chunks: stream as AsyncIterable<Uint8Array> };
}

/** An in-memory source, for tests and for bytes already at hand. */
export function bytesInput(name: string, bytes: Uint8Array | string): ImportInput {
  const buffer = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes);
  return {
    name,
    sizeBytes: buffer.length,
    chunks: (async function* () {
      if (buffer.length > 0) yield buffer;
    })(),
  };
}

/**
 * Reads up to `peekBytes` from the start of an input without losing them: the returned input's `chunks` yields the
 * peeked bytes first, then the rest of the stream.
 */
export async function peekInput(input: ImportInput, peekBytes = PEEK_BYTES): Promise<PeekedInput> {
  const iterator = input.chunks[Symbol.asyncIterator]();
  const headChunks: Buffer[] = [];
  let headLength = 0;
  let done = false;
  while (headLength < peekBytes) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    const chunk = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
    headChunks.push(chunk);
    headLength += chunk.length;
  }
  const all = Buffer.concat(headChunks);
  async function* replay(): AsyncGenerator<Uint8Array> {
    if (all.length > 0) yield all;
    if (done) return;
    try {
      while (true) {
        const next = await iterator.next();
        if (next.done) return;
        yield next.value;
      }
    } finally {
      await iterator.return?.();
    }
  }
  return {
    ...input,
    head: all.subarray(0, peekBytes),
    headIsComplete: done && all.length <= peekBytes,
    chunks: replay(),
    async close() {
      if (!done) await iterator.return?.();
    },
  };
}

/** Counts bytes as a parser pulls them, for progress. */
export async function* countBytes(
  chunks: AsyncIterable<Uint8Array>,
  onBytes: (total: number) => void,
): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const chunk of chunks) {
    total += chunk.byteLength;
    onBytes(total);
    yield chunk;
  }
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
