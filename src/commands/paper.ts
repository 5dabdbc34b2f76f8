/** Looking up one paper by an id as people write it. */
import { parseArxivId } from '../domain/arxiv-id.ts';
import type { Paper } from '../domain/paper.ts';
import type { Listing, PaperStore } from '../storage/paper-store.ts';
import { HttpError } from './errors.ts';

export interface PaperLookup {
  /** The canonical id (no version). */
  id: string;
  /** True when the request named a version or otherwise differs from the canonical id (callers redirect). */
  isCanonical: boolean;
}

/** Validates an id from a URL; a malformed one is a 400 with the reason. */
export function requirePaperId(raw: string): PaperLookup {
  const parsed = parseArxivId(raw);
  if (!parsed.ok) throw new HttpError(400, 'invalid_id', parsed.reason);
  return { id: parsed.value.id, isCanonical: parsed.value.id === raw };
}

export class PaperNotFoundError extends HttpError {
  constructor(readonly paperId: string) {
    super(404, 'paper_not_found', `Paper ${paperId} is not in this instance's catalogue.`);
  }
}

export interface PaperDetail {
  paper: Paper;
  listing: Listing | null;
}

/** A paper hidden by the moderators: gone for everyone but admins. */
export class PaperHiddenError extends HttpError {
  constructor(readonly paperId: string) {
    super(404, 'paper_not_found', `Paper ${paperId} has been hidden by the moderators.`);
  }
}

/** One paper and its listing; a hidden paper is found only by admins (`canSeeHidden`). */
export async function readPaper(store: PaperStore, id: string, canSeeHidden = false): Promise<PaperDetail> {
  const [paper, listing] = await Promise.all([store.getPaper(id), store.getListing(id)]);
  if (!paper) throw new PaperNotFoundError(id);
  if (paper.hiddenAt && !canSeeHidden) throw new PaperHiddenError(id);
  return { paper, listing };
}
