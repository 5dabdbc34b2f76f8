/**
 * Version dates as the sources write them, normalised to the two shapes a PaperVersion holds: an ISO 8601 UTC
 * timestamp (`2007-04-02T19:18:42.000Z`) when the source gives the time, the bare day (`2023-08-13`) when it gives
 * only that. We never add precision the source did not have.
 */
import { DateTime } from 'luxon';

const BARE_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/**
 * arXiv's own RFC 2822 form, `Mon, 2 Apr 2007 19:18:42 GMT`, parsed directly: it is by far the most common date in a
 * 4.5 GB snapshot, and this is several times faster than a general parser. Anything else goes through luxon.
 */
const ARXIV_RFC_2822_GMT =
  /^(?:[A-Z][a-z]{2}, )?(\d{1,2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) (?:GMT|UT|UTC|\+0000)$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Normalises a version date: RFC 2822 (`Mon, 2 Apr 2007 19:18:42 GMT`) and ISO 8601 timestamps become ISO UTC with
 * milliseconds; a bare `YYYY-MM-DD` stays bare. Returns null for anything that is not a real date.
 */
export function normaliseSourceDate(raw: string): string | null {
  const text = raw.trim();
  const bare = BARE_DATE.exec(text);
  if (bare) return isRealDay(Number(bare[1]), Number(bare[2]), Number(bare[3])) ? text : null;
  const arxiv = ARXIV_RFC_2822_GMT.exec(text);
  if (arxiv) {
    const [, day, monthName, year, hour, minute, second] = arxiv as unknown as string[];
    const month = MONTHS.indexOf(monthName!) + 1;
    if (month > 0 && isRealDay(Number(year), month, Number(day)) && Number(hour) < 24 && Number(minute) < 60) {
      return new Date(
        Date.UTC(Number(year), month - 1, Number(day), Number(hour), Number(minute), Number(second)),
      ).toISOString();
    }
    return null;
  }
  const parsed = /^\d{4}-\d{2}-\d{2}T/.test(text)
    ? DateTime.fromISO(text, { zone: 'utc' })
    : DateTime.fromRFC2822(text, { zone: 'utc' });
  return parsed.isValid ? new Date(parsed.toMillis()).toISOString() : null;
}

function isRealDay(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
