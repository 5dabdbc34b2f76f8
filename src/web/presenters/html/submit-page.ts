/**
 * The model of the /submit page: who may use the form, what they entered (kept when a submission is refused, so
 * nobody retypes a link), the refusal in a sentence with links to follow, and the instance's rules in numbers.
 */
import type { HttpError } from '../../../commands/errors.ts';
import { AlreadyListedError } from '../../../commands/submit.ts';
import { MAX_ARXIV_REFERENCE_LENGTH } from '../../../domain/arxiv-reference.ts';
import { SUBMISSION_COMMENT_MAX_CHARS, SUBMISSION_LINK_MAX_CHARS } from '../../../domain/submission-fields.ts';
import type { Role } from '../../../policy/policy.ts';
import { dayPath, paperPath } from './paths.ts';

export interface SubmitFormValues {
  paperId: string;
  comment: string;
  projectPage: string;
  githubRepo: string;
}

export interface SubmitProblem {
  message: string;
  links: { href: string; label: string }[];
}

export interface SubmitPageModel {
  /** What the page offers: the form, a sign-in prompt, or the news that the account is suspended. */
  state: 'form' | 'sign-in' | 'banned';
  values: SubmitFormValues;
  problem: SubmitProblem | null;
  /** The sign-in page, returning here with the paper entered so far. */
  signInHref: string;
  /** Submissions a day for this person; null for admins (no limit). */
  perDay: number | null;
  maxAgeDays: number;
  isAdmin: boolean;
  limits: { paperId: number; comment: number; link: number };
}

export interface SubmitPageInput {
  role: Role;
  /** The form's fields as posted (or the query's paperId), whatever their shape. */
  values?: unknown;
  error?: HttpError | null;
  submissionsPerDay: number;
  submissionMaxAgeDays: number;
}

const FIELDS = ['paperId', 'comment', 'projectPage', 'githubRepo'] as const;

export function presentSubmitPage(input: SubmitPageInput): SubmitPageModel {
  const values = formValues(input.values);
  const state = input.role === 'anonymous' ? 'sign-in' : input.role === 'banned' ? 'banned' : 'form';
  const back = values.paperId.trim() ? `/submit?paperId=${encodeURIComponent(values.paperId.trim())}` : '/submit';
  return {
    state,
    values,
    problem: input.error ? problemOf(input.error) : null,
    signInHref: `/login?next=${encodeURIComponent(back)}`,
    perDay: input.role === 'admin' ? null : input.submissionsPerDay,
    maxAgeDays: input.submissionMaxAgeDays,
    isAdmin: input.role === 'admin',
    limits: {
      paperId: MAX_ARXIV_REFERENCE_LENGTH,
      comment: SUBMISSION_COMMENT_MAX_CHARS,
      link: SUBMISSION_LINK_MAX_CHARS,
    },
  };
}

/** The submitted fields as strings (a field given twice keeps its first value; anything else is empty). */
export function formValues(body: unknown): SubmitFormValues {
  const source = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const out: SubmitFormValues = { paperId: '', comment: '', projectPage: '', githubRepo: '' };
  for (const field of FIELDS) {
    const value = Array.isArray(source[field]) ? (source[field] as unknown[])[0] : source[field];
    if (typeof value === 'string') out[field] = value;
  }
  return out;
}

function problemOf(error: HttpError): SubmitProblem {
  if (error instanceof AlreadyListedError) {
    return {
      message: `Paper ${error.paperId} is already on the daily feed: it was listed on ${error.listedOn}.`,
      links: [
        { href: paperPath(error.paperId), label: `Open paper ${error.paperId}` },
        { href: dayPath(error.listedOn), label: `See the papers of ${error.listedOn}` },
      ],
    };
  }
  return { message: error.message, links: [] };
}
