/**
 * Submitting papers: `POST /api/papers/submit` (JSON; Bearer token, or session cookie with CSRF header) and the
 * /submit page with its plain form. Both run the same command (commands/submit.ts); the form shows any refusal on
 * the form itself, with what was entered, never on a bare error page.
 */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../../commands/errors.ts';
import { type SubmitContext, submitPaper } from '../../commands/submit.ts';
import { MAX_ARXIV_REFERENCE_LENGTH } from '../../domain/arxiv-reference.ts';
import { SUBMISSION_COMMENT_MAX_CHARS, SUBMISSION_LINK_MAX_CHARS } from '../../domain/submission-fields.ts';
import { roleOf } from '../../policy/policy.ts';
import type { WebContext } from '../app.ts';
import { RATE_LIMITS, rateLimit } from '../auth.ts';
import { presentDailyItem } from '../presenters/hf-json.ts';
import { paperPath } from '../presenters/html/paths.ts';
import { formValues, presentSubmitPage } from '../presenters/html/submit-page.ts';
import { pageContextFor, sendView } from '../render.ts';
import { SubmitPageView } from '../views/submit-page.tsx';

/** Optional text fields: clients may leave them out or send null. */
const optionalText = (maxLength: number, description: string) =>
  Type.Optional(Type.Union([Type.String({ maxLength }), Type.Null()], { description }));

const SubmitBody = Type.Object({
  paperId: Type.String({
    minLength: 1,
    maxLength: MAX_ARXIV_REFERENCE_LENGTH,
    description:
      'The paper as pasted: 2206.00927, 2206.00927v2, arXiv:2206.00927, hep-th/9901001, or a link to arxiv.org/abs, arxiv.org/pdf or huggingface.co/papers',
  }),
  comment: optionalText(SUBMISSION_COMMENT_MAX_CHARS, 'Why the paper is worth reading, shown on the feed'),
  projectPage: optionalText(SUBMISSION_LINK_MAX_CHARS, "The paper's project page, an http(s) URL"),
  githubRepo: optionalText(SUBMISSION_LINK_MAX_CHARS, 'Its code, as https://github.com/owner/repo'),
});
type SubmitBody = Static<typeof SubmitBody>;

/** The form posts strings; lengths and shapes are checked by the command, so refusals appear on the form. */
const SubmitForm = Type.Object({
  paperId: Type.Optional(Type.Unknown()),
  comment: Type.Optional(Type.Unknown()),
  projectPage: Type.Optional(Type.Unknown()),
  githubRepo: Type.Optional(Type.Unknown()),
});

const SubmitPageQuery = Type.Object({ paperId: Type.Optional(Type.String({ maxLength: MAX_ARXIV_REFERENCE_LENGTH })) });
type SubmitPageQuery = Static<typeof SubmitPageQuery>;

/** The form page depends on who asks; never cached by others. */
const SUBMIT_PAGE_CACHE_CONTROL = 'private, no-cache';

export function registerSubmissionRoutes(app: FastifyInstance, context: WebContext): void {
  const commandContext = (request: FastifyRequest): SubmitContext => ({
    store: context.store,
    arxiv: context.arxiv,
    config: context.config,
    onArxivTrouble: (error) => request.log.warn({ err: error }, 'arXiv API unavailable for a submission'),
  });

  app.post<{ Body: SubmitBody }>(
    '/api/papers/submit',
    {
      schema: {
        tags: ['submissions'],
        summary: 'Submit a paper to the daily feed',
        description:
          "Lists an arXiv paper on today's feed (the instance's time zone) for the signed-in person, fetching its metadata from arXiv when it is not in the catalogue. Answers 201 with the daily item. Refusals: 400 malformed reference or field, 401 not signed in, 403 banned or paper older than the submission window (admins only), 404 unknown to arXiv, 409 already listed, 429 daily quota or rate limit (Retry-After), 503 arXiv unreachable (Retry-After). Authenticate with Authorization: Bearer <token>, or a session cookie plus the x-csrf-token header.",
        body: SubmitBody,
      },
      config: { ...rateLimit(context.config, RATE_LIMITS.submit) },
    },
    async (request, reply) => {
      const listed = await submitPaper(commandContext(request), request.viewer, request.body);
      return reply
        .status(201)
        .header('cache-control', 'no-store')
        .header('location', `${context.config.baseUrl}/api/papers/${listed.paper.id}`)
        .send(presentDailyItem(listed, context.config.baseUrl));
    },
  );

  const showForm = (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    values: unknown,
    error: HttpError | null,
  ) => {
    const page = presentSubmitPage({
      role: roleOf(request.viewer),
      values,
      error,
      submissionsPerDay: context.config.submissionsPerDay,
      submissionMaxAgeDays: context.config.submissionMaxAgeDays,
    });
    if (error) for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
    return sendView(reply, {
      status,
      cacheControl: SUBMIT_PAGE_CACHE_CONTROL,
      view: <SubmitPageView page={page} />,
      page: pageContextFor(request, reply, context),
    });
  };

  app.get<{ Querystring: SubmitPageQuery }>('/submit', { schema: { querystring: SubmitPageQuery } }, (request, reply) =>
    showForm(request, reply, 200, { paperId: request.query.paperId ?? '' }, null),
  );

  app.post(
    '/submit',
    {
      schema: { body: SubmitForm },
      config: { ...rateLimit(context.config, RATE_LIMITS.submit) },
      // Refusals from the command, the CSRF check and the rate limit come back as the form, with what was entered.
      errorHandler: (error: FastifyError, request, reply) => {
        if (!(error instanceof HttpError)) throw error;
        return showForm(request, reply, error.statusCode, request.body, error);
      },
    },
    async (request, reply) => {
      const values = formValues(request.body);
      const listed = await submitPaper(commandContext(request), request.viewer, values);
      return reply.header('cache-control', 'no-store').redirect(paperPath(listed.paper.id), 303);
    },
  );
}
