/** One paper on the daily feed: title, authors, the opening of its abstract, categories, counts and links. */
import type { PaperCard } from '../presenters/html/paper-card.ts';
import { CommentIcon } from './icons.tsx';
import { RichText } from './rich-text.tsx';
import { UpvoteButton } from './upvote-button.tsx';

export function PaperCardView({ card, upvoted = false }: { card: PaperCard; upvoted?: boolean }) {
  const titleId = `title-${card.id.replace(/[^\w-]/g, '-')}`;
  const hiddenName = ` of “${card.titleText}”`;
  return (
    <li class="paper-card">
      <article class="card" aria-labelledby={titleId}>
        <div class="card-main">
          <h2 class="card-title" id={titleId}>
            <a href={card.href}>
              <RichText html={card.titleHtml} />
            </a>
          </h2>
          <p class="card-authors">
            {card.authors.shown.join(', ')}
            {card.authors.shown.length < card.authors.total && (
              <span class="et-al"> et al. ({card.authors.total} authors)</span>
            )}
          </p>
          <RichText as="p" class="card-abstract" html={card.excerptHtml} />
          <div class="card-meta">
            {card.categories.length > 0 && (
              <ul class="categories" aria-label="Categories">
                {card.categories.map((code, index) => (
                  <li class={index === 0 ? 'category primary' : 'category'}>{code}</li>
                ))}
              </ul>
            )}
            <span class="count count-comments">
              <CommentIcon />
              {card.numComments}
              <span class="visually-hidden">{card.numComments === 1 ? ' comment' : ' comments'}</span>
            </span>
            <a class="card-link" href={card.absUrl}>
              arXiv<span class="visually-hidden"> page{hiddenName}</span>
            </a>
            <a class="card-link" href={card.pdfUrl}>
              PDF<span class="visually-hidden">{hiddenName}</span>
            </a>
          </div>
        </div>
        <UpvoteButton
          paperId={card.id}
          upvotes={card.upvotes}
          upvoted={upvoted}
          variant="card"
          titleText={card.titleText}
        />
      </article>
    </li>
  );
}
