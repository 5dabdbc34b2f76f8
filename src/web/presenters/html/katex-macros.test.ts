/**
 * How much of real arXiv math KaTeX renders with our macros, measured on the test fixtures' abstracts, so that a
 * KaTeX upgrade or a macro change that loses ground shows up here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import katex from 'katex';
import { describe, expect, it } from 'vitest';
import { renderMathOrThrow } from '../../tex.ts';
import { type MathSegment, splitTex } from './tex-segments.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', '..', 'test', 'fixtures', 'arxiv');

const XML_ENTITIES: Record<string, string> = { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' };

function oaiAbstracts(): string[] {
  const xml = readFileSync(join(FIXTURES, 'oai-arxivraw-1000.xml'), 'utf8');
  return [...xml.matchAll(/<abstract>([\s\S]*?)<\/abstract>/g)].map((m) =>
    m[1]!.replace(/&(lt|gt|quot|apos|amp);/g, (_, name: string) => XML_ENTITIES[name]!),
  );
}

function snapshotAbstracts(): string[] {
  return readFileSync(join(FIXTURES, 'kaggle-snapshot-200.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => (JSON.parse(line) as { abstract: string }).abstract);
}

function mathSpans(abstracts: string[]): MathSegment[] {
  return abstracts.flatMap((abstract) => splitTex(abstract).filter((s): s is MathSegment => s.kind === 'math'));
}

function renderedCount(spans: MathSegment[], render: (tex: string, display: boolean) => unknown): number {
  return spans.filter((span) => {
    try {
      render(span.tex, span.display);
      return true;
    } catch {
      return false;
    }
  }).length;
}

const bareKatex = (tex: string, display: boolean) =>
  katex.renderToString(tex, { displayMode: display, throwOnError: true, strict: 'ignore' });

describe.each([
  ['OAI-PMH arXivRaw, 1,000 records', oaiAbstracts, 0.975],
  ['metadata snapshot, 200 records', snapshotAbstracts, 0.97],
])('math in the abstracts of the %s fixture', (_name, read, minimumShare) => {
  const spans = mathSpans(read());

  it(`renders at least ${minimumShare * 100}% of the spans, more than KaTeX alone`, () => {
    const withMacros = renderedCount(spans, renderMathOrThrow);
    const alone = renderedCount(spans, bareKatex);
    expect(spans.length).toBeGreaterThan(200);
    expect(withMacros / spans.length).toBeGreaterThanOrEqual(minimumShare);
    expect(withMacros).toBeGreaterThan(alone);
  });
});
