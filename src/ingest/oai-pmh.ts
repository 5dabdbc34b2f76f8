/**
 * OAI-PMH `ListRecords` pages in arXiv's `arXivRaw` metadata format (https://oaipmh.arxiv.org/oai), the format
 * that carries every version's date. A page ends with a resumption token that names the next page; it is reported
 * so that an operator can fetch the next page. Deleted records are skipped. Other metadata formats (`oai_dc`,
 * `arXiv`) lack the version history and are refused with a clear message.
 */
import { splitAuthorList } from '../domain/authors.ts';
import { ImportSourceError, type ParseEvent } from './events.ts';
import { buildPaperRecord, splitCategories } from './record-builder.ts';
import { streamProblemEvents, streamXmlRecords, type XmlElement } from './xml-records.ts';

const SUPPORTED_METADATA = 'arXivRaw';
const OAI_IDENTIFIER_PREFIX = 'oai:arXiv.org:';
/** The OAI-PMH requests whose answers carry records. */
const RECORD_VERBS = new Set(['ListRecords', 'GetRecord']);

/**
 * An OAI-PMH error answer (`<error code="badResumptionToken">`); the code lets a harvester tell an expired token from
 * a bad request.
 */
export class OaiPmhError extends ImportSourceError {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'OaiPmhError';
  }
}

/** Parses an OAI-PMH ListRecords page (arXivRaw); throws ImportSourceError on an OAI-PMH error or another format. */
export async function* parseOaiPmh(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<ParseEvent> {
  const events = streamXmlRecords(chunks, {
    recordName: 'record',
    otherNames: new Set(['request', 'resumptionToken', 'error']),
  });
  for await (const event of events) {
    switch (event.kind) {
      case 'root':
        if (event.element.name !== 'OAI-PMH') {
          throw new ImportSourceError(`expected an OAI-PMH document, found <${event.element.qualifiedName}>`);
        }
        break;
      case 'element':
        yield* topLevelElement(event.element);
        break;
      case 'invalid-utf8-outside':
        yield* streamProblemEvents(event, 'record');
        break;
      case 'stopped':
        yield* streamProblemEvents(event, 'record');
        return;
      case 'record':
        yield recordEvent(event.element, `record ${event.index} (line ${event.line})`, event.invalidUtf8);
        break;
    }
  }
}

function* topLevelElement(element: XmlElement): Generator<ParseEvent> {
  if (element.name === 'request') {
    const verb = element.attributes.verb;
    if (verb && !RECORD_VERBS.has(verb)) {
      throw new ImportSourceError(
        `an OAI-PMH ${verb} answer holds no records to import (harvest with verb=ListRecords)`,
      );
    }
    const prefix = element.attributes.metadataPrefix;
    if (prefix && prefix !== SUPPORTED_METADATA) throw unsupportedMetadata(prefix);
  } else if (element.name === 'resumptionToken') {
    yield {
      kind: 'note',
      note: {
        kind: 'oai-resumption',
        token: element.text.trim(),
        completeListSize: integerOrNull(element.attributes.completeListSize),
        cursor: integerOrNull(element.attributes.cursor),
      },
    };
  } else if (element.name === 'error') {
    const code = element.attributes.code ?? 'unknown';
    if (code === 'noRecordsMatch') {
      yield { kind: 'note', note: { kind: 'oai-no-records' } };
      return;
    }
    const text = element.text.replace(/\s+/g, ' ').trim();
    throw new OaiPmhError(code, `OAI-PMH error ${code}${text ? `: ${text}` : ''}`);
  }
}

function recordEvent(record: XmlElement, position: string, invalidUtf8: boolean): ParseEvent {
  const header = child(record, 'header');
  if (header?.attributes.status === 'deleted') {
    const identifier = text(child(header, 'identifier')) ?? '(no identifier)';
    return { kind: 'deleted', position, identifier };
  }
  const metadata = child(record, 'metadata')?.children[0];
  if (!metadata) return { kind: 'rejected', position, reason: 'no metadata' };
  if (metadata.name !== SUPPORTED_METADATA) throw unsupportedMetadata(metadata.qualifiedName.split(':')[0]!);
  if (invalidUtf8) return { kind: 'rejected', position, reason: 'not valid UTF-8' };

  const identifier = text(child(header, 'identifier'));
  const result = buildPaperRecord({
    id: text(child(metadata, 'id')) ?? identifier?.replace(OAI_IDENTIFIER_PREFIX, '') ?? null,
    title: text(child(metadata, 'title')),
    abstract: text(child(metadata, 'abstract')),
    authors: splitAuthorList(text(child(metadata, 'authors')) ?? ''),
    categories: splitCategories(text(child(metadata, 'categories'))),
    versions: metadata.children
      .filter((c) => c.name === 'version')
      .map((v) => ({ version: v.attributes.version, created: text(child(v, 'date')) })),
    comments: text(child(metadata, 'comments')),
    journalRef: text(child(metadata, 'journal-ref')),
    doi: text(child(metadata, 'doi')),
    reportNo: text(child(metadata, 'report-no')),
    license: text(child(metadata, 'license')),
    submitter: text(child(metadata, 'submitter')),
  });
  if (!result.ok) return { kind: 'rejected', position, reason: result.reason };
  return { kind: 'record', position, record: result.record, listedAt: null };
}

function unsupportedMetadata(prefix: string): ImportSourceError {
  return new ImportSourceError(
    `OAI-PMH metadata format '${prefix}' is not supported: harvest with metadataPrefix=${SUPPORTED_METADATA}, ` +
      'which carries every version and its date',
  );
}

function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element?.children.find((c) => c.name === name);
}

function text(element: XmlElement | undefined): string | null {
  return element ? element.text : null;
}

function integerOrNull(value: string | undefined): number | null {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : null;
}
