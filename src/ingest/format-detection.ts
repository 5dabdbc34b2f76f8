/**
 * Recognises an import's format from its first bytes, never from its file name: people pipe files, rename them and
 * save API answers as `.txt`. Detection looks at a UTF-8 BOM, whitespace, magic numbers, the XML root element and
 * the first JSON value, and when the content is none of the accepted formats it names what it found instead.
 */
import { findInvalidUtf8 } from './utf8.ts';

/** The formats `paperboy import` reads. */
export type ImportFormat = 'arxiv-snapshot' | 'paperboy-sample' | 'oai-pmh' | 'arxiv-atom' | 'hf-daily-papers';

/** How each format is named in messages and summaries. */
export const FORMAT_LABELS: Readonly<Record<ImportFormat, string>> = {
  'arxiv-snapshot': 'arXiv metadata snapshot JSON lines',
  'paperboy-sample': 'Paperboy sample JSON lines',
  'oai-pmh': 'OAI-PMH arXivRaw',
  'arxiv-atom': 'arXiv API Atom',
  'hf-daily-papers': 'Hugging Face daily_papers JSON',
};

/** The accepted formats, in words, for error messages and help. */
export const ACCEPTED_FORMATS_TEXT =
  'arXiv metadata snapshot JSON lines, Paperboy sample JSON lines, OAI-PMH ListRecords XML (arXivRaw), ' +
  'arXiv API Atom XML, Hugging Face daily_papers JSON';

/** A recognised format, or a description of what the input is instead (`an HTML page`). */
export type Detection = { ok: true; format: ImportFormat } | { ok: false; found: string };

const MAGIC_NUMBERS: ReadonlyArray<{ bytes: number[]; found: string }> = [
  { bytes: [0x89, 0x50, 0x4e, 0x47], found: 'a PNG image' },
  { bytes: [0xff, 0xd8, 0xff], found: 'a JPEG image' },
  { bytes: [0x47, 0x49, 0x46, 0x38], found: 'a GIF image' },
  { bytes: [0x25, 0x50, 0x44, 0x46], found: 'a PDF document' },
  { bytes: [0x1f, 0x8b], found: 'gzip-compressed data (decompress it first: gunzip -c FILE | paperboy import -)' },
  { bytes: [0x50, 0x4b, 0x03, 0x04], found: 'a ZIP archive (unzip it first: unzip -p FILE | paperboy import -)' },
  {
    bytes: [0x42, 0x5a, 0x68],
    found: 'bzip2-compressed data (decompress it first: bzip2 -dc FILE | paperboy import -)',
  },
  {
    bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00],
    found: 'xz-compressed data (decompress it first: xz -dc FILE | paperboy import -)',
  },
  { bytes: [0xff, 0xfe], found: 'UTF-16 text (convert it to UTF-8 first)' },
  { bytes: [0xfe, 0xff], found: 'UTF-16 text (convert it to UTF-8 first)' },
];

const SNAPSHOT_ONLY_KEYS = ['submitter', 'authors_parsed', 'update_date', 'journal-ref', 'report-no', 'license'];
const UTF8_BOM = [0xef, 0xbb, 0xbf];

/**
 * Detects the format of an input from its first bytes. `headIsComplete` says whether `head` is the whole input (so
 * that an empty file, or a single object, can be told from the start of a longer one).
 */
export function detectFormat(head: Uint8Array, headIsComplete: boolean): Detection {
  for (const magic of MAGIC_NUMBERS) {
    if (magic.bytes.every((b, i) => head[i] === b)) return { ok: false, found: magic.found };
  }
  const start = UTF8_BOM.every((b, i) => head[i] === b) ? UTF8_BOM.length : 0;
  const bytes = Buffer.from(head.buffer, head.byteOffset + start, head.byteLength - start);
  // The head may end in the middle of a character: decode leniently, detection only needs the start.
  const text = bytes.toString('utf8');
  const trimmed = text.trimStart();
  if (trimmed.length === 0) {
    if (bytes.length === 0) return { ok: false, found: 'an empty file' };
    return {
      ok: false,
      found: headIsComplete
        ? 'a file with only whitespace'
        : `a file that begins with ${kib(bytes.length)} KiB of whitespace`,
    };
  }
  if (looksBinary(bytes)) return { ok: false, found: 'binary data' };
  switch (trimmed[0]) {
    case '<':
      return detectXml(trimmed);
    case '[':
      return detectJsonArray(trimmed, headIsComplete);
    case '{':
      return detectJsonLines(trimmed, headIsComplete);
    default:
      return { ok: false, found: `plain text (it begins '${firstLine(trimmed)}')` };
  }
}

function detectXml(text: string): Detection {
  let rest = text;
  // Skip the XML declaration, processing instructions, comments and whitespace before the root element.
  for (;;) {
    rest = rest.trimStart();
    if (rest.startsWith('<?')) {
      const end = rest.indexOf('?>');
      if (end < 0) return { ok: false, found: 'XML with an unterminated declaration' };
      rest = rest.slice(end + 2);
    } else if (rest.startsWith('<!--')) {
      const end = rest.indexOf('-->');
      if (end < 0) return { ok: false, found: 'XML with an unterminated comment' };
      rest = rest.slice(end + 3);
    } else if (/^<!DOCTYPE\s+html/i.test(rest)) {
      return { ok: false, found: 'an HTML page' };
    } else if (rest.startsWith('<!')) {
      const end = rest.indexOf('>');
      if (end < 0) return { ok: false, found: 'XML with an unterminated DOCTYPE' };
      rest = rest.slice(end + 1);
    } else break;
  }
  const root = /^<([A-Za-z_][\w.:-]*)([^>]*)/.exec(rest);
  if (!root) return { ok: false, found: `markup that is not XML (it begins '${firstLine(rest)}')` };
  const name = root[1]!;
  const local = name.includes(':') ? name.slice(name.indexOf(':') + 1) : name;
  if (local.toLowerCase() === 'html') return { ok: false, found: 'an HTML page' };
  if (local === 'OAI-PMH') {
    const unsupported = oaiMetadataPrefix(rest);
    if (unsupported && unsupported !== 'arXivRaw') {
      return {
        ok: false,
        found: `OAI-PMH XML in the '${unsupported}' metadata format, which is not supported (harvest with metadataPrefix=arXivRaw)`,
      };
    }
    return { ok: true, format: 'oai-pmh' };
  }
  if (local === 'feed') {
    if (/arxiv\.org/.test(rest)) return { ok: true, format: 'arxiv-atom' };
    return { ok: false, found: 'an Atom feed that is not an arXiv API answer' };
  }
  if (local === 'rss' || local === 'RDF') return { ok: false, found: 'an RSS feed' };
  return { ok: false, found: `XML whose root element is <${name}>` };
}

/** The OAI-PMH metadata format, from the request's metadataPrefix or the first record's metadata element. */
function oaiMetadataPrefix(text: string): string | null {
  const request = /<request\b[^>]*\bmetadataPrefix=["']([^"']+)["']/.exec(text);
  if (request) return request[1]!;
  const metadata = /<metadata>\s*<([A-Za-z_][\w.-]*)(?::([\w.-]+))?/.exec(text);
  if (!metadata) return null;
  return metadata[1]!;
}

function detectJsonArray(text: string, headIsComplete: boolean): Detection {
  const afterBracket = text.slice(1).trimStart();
  if (afterBracket.startsWith(']')) return { ok: true, format: 'hf-daily-papers' };
  if (!afterBracket.startsWith('{')) {
    if (afterBracket.length === 0 && !headIsComplete) return { ok: true, format: 'hf-daily-papers' };
    return { ok: false, found: 'a JSON array whose items are not objects' };
  }
  const first = firstJsonObject(afterBracket);
  if (first === null) {
    // The first item is longer than the head: accept on its first key, the parser checks every item anyway.
    return /^\{\s*"paper"\s*:/.test(afterBracket) || !headIsComplete
      ? { ok: true, format: 'hf-daily-papers' }
      : { ok: false, found: 'a JSON array that is not valid JSON' };
  }
  let value: unknown;
  try {
    value = JSON.parse(first);
  } catch {
    // A broken first item: it is rejected on its own when the array is read.
    return { ok: true, format: 'hf-daily-papers' };
  }
  if (isObject(value) && isObject(value.paper)) return { ok: true, format: 'hf-daily-papers' };
  return {
    ok: false,
    found: `a JSON array of objects without a 'paper' object (keys: ${keysOf(value)}), not Hugging Face daily_papers`,
  };
}

function detectJsonLines(text: string, headIsComplete: boolean): Detection {
  const lines = text.split('\n');
  // The last piece is a whole line only when the head is the whole input.
  const wholeLines = (headIsComplete ? lines : lines.slice(0, -1)).filter((l) => l.trim().length > 0);
  if (wholeLines.length === 0)
    return { ok: false, found: `JSON whose first line is longer than ${kib(text.length)} KiB, not JSON lines` };
  // A broken line is rejected on its own when the file is read: decide on the first of three lines that parses.
  for (const line of wholeLines.slice(0, 3)) {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    if (!isObject(value)) return { ok: false, found: 'JSON lines whose values are not objects' };
    if (typeof value.id === 'string' && ('abstract' in value || typeof value.authors === 'string')) {
      const snapshot = SNAPSHOT_ONLY_KEYS.some((k) => k in value);
      return { ok: true, format: snapshot ? 'arxiv-snapshot' : 'paperboy-sample' };
    }
    const single = headIsComplete && wholeLines.length === 1;
    return {
      ok: false,
      found: single
        ? `a single JSON object (keys: ${keysOf(value)}), not arXiv paper JSON lines`
        : `JSON lines whose objects are not arXiv papers (keys: ${keysOf(value)})`,
    };
  }
  if (headIsComplete) {
    try {
      return { ok: false, found: `a single JSON object (keys: ${keysOf(JSON.parse(text))}), not JSON lines` };
    } catch {
      // not JSON at all
    }
  }
  return { ok: false, found: 'JSON that is not one paper object per line' };
}

/** The first complete `{...}` at the start of `text`, or null when it does not end within `text`. */
function firstJsonObject(text: string): string | null {
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') depth += 1;
    else if (ch === '}' || ch === ']') {
      depth -= 1;
      if (depth === 0) return text.slice(0, i + 1);
    }
  }
  return null;
}

/** Control characters other than whitespace, or bytes that are not UTF-8 in most of the head, mean binary data. */
function looksBinary(bytes: Buffer): boolean {
  const sample = bytes.subarray(0, 512);
  for (const byte of sample) {
    if (byte === 0 || (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c)) return true;
  }
  const invalid = findInvalidUtf8(sample);
  // One bad byte can be a bad record; bad bytes right at the start mean the whole thing is not text.
  return invalid >= 0 && invalid < 16;
}

function kib(length: number): number {
  return Math.max(1, Math.round(length / 1024));
}

function firstLine(text: string): string {
  const line = text.split(/\r?\n/)[0]!.trim();
  return line.length > 40 ? `${line.slice(0, 40)}…` : line;
}

function keysOf(value: unknown): string {
  if (!isObject(value)) return Array.isArray(value) ? 'an array' : typeof value;
  const keys = Object.keys(value);
  if (keys.length === 0) return 'none';
  return keys.length > 6 ? `${keys.slice(0, 6).join(', ')}, …` : keys.join(', ');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
