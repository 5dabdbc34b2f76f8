/**
 * What a digest subscriber asks for, checked before anything is stored: the cadence, the weekday of a weekly
 * digest, and the topics of its "for you" section (arXiv categories, author names, keywords). Lists and words are
 * bounded so that one subscription cannot make the digest sender run a thousand searches; every refusal is a
 * sentence saying what to fix.
 */

export type Cadence = 'daily' | 'weekly';
export const CADENCES: readonly Cadence[] = ['daily', 'weekly'];

export interface SubscriptionTopics {
  categories: string[];
  authors: string[];
  keywords: string[];
}

export const NO_TOPICS: SubscriptionTopics = { categories: [], authors: [], keywords: [] };

/** Items per topic list (categories, authors, keywords): a reader's interests, not a crawl. */
export const MAX_TOPIC_ITEMS = 20;
/** Characters per author name or keyword. */
export const MAX_TOPIC_ITEM_LENGTH = 100;
/** Characters per category (the longest real one, `physics.atom-ph`-like, is far shorter). */
const MAX_CATEGORY_LENGTH = 40;
/** An arXiv category: `cs.LG`, `math.AG`, `hep-th`, `astro-ph.CO`. */
const CATEGORY_PATTERN = /^[a-z][a-z-]*(?:\.[A-Za-z][A-Za-z-]*)?$/;
/** Control characters (line breaks included) have no place in a name or keyword. */
const CONTROL_CHARACTERS = /\p{Cc}/u;
/** The weekday of a weekly digest when none is given: Monday (0 is Sunday, as in Date.getDay). */
export const DEFAULT_WEEKLY_DAY = 1;

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

/** The cadence, or why it is refused. */
export function checkCadence(raw: unknown): Checked<Cadence> {
  if (raw === 'daily' || raw === 'weekly') return { ok: true, value: raw };
  return { ok: false, problem: 'The cadence must be "daily" or "weekly".' };
}

/** The weekday (0 = Sunday ... 6 = Saturday) of a weekly digest; absent means Monday; null for daily ones. */
export function checkWeeklyDay(cadence: Cadence, raw: unknown): Checked<number | null> {
  if (cadence === 'daily') return { ok: true, value: null };
  if (raw === undefined || raw === null || raw === '') return { ok: true, value: DEFAULT_WEEKLY_DAY };
  const day = typeof raw === 'string' && /^\d$/.test(raw) ? Number(raw) : raw;
  if (typeof day === 'number' && Number.isInteger(day) && day >= 0 && day <= 6) return { ok: true, value: day };
  return { ok: false, problem: 'The weekly day must be a whole number from 0 (Sunday) to 6 (Saturday).' };
}

/** The topics, trimmed and without repeats, or the first reason they are refused. Absent topics mean none. */
export function checkTopics(raw: unknown): Checked<SubscriptionTopics> {
  if (raw === undefined || raw === null) return { ok: true, value: { categories: [], authors: [], keywords: [] } };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, problem: 'Topics must be an object with lists of categories, authors and keywords.' };
  }
  const given = raw as Record<string, unknown>;
  const unknown = Object.keys(given).filter((key) => !['categories', 'authors', 'keywords'].includes(key));
  if (unknown.length > 0) {
    return { ok: false, problem: `Topics take categories, authors and keywords only, not '${clip(unknown[0]!)}'.` };
  }
  const categories = checkList(given.categories, 'categories', (item) => {
    if (item.length > MAX_CATEGORY_LENGTH || !CATEGORY_PATTERN.test(item)) {
      return `'${clip(item)}' is not an arXiv category such as cs.LG.`;
    }
    return null;
  });
  if (!categories.ok) return categories;
  const authors = checkList(given.authors, 'authors', wordsProblem('An author name'));
  if (!authors.ok) return authors;
  const keywords = checkList(given.keywords, 'keywords', wordsProblem('A keyword'));
  if (!keywords.ok) return keywords;
  return { ok: true, value: { categories: categories.value, authors: authors.value, keywords: keywords.value } };
}

/** The stored form of topics (JSON) and back; a damaged stored value reads as no topics rather than failing a send. */
export function topicsToJson(topics: SubscriptionTopics): string {
  return JSON.stringify(topics);
}

export function topicsFromJson(json: string): SubscriptionTopics {
  try {
    const checked = checkTopics(JSON.parse(json));
    return checked.ok ? checked.value : { categories: [], authors: [], keywords: [] };
  } catch {
    return { categories: [], authors: [], keywords: [] };
  }
}

function wordsProblem(what: string): (item: string) => string | null {
  return (item) => {
    if (CONTROL_CHARACTERS.test(item)) return `${what} must be on one line, without control characters.`;
    if (item.length > MAX_TOPIC_ITEM_LENGTH) return `${what} has at most ${MAX_TOPIC_ITEM_LENGTH} characters.`;
    return null;
  };
}

function checkList(raw: unknown, name: string, problemOf: (item: string) => string | null): Checked<string[]> {
  if (raw === undefined || raw === null) return { ok: true, value: [] };
  if (!Array.isArray(raw)) return { ok: false, problem: `Topics' ${name} must be a list of words.` };
  if (raw.length > MAX_TOPIC_ITEMS) {
    return { ok: false, problem: `Topics take at most ${MAX_TOPIC_ITEMS} ${name}; ${raw.length} were given.` };
  }
  const seen = new Set<string>();
  const value: string[] = [];
  for (const entry of raw) {
    if (typeof entry !== 'string')
      return { ok: false, problem: `Topics' ${name} must be words (text), not numbers or lists.` };
    const item = entry.trim().replace(/ {2,}/g, ' ');
    if (item === '') return { ok: false, problem: `Topics' ${name} must not contain empty entries.` };
    const problem = problemOf(item);
    if (problem) return { ok: false, problem };
    const key = item.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    value.push(item);
  }
  return { ok: true, value };
}

function clip(text: string): string {
  const oneLine = text.replace(/\p{Cc}+/gu, ' ');
  return oneLine.length > 40 ? `${oneLine.slice(0, 40)}…` : oneLine;
}
