/**
 * When arXiv announces a submission, so that an imported paper can be listed on the day readers first saw it.
 *
 * arXiv's schedule (https://info.arxiv.org/help/availability.html), on its own clock, America/New_York:
 * submissions close at 14:00 Monday to Friday, and what came in before a deadline is announced at 20:00 the same
 * day, except that Friday's batch is announced on Sunday. So a paper received
 * - Monday 14:00 to Tuesday 14:00 is announced Tuesday 20:00 (likewise Tuesday->Wednesday, Wednesday->Thursday),
 * - Thursday 14:00 to Friday 14:00 is announced Sunday 20:00,
 * - Friday 14:00 to Monday 14:00 is announced Monday 20:00.
 * A submission at exactly 14:00 has missed that deadline. arXiv's holidays (a handful of days a year, when the
 * schedule shifts by a day) are ignored: the result can then be a day early, which is acceptable for a feed.
 */
import { DateTime } from 'luxon';

/** arXiv's clock. */
export const ARXIV_TIME_ZONE = 'America/New_York';
/** Submissions close at this hour (ET), Monday to Friday. */
const SUBMISSION_DEADLINE_HOUR_ET = 14;
/** Announcements go out at this hour (ET), Sunday to Thursday. */
const ANNOUNCEMENT_HOUR_ET = 20;
const FRIDAY = 5;
/** Friday's batch is announced on Sunday, two days after its deadline. */
const FRIDAY_TO_SUNDAY_DAYS = 2;

/** The instant arXiv announces a submission received at `receivedAt` (holidays ignored, see above). */
export function arxivAnnouncementTime(receivedAt: Date): Date {
  const received = DateTime.fromJSDate(receivedAt, { zone: ARXIV_TIME_ZONE });
  let deadline = received.set({ hour: SUBMISSION_DEADLINE_HOUR_ET, minute: 0, second: 0, millisecond: 0 });
  if (received >= deadline) deadline = deadline.plus({ days: 1 });
  while (deadline.weekday > FRIDAY) deadline = deadline.plus({ days: 1 });
  const announcementDay = deadline.weekday === FRIDAY ? deadline.plus({ days: FRIDAY_TO_SUNDAY_DAYS }) : deadline;
  return announcementDay.set({ hour: ANNOUNCEMENT_HOUR_ET }).toJSDate();
}

/** The day (`YYYY-MM-DD`, in `timeZone`) on which a submission received at `receivedAt` is announced. */
export function arxivAnnouncementDay(receivedAt: Date, timeZone: string): string {
  return dayInTimeZone(arxivAnnouncementTime(receivedAt), timeZone);
}

/** The calendar day (`YYYY-MM-DD`) an instant falls on in `timeZone`. */
export function dayInTimeZone(instant: Date, timeZone: string): string {
  const day = DateTime.fromJSDate(instant, { zone: timeZone }).toISODate();
  if (day === null) throw new RangeError(`cannot place ${instant.toISOString()} in time zone ${timeZone}`);
  return day;
}
