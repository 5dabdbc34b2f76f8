/**
 * arXiv API answers (`https://export.arxiv.org/api/query`), Atom with arXiv's extensions. Each entry's id is the abs
 * URL with a version (`http://arxiv.org/abs/2202.12139v2`); `published` is when v1 was received and `updated` when
 * that version was, so an entry yields v1 and, when newer, the version it describes. The API reports errors as a
 * feed with one entry titled "Error" under https://arxiv.org/api/errors; that stops the import with arXiv's message.
 */
import { parseArxivId } from '../domain/arxiv-id.ts';
import { cleanAuthorName } from '../domain/authors.ts';
import { collapseWhitespace } from '../domain/text.ts';
import { ImportSourceError, type ParseEvent } from './events.ts';
import { buildPaperRecord } from './record-builder.ts';
import { streamProblemEvents, streamXmlRecords, type XmlElement } from './xml-records.ts';

const ABS_URL = /^https?:\/\/(?:export\.)?arxiv\.org\/abs\/(.+)$/;
const ERROR_ID = /^https?:\/\/(?:export\.)?arxiv\.org\/api\/errors/;

/** Parses an arXiv API Atom feed; throws ImportSourceError when the feed is the API's error answer. */
export async function* parseArxivAtom(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<ParseEvent> {
  const totals = {
    totalResults: null as number | null,
    startIndex: null as number | null,
    itemsPerPage: null as number | null,
  };
  let sawTotals = false;
  const events = streamXmlRecords(chunks, {
    recordName: 'entry',
    otherNames: new Set(['totalResults', 'startIndex', 'itemsPerPage']),
  });
  for await (const event of events) {
    switch (event.kind) {
      case 'root':
        if (event.element.name !== 'feed') {
          throw new ImportSourceError(`expected an Atom feed, found <${event.element.qualifiedName}>`);
        }
        break;
      case 'element': {
        const value = /^\d+$/.test(event.element.text.trim()) ? Number(event.element.text.trim()) : null;
        totals[event.element.name as keyof typeof totals] = value;
        sawTotals = true;
        break;
      }
      case 'invalid-utf8-outside':
        yield* streamProblemEvents(event, 'entry');
        break;
      case 'stopped':
        yield* streamProblemEvents(event, 'entry');
        return;
      case 'record':
        yield entryEvent(event.element, `entry ${event.index} (line ${event.line})`, event.invalidUtf8);
        break;
    }
  }
  if (sawTotals) yield { kind: 'note', note: { kind: 'atom-totals', ...totals } };
}

function entryEvent(entry: XmlElement, position: string, invalidUtf8: boolean): ParseEvent {
  const idUrl = text(child(entry, 'id'))?.trim() ?? '';
  if (ERROR_ID.test(idUrl)) {
    const message = collapseWhitespace(text(child(entry, 'summary')) ?? '') || idUrl;
    throw new ImportSourceError(`arXiv API error: ${message}`);
  }
  if (invalidUtf8) return { kind: 'rejected', position, reason: 'not valid UTF-8' };
  const abs = ABS_URL.exec(idUrl);
  if (!abs) return { kind: 'rejected', position, reason: `'${idUrl}' is not an arXiv abstract URL` };
  const id = parseArxivId(abs[1]!);
  if (!id.ok) return { kind: 'rejected', position, reason: `invalid arXiv id: ${id.reason}` };

  const published = text(child(entry, 'published'));
  const updated = text(child(entry, 'updated'));
  const versions: Array<{ version: number; created: string | null }> = [{ version: 1, created: published }];
  if (id.value.version !== null && id.value.version > 1) versions.push({ version: id.value.version, created: updated });

  const primary = child(entry, 'primary_category')?.attributes.term;
  const others = entry.children.filter((c) => c.name === 'category').map((c) => c.attributes.term ?? '');
  const result = buildPaperRecord({
    id: id.value.id,
    title: text(child(entry, 'title')),
    abstract: text(child(entry, 'summary')),
    authors: entry.children
      .filter((c) => c.name === 'author')
      .map((author) => cleanAuthorName(text(child(author, 'name')) ?? '')),
    categories: primary ? [primary, ...others] : others,
    versions,
    comments: text(child(entry, 'comment')),
    journalRef: text(child(entry, 'journal_ref')),
    doi: text(child(entry, 'doi')),
  });
  if (!result.ok) return { kind: 'rejected', position, reason: result.reason };
  return { kind: 'record', position, record: result.record, listedAt: null };
}

function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element?.children.find((c) => c.name === name);
}

function text(element: XmlElement | undefined): string | null {
  return element ? element.text : null;
}
