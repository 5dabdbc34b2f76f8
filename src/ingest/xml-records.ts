/**
 * Streaming XML in, small record trees out. OAI-PMH pages and arXiv API answers are a header plus many repeated
 * record elements (`<record>`, `<entry>`); this module runs the streaming parser (saxes) over decoded chunks and
 * builds a little tree for each record element only, so memory is bounded by one chunk plus one record. It also
 * knows, for each record, whether bytes that were not UTF-8 fell inside it, and where the input ended early.
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { ImportSourceError, type ParseEvent } from './events.ts';
import { Utf8StreamDecoder } from './utf8.ts';

/** An element with its attributes, its direct text and its child elements. */
export interface XmlElement {
  /** Local name, without a namespace prefix (`arxiv:comment` -> `comment`). */
  name: string;
  /** Name as written, with its prefix. */
  qualifiedName: string;
  attributes: Record<string, string>;
  /** The element's own text (entities decoded), not its children's. */
  text: string;
  children: XmlElement[];
}

/** What the XML stream yields, in document order. */
export type XmlStreamEvent =
  /** A complete record element; `index` counts record elements from 1, `line` is where it starts. */
  | { kind: 'record'; index: number; line: number; element: XmlElement; invalidUtf8: boolean }
  /** A complete element outside the records whose name the caller asked for (a resumption token, totals). */
  | { kind: 'element'; line: number; element: XmlElement }
  /** The first element of the document. */
  | { kind: 'root'; element: XmlElement }
  /** Bytes that were not UTF-8 outside every record. */
  | { kind: 'invalid-utf8-outside'; line: number }
  /**
   * The input ended early or the XML broke: `inRecord` is the record element that was open (now lost), if any.
   * Nothing after this is read.
   */
  | { kind: 'stopped'; line: number; column: number; reason: string; inRecord: { index: number; line: number } | null };

/** Which elements to hand out. */
export interface XmlRecordOptions {
  /** Local name of the repeated record element. */
  recordName: string;
  /** Local names of other elements (outside records) to hand out whole. */
  otherNames: ReadonlySet<string>;
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

/** Parses an XML byte stream into record trees and the few other elements asked for. */
export async function* streamXmlRecords(
  chunks: AsyncIterable<Uint8Array>,
  options: XmlRecordOptions,
): AsyncGenerator<XmlStreamEvent> {
  const parser = new SaxesParser({ position: true, xmlns: false } as const);
  const pending: XmlStreamEvent[] = [];
  const invalidOffsets: number[] = [];
  let invalidCursor = 0;
  const decoder = new Utf8StreamDecoder((run) => invalidOffsets.push(run.textOffset));

  let depth = 0;
  let sawRoot = false;
  let recordIndex = 0;
  /** The record (or other wanted element) being built: its stack of open elements. */
  let building: XmlElement[] = [];
  let buildingKind: 'record' | 'element' | null = null;
  let buildingDepth = 0;
  let buildingLine = 0;
  let buildingStart = 0;
  let lastTagStart = 0;

  /** Drops invalid-byte offsets before `before`: they fell outside every record, which is reported once. */
  const consumeInvalidBefore = (before: number, line: number): void => {
    let outside = false;
    while (invalidCursor < invalidOffsets.length && invalidOffsets[invalidCursor]! < before) {
      invalidCursor += 1;
      outside = true;
    }
    if (outside) pending.push({ kind: 'invalid-utf8-outside', line });
  };
  /** Whether an invalid byte fell in [start, end); consumes the offsets before `end`. */
  const invalidWithin = (start: number, end: number): boolean => {
    let found = false;
    while (invalidCursor < invalidOffsets.length && invalidOffsets[invalidCursor]! < end) {
      if (invalidOffsets[invalidCursor]! >= start) found = true;
      invalidCursor += 1;
    }
    return found;
  };

  parser.on('xmldecl', (decl) => {
    const encoding = decl.encoding?.toLowerCase();
    if (encoding && encoding !== 'utf-8' && encoding !== 'utf8') {
      throw new ImportSourceError(`XML in the ${decl.encoding} encoding is not supported (UTF-8 only)`);
    }
  });
  parser.on('opentagstart', (tag) => {
    lastTagStart = parser.position - tag.name.length - 1;
  });
  parser.on('opentag', (tag: SaxesTagPlain) => {
    depth += 1;
    const name = localName(tag.name);
    const element: XmlElement = {
      name,
      qualifiedName: tag.name,
      // saxes makes a fresh attributes object for each tag: keeping it is safe.
      attributes: tag.attributes,
      text: '',
      children: [],
    };
    if (!sawRoot) {
      sawRoot = true;
      pending.push({ kind: 'root', element });
    }
    if (buildingKind !== null) {
      building[building.length - 1]!.children.push(element);
      building.push(element);
    } else if (name === options.recordName || options.otherNames.has(name)) {
      buildingKind = name === options.recordName ? 'record' : 'element';
      if (buildingKind === 'record') recordIndex += 1;
      building = [element];
      buildingDepth = depth;
      buildingLine = parser.line;
      buildingStart = lastTagStart;
      consumeInvalidBefore(buildingStart, parser.line);
    }
  });
  // saxes reports a self-closing tag as an open tag followed by a close tag.
  parser.on('closetag', () => closeElement());
  const appendText = (text: string) => {
    if (buildingKind !== null) building[building.length - 1]!.text += text;
  };
  parser.on('text', appendText);
  parser.on('cdata', appendText);

  function closeElement(): void {
    if (buildingKind !== null && depth === buildingDepth) {
      const element = building[0]!;
      const invalid = invalidWithin(buildingStart, parser.position);
      if (buildingKind === 'record') {
        pending.push({ kind: 'record', index: recordIndex, line: buildingLine, element, invalidUtf8: invalid });
      } else {
        if (invalid) pending.push({ kind: 'invalid-utf8-outside', line: buildingLine });
        pending.push({ kind: 'element', line: buildingLine, element });
      }
      buildingKind = null;
      building = [];
    } else if (buildingKind !== null) {
      building.pop();
    }
    depth -= 1;
  }

  const openRecord = () => (buildingKind === 'record' ? { index: recordIndex, line: buildingLine } : null);

  const stopped = (error: unknown): XmlStreamEvent => {
    const message = error instanceof Error ? error.message : String(error);
    // saxes prefixes its messages with "line:column: ".
    const reason = message.replace(/^\d+:\d+: /, '');
    return {
      kind: 'stopped',
      line: parser.line,
      column: parser.column,
      reason: `malformed XML at column ${parser.column + 1}: ${reason}`,
      inRecord: openRecord(),
    };
  };

  for await (const chunk of chunks) {
    const text = decoder.decode(chunk);
    try {
      parser.write(text);
    } catch (error) {
      if (error instanceof ImportSourceError) throw error;
      yield* pending.splice(0);
      yield stopped(error);
      return;
    }
    yield* pending.splice(0);
  }
  const tail = decoder.end();
  try {
    if (tail) parser.write(tail);
    if (depth > 0 || !sawRoot) {
      yield* pending.splice(0);
      const record = openRecord();
      const reason = !sawRoot
        ? 'no XML element in the input'
        : record
          ? `the file ends inside record ${record.index} (truncated)`
          : `the file ends before the document is complete (truncated after record ${recordIndex})`;
      yield { kind: 'stopped', line: parser.line, column: parser.column, reason, inRecord: record };
      return;
    }
    parser.close();
  } catch (error) {
    if (error instanceof ImportSourceError) throw error;
    yield* pending.splice(0);
    yield stopped(error);
    return;
  }
  consumeInvalidBefore(Number.POSITIVE_INFINITY, parser.line);
  yield* pending.splice(0);
}

/**
 * The parse events both XML formats derive the same way from the stream's own events: bytes that are not UTF-8
 * outside any record (a warning), and a stop (a record cut off by it is rejected, then the stop itself). `label`
 * names records in positions: `record` for OAI-PMH, `entry` for Atom.
 */
export function* streamProblemEvents(
  event: Extract<XmlStreamEvent, { kind: 'invalid-utf8-outside' | 'stopped' }>,
  label: string,
): Generator<ParseEvent> {
  if (event.kind === 'invalid-utf8-outside') {
    yield {
      kind: 'note',
      note: { kind: 'warning', position: `line ${event.line}`, message: 'bytes that are not UTF-8 (ignored)' },
    };
    return;
  }
  if (event.inRecord) {
    const position = `${label} ${event.inRecord.index} (line ${event.inRecord.line})`;
    yield { kind: 'rejected', position, reason: event.reason };
  }
  yield { kind: 'stopped', position: `line ${event.line}`, reason: event.reason };
}
