/**
 * Submitting a paper to the daily feed, for the page and the API alike. The rules, each refused with a sentence and
 * nothing stored: members only (policy); a reference we can read (400); at most `submissionsPerDay` submissions per
 * person per day in the instance's time zone (429; admins exempt); a paper is listed once (409, naming the day);
 * papers arXiv does not know (404) or cannot tell us about now (503); papers first published more than
 * `submissionMaxAgeDays` ago by admins only (403). Metadata already in the catalogue is not fetched again.
 */
import { DateTime } from 'luxon';
import type { Config } from '../config.ts';
import { dayInTimeZone } from '../domain/announcement.ts';
import { parseArxivReference } from '../domain/arxiv-reference.ts';
import { type PaperRecord, versionBounds } from '../domain/paper.ts';
import {
  type FieldResult,
  isOlderThanSubmissionWindow,
  normalizeGithubRepo,
  normalizeProjectPage,
  normalizeSubmissionComment,
} from '../domain/submission-fields.ts';
import { type ArxivApiClient, ArxivMalformedIdError, ArxivUnavailableError } from '../ingest/arxiv-api-client.ts';
import { requireMember, type Viewer } from '../policy/policy.ts';
import type { ListedPaper, PaperStore } from '../storage/paper-store.ts';
import { HttpError } from './errors.ts';
import { readPaper } from './paper.ts';

/** What a person fills in: the paper as they pasted it, and optional extras. */
export interface SubmissionRequest {
  paperId: string;
  comment?: string | null;
  projectPage?: string | null;
  githubRepo?: string | null;
}

export interface SubmitContext {
  store: PaperStore;
  arxiv: ArxivApiClient;
  config: Pick<Config, 'timeZone' | 'submissionsPerDay' | 'submissionMaxAgeDays' | 'baseUrl'>;
  /** The clock (tests move it). */
  now?: () => Date;
  /** Told why arXiv could not be reached, for the log (the person is told only to try again later). */
  onArxivTrouble?: (error: Error) => void;
}

/** "Try again in a few minutes" when arXiv cannot be reached, in seconds (longer when arXiv itself asks). */
const ARXIV_UNAVAILABLE_RETRY_AFTER_SECONDS = 180;

/** The paper is on the feed already; carries where, so that pages can link the paper and its day. */
export class AlreadyListedError extends HttpError {
  constructor(
    readonly paperId: string,
    readonly listedOn: string,
    baseUrl: string,
  ) {
    super(
      409,
      'already_listed',
      `Paper ${paperId} is already on the daily feed: it was listed on ${listedOn} (${baseUrl}/papers/${paperId}).`,
    );
  }
}

/** Lists a paper for the viewer and returns it as the feed shows it (with its submitter). */
export async function submitPaper(
  context: SubmitContext,
  viewer: Viewer | null,
  request: SubmissionRequest,
): Promise<ListedPaper> {
  const user = requireMember(viewer, 'submit papers');
  const { store, config } = context;
  const reference = parseArxivReference(request.paperId);
  if (!reference.ok) throw new HttpError(400, 'invalid_id', `Cannot submit this paper: ${reference.reason}.`);
  const id = reference.value.id;
  const comment = requireField(normalizeSubmissionComment(request.comment ?? ''));
  const projectPage = requireField(normalizeProjectPage(request.projectPage ?? ''));
  const githubRepo = requireField(normalizeGithubRepo(request.githubRepo ?? ''));

  const now = context.now?.() ?? new Date();
  const today = dayInTimeZone(now, config.timeZone);
  const dailyQuota = user.isAdmin ? null : config.submissionsPerDay;
  if (dailyQuota !== null && (await store.countSubmissionsOn(user.id, today)) >= dailyQuota) {
    throw quotaError(dailyQuota, now, config.timeZone);
  }
  const listed = await store.getListing(id);
  if (listed) throw new AlreadyListedError(id, listed.listedOn, config.baseUrl);

  const stored = await store.getPaper(id);
  if (stored?.hiddenAt && !user.isAdmin) {
    throw new HttpError(403, 'forbidden', `Paper ${id} has been hidden by the moderators and cannot be submitted.`);
  }
  const record = stored ? null : await fetchFromArxiv(context, id);
  const firstVersionAt = stored ? stored.firstVersionAt : versionBounds(record!).firstVersionAt;
  if (!user.isAdmin && isOlderThanSubmissionWindow(firstVersionAt, id, now, config.submissionMaxAgeDays)) {
    const since = firstVersionAt ? `was first published on ${firstVersionAt.slice(0, 10)}` : 'is from before';
    throw new HttpError(
      403,
      'too_old',
      `Paper ${id} ${since}, more than ${config.submissionMaxAgeDays} days ago; only admins may submit older papers.`,
    );
  }

  const outcome = await store.submitPaper({
    record,
    listing: {
      paperId: id,
      listedOn: today,
      submittedAt: now.toISOString(),
      source: 'user',
      submittedByUserId: user.id,
      comment,
    },
    links: { githubRepo, projectPage },
    dailyQuota,
  });
  switch (outcome.kind) {
    case 'already-listed':
      throw new AlreadyListedError(id, outcome.listing.listedOn, config.baseUrl);
    case 'quota-exceeded':
      throw quotaError(dailyQuota ?? 0, now, config.timeZone);
    case 'paper-missing':
      throw new HttpError(409, 'conflict', `Paper ${id} was removed while you submitted it; please try again.`);
    case 'listed': {
      const { paper, listing } = await readPaper(store, id, true);
      return { paper, listing: listing! };
    }
  }
}

function requireField<T>(result: FieldResult<T>): T {
  if (!result.ok) throw new HttpError(400, 'invalid_parameter', `${capitalise(result.reason)}.`);
  return result.value;
}

function quotaError(quota: number, now: Date, timeZone: string): HttpError {
  const local = DateTime.fromJSDate(now, { zone: timeZone });
  const secondsToTomorrow = Math.max(1, Math.ceil(local.plus({ days: 1 }).startOf('day').diff(local).as('seconds')));
  return new HttpError(
    429,
    'quota_exceeded',
    `You have already submitted ${quota} ${quota === 1 ? 'paper' : 'papers'} today, the most one person may submit in a day; please try again tomorrow.`,
    { 'retry-after': String(secondsToTomorrow) },
  );
}

/** The paper's metadata from arXiv, or the refusal that explains why there is none. */
async function fetchFromArxiv(context: SubmitContext, id: string): Promise<PaperRecord> {
  let lookup: Awaited<ReturnType<ArxivApiClient['lookUpIds']>>;
  try {
    lookup = await context.arxiv.lookUpIds([id]);
  } catch (error) {
    if (error instanceof ArxivMalformedIdError) {
      throw new HttpError(400, 'invalid_id', `arXiv refused the id ${id} as malformed (${error.message}).`);
    }
    if (error instanceof ArxivUnavailableError) {
      context.onArxivTrouble?.(error);
      const seconds = Math.max(ARXIV_UNAVAILABLE_RETRY_AFTER_SECONDS, error.retryAfterSeconds ?? 0);
      throw new HttpError(
        503,
        'upstream_unavailable',
        `arXiv cannot be reached right now, so the details of paper ${id} cannot be fetched; please try again in a few minutes.`,
        { 'retry-after': String(seconds) },
      );
    }
    throw error;
  }
  const record = lookup.records.get(id);
  if (record) return record;
  if (lookup.rejected.length > 0) {
    context.onArxivTrouble?.(new Error(`arXiv's entry for ${id} could not be read: ${lookup.rejected[0]!.reason}`));
    throw new HttpError(
      503,
      'upstream_unavailable',
      `arXiv's record of paper ${id} could not be read; please try again in a few minutes.`,
      { 'retry-after': String(ARXIV_UNAVAILABLE_RETRY_AFTER_SECONDS) },
    );
  }
  throw new HttpError(404, 'paper_not_found', `arXiv does not know a paper ${id}; check the id and try again.`);
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
