import { describe, expect, it } from 'vitest';
import {
  checkCadence,
  checkTopics,
  checkWeeklyDay,
  MAX_TOPIC_ITEMS,
  topicsFromJson,
  topicsToJson,
} from './subscription-topics.ts';

describe('subscription topics', () => {
  it('accepts categories, authors and keywords, trimmed and without repeats', () => {
    const checked = checkTopics({
      categories: ['cs.LG', 'hep-th', 'astro-ph.CO', 'cs.LG'],
      authors: [' Ada  Lovelace ', 'ada lovelace'],
      keywords: ['diffusion'],
    });
    expect(checked).toEqual({
      ok: true,
      value: { categories: ['cs.LG', 'hep-th', 'astro-ph.CO'], authors: ['Ada Lovelace'], keywords: ['diffusion'] },
    });
    expect(checkTopics(undefined)).toEqual({ ok: true, value: { categories: [], authors: [], keywords: [] } });
  });

  it('refuses what is not a topic, with a sentence', () => {
    const refused = [
      'cs.LG',
      ['cs.LG'],
      { categories: ['not a category'] },
      { categories: ['cs.LG; drop table'] },
      { categories: 'cs.LG' },
      { authors: ['Ada\r\nBcc: z@w.org'] },
      { keywords: ['x'.repeat(101)] },
      { keywords: [''] },
      { keywords: [3] },
      { keywords: Array.from({ length: MAX_TOPIC_ITEMS + 1 }, (_, i) => `w${i}`) },
      { colours: ['red'] },
    ];
    for (const topics of refused) {
      const checked = checkTopics(topics);
      expect(checked.ok, JSON.stringify(topics)).toBe(false);
      if (!checked.ok) expect(checked.problem).toMatch(/[.]$/);
    }
  });

  it('checks cadence and weekday', () => {
    expect(checkCadence('daily')).toEqual({ ok: true, value: 'daily' });
    expect(checkCadence('hourly').ok).toBe(false);
    expect(checkWeeklyDay('weekly', undefined)).toEqual({ ok: true, value: 1 });
    expect(checkWeeklyDay('weekly', '5')).toEqual({ ok: true, value: 5 });
    expect(checkWeeklyDay('weekly', 7).ok).toBe(false);
    expect(checkWeeklyDay('daily', 3)).toEqual({ ok: true, value: null });
  });

  it('round-trips through JSON and reads damage as no topics', () => {
    const topics = { categories: ['cs.LG'], authors: [], keywords: ['graphs'] };
    expect(topicsFromJson(topicsToJson(topics))).toEqual(topics);
    expect(topicsFromJson('{oops')).toEqual({ categories: [], authors: [], keywords: [] });
  });
});
