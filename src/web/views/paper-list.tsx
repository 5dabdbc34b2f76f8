/** A ranked list of paper cards, as the feed and the trending page show it, with the viewer's upvotes marked. */
import type { PaperCard } from '../presenters/html/paper-card.ts';
import { PaperCardView } from './paper-card.tsx';
import { UpvoteSurroundingsContext } from './upvote-button.tsx';

export interface PaperListProps {
  cards: PaperCard[];
  /** The rank of the first card (pages after the first continue the numbering). */
  firstRank: number;
  /** The papers the signed-in viewer has upvoted. */
  upvoted: ReadonlySet<string>;
  /** The page the no-JavaScript upvote form comes back to. */
  returnTo: string;
  /** Each paper's current trending points, when the list shows them. */
  points: ReadonlyMap<string, number> | null;
}

export function PaperList({ cards, firstRank, upvoted, returnTo, points }: PaperListProps) {
  return (
    <UpvoteSurroundingsContext.Provider value={{ returnTo, points }}>
      <ol class="paper-list" start={firstRank}>
        {cards.map((card) => (
          <PaperCardView card={card} upvoted={upvoted.has(card.id)} />
        ))}
      </ol>
    </UpvoteSurroundingsContext.Provider>
  );
}
