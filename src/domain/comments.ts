/**
 * The rules of a discussion that need no database: what a comment body may be, which `@mentions` it makes, and the
 * order in which a thread is read (each comment followed by its replies, oldest first at every level).
 */

/** Longest comment accepted, in characters (Unicode code points, as people count them), after trimming. */
export const COMMENT_MAX_CHARS = 20_000;
/** Replies are indented at most this many levels on the page; deeper replies line up with the last level. */
export const COMMENT_MAX_VISUAL_DEPTH = 5;

/** A username in an `@mention` (see domain/username.ts): letters, digits, `-` and `_`, 2 to 30 characters. */
const MENTION_PATTERN = /(^|[^\w@./+-])@([A-Za-z0-9][A-Za-z0-9_-]{1,29})(?![\w-])/g;

/** A body ready to store (trimmed), or why it is refused, in a sentence. */
export type CommentBodyResult = { ok: true; body: string } | { ok: false; reason: string };

/**
 * Checks a comment as typed: trimmed, not empty, at most COMMENT_MAX_CHARS characters. Line endings are made `\n`
 * so that a body typed in a browser (CRLF) and one sent by a script count and render the same.
 */
export function checkCommentBody(raw: string): CommentBodyResult {
  const body = raw.replace(/\r\n?/g, '\n').trim();
  if (body === '') return { ok: false, reason: 'A comment cannot be empty.' };
  const length = countCharacters(body);
  if (length > COMMENT_MAX_CHARS) {
    return {
      ok: false,
      reason: `A comment has at most ${COMMENT_MAX_CHARS.toLocaleString('en')} characters; this one has ${length.toLocaleString('en')}.`,
    };
  }
  return { ok: true, body };
}

/** Unicode code points: an emoji or a CJK character is one character, whatever its UTF-16 length. */
function countCharacters(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

/**
 * The usernames a body may mention (`@ada`), lower-cased and without repeats, for one lookup of which exist. It
 * over-approximates (a mention inside code is found too): the Markdown renderer decides what becomes a link.
 */
export function mentionCandidates(body: string): string[] {
  const found = new Set<string>();
  for (const match of body.matchAll(MENTION_PATTERN)) found.add(match[2]!.toLowerCase());
  return [...found];
}

/** What thread ordering needs of a comment. */
export interface ThreadItem {
  id: number;
  parentId: number | null;
  createdAt: string;
}

/** A comment in reading order, with how deep it sits (0 for top-level comments). */
export interface Threaded<T> {
  item: T;
  depth: number;
}

/**
 * Orders a paper's comments as a thread: each top-level comment followed by its replies, depth first, oldest first
 * at every level (ties broken by id). A comment whose parent is missing is treated as top-level, so that nothing is
 * ever dropped from a discussion.
 */
export function threadOrder<T extends ThreadItem>(items: readonly T[]): Threaded<T>[] {
  const ids = new Set(items.map((item) => item.id));
  const children = new Map<number | null, T[]>();
  for (const item of items) {
    const parent = item.parentId !== null && ids.has(item.parentId) && item.parentId !== item.id ? item.parentId : null;
    const siblings = children.get(parent);
    if (siblings) siblings.push(item);
    else children.set(parent, [item]);
  }
  for (const siblings of children.values()) {
    siblings.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id - b.id));
  }
  const out: Threaded<T>[] = [];
  const seen = new Set<number>();
  // An explicit stack rather than recursion: a deep reply chain cannot overflow the call stack.
  const stack: Threaded<T>[] = (children.get(null) ?? []).map((item) => ({ item, depth: 0 })).reverse();
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (seen.has(next.item.id)) continue;
    seen.add(next.item.id);
    out.push(next);
    const replies = children.get(next.item.id) ?? [];
    for (let i = replies.length - 1; i >= 0; i -= 1) stack.push({ item: replies[i]!, depth: next.depth + 1 });
  }
  // Only a parent cycle (which the store never writes) leaves comments unreached: show them rather than lose them.
  for (const item of items) if (!seen.has(item.id)) out.push({ item, depth: 0 });
  return out;
}
