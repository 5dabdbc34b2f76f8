/** The paper page's "Similar papers": a short list to read next, absent when there is nothing similar. */
import type { SimilarPaperLine } from '../../commands/similar.ts';
import { RichText } from './rich-text.tsx';

export function SimilarPapersSection({ papers }: { papers: readonly SimilarPaperLine[] }) {
  if (papers.length === 0) return null;
  return (
    <section class="similar-papers" aria-labelledby="similar-title">
      <h2 id="similar-title">Similar papers</h2>
      <ol class="similar-list">
        {papers.map((paper) => (
          <li class="similar-item">
            <a class="similar-title" href={paper.href}>
              <RichText html={paper.titleHtml} />
            </a>
            <p class="similar-meta">
              {paper.authors.shown.length > 0 ? (
                <span class="similar-authors">
                  {paper.authors.shown.join(', ')}
                  {paper.authors.total > paper.authors.shown.length && ' et al.'}
                </span>
              ) : (
                <span class="muted">Authors unknown</span>
              )}
              {paper.firstVersion && (
                <>
                  {' · '}
                  <time datetime={paper.firstVersion.iso}>{paper.firstVersion.text}</time>
                </>
              )}
            </p>
          </li>
        ))}
      </ol>
    </section>
  );
}
