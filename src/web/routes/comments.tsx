/**
 * Discussion over HTTP. The JSON API (`GET`/`POST /api/papers/{id}/comments`, `PATCH`/`DELETE /api/comments/{id}`)
 * for scripts and clients, and plain HTML forms for browsers without JavaScript (`POST /papers/{id}/comments`,
 * `/comments/{id}/edit`, `/delete`, `/hide`, `/unhide`), which answer 303 back to the comment on its paper's page.
 * Thin: schema -> policy and command (commands/comments.ts, commands/moderation.ts) -> presenter.
 *
 * A refused form (empty or too long, signed out meanwhile, an expired CSRF token, too many comments at once) never
 * loses what the person typed: the answer is a page with the message and their text in the form again.
 */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  deleteComment,
  editComment,
  listComments,
  postComment,
  readThread,
  requireComment,
} from '../../commands/comments.ts';
import { HttpError } from '../../commands/errors.ts';
import { setCommentHidden } from '../../commands/moderation.ts';
import { requirePaperId } from '../../commands/paper.ts';
import { COMMENT_MAX_CHARS } from '../../domain/comments.ts';
import { KyselyCommentStore } from '../../storage/comment-store.ts';
import type { WebContext } from '../app.ts';
import { RATE_LIMITS, rateLimit } from '../auth.ts';
import { presentCommentList, presentThreadCommentById } from '../presenters/comment-json.ts';
import { commentAnchor } from '../presenters/html/discussion.ts';
import { paperPath } from '../presenters/html/paths.ts';
import { pageContextFor, sendView } from '../render.ts';
import { CommentRefusalPage } from '../views/comment-refusal-page.tsx';
import { ApiError } from './api-schemas.ts';
import { PaperSubParams, paperIdFromParams, paperSubRoutes } from './paper-paths.ts';

/** Comment ids are database integers: anything larger cannot name a comment (and must not reach PostgreSQL). */
const MAX_COMMENT_ID = 2_147_483_647;
/** The request body limit the app enforces (app.ts), named in the 413 message. */
const BODY_LIMIT_MIB = 1;
/** Anonymous comment lists may be reused briefly by clients and proxies, in seconds. */
const COMMENTS_CACHE_SECONDS = 30;

const CommentParams = Type.Object({
  commentId: Type.Integer({ minimum: 1, maximum: MAX_COMMENT_ID, description: 'The comment id' }),
});
type CommentParams = Static<typeof CommentParams>;

const BodyField = Type.String({
  description: `Markdown with $math$ and $$display math$$; trimmed; 1 to ${COMMENT_MAX_CHARS} characters`,
});

const NewCommentBody = Type.Object({
  body: BodyField,
  parentId: Type.Optional(
    Type.Union([Type.Integer({ minimum: 1, maximum: MAX_COMMENT_ID }), Type.Null()], {
      description: 'The comment this replies to (on the same paper); absent or null for a top-level comment',
    }),
  ),
});
type NewCommentBody = Static<typeof NewCommentBody>;

const EditCommentBody = Type.Object({ body: BodyField });
type EditCommentBody = Static<typeof EditCommentBody>;

const CommentJsonSchema = Type.Object({
  id: Type.Integer(),
  paperId: Type.String(),
  parentId: Type.Union([Type.Integer(), Type.Null()]),
  depth: Type.Integer({ description: '0 for a top-level comment, 1 for a reply to one, and so on' }),
  author: Type.Object({
    name: Type.String({ description: 'The username' }),
    fullname: Type.String(),
    avatarUrl: Type.String(),
  }),
  body: Type.Union([Type.String(), Type.Null()], {
    description: 'The Markdown; null when deleted, or hidden (except for admins)',
  }),
  html: Type.Union([Type.String(), Type.Null()], { description: 'The body rendered and sanitised; null with body' }),
  createdAt: Type.String({ description: 'ISO 8601 UTC' }),
  editedAt: Type.Union([Type.String(), Type.Null()]),
  deleted: Type.Boolean(),
  hidden: Type.Boolean({ description: 'Hidden by the moderators' }),
});

const CommentListSchema = Type.Object({
  paperId: Type.String(),
  numComments: Type.Integer({ description: 'Visible comments (neither deleted nor hidden)' }),
  comments: Type.Array(CommentJsonSchema, {
    description: 'Flat, in thread order: each comment followed by its replies, oldest first at every level',
  }),
});

const WRITE_ERRORS = {
  400: { ...ApiError, description: 'Empty or longer than 20,000 characters, or a parentId not on this paper' },
  401: { ...ApiError, description: 'Not signed in (no session or token, or a token that is unknown or revoked)' },
  403: {
    ...ApiError,
    description: "A banned account, someone else's comment, or a session request without a valid x-csrf-token",
  },
  404: { ...ApiError, description: 'No such paper or comment (or hidden by the moderators)' },
  409: { ...ApiError, description: 'The comment (or the one replied to) was deleted or hidden' },
  413: { ...ApiError, description: 'The request body is larger than 1 MiB' },
  429: { ...ApiError, description: 'Too many comments in a short time; Retry-After says when to try again' },
};

const CommentForm = Type.Object({
  _csrf: Type.Optional(Type.String({ maxLength: 200 })),
  body: Type.Optional(Type.String()),
  parentId: Type.Optional(Type.String({ maxLength: 20 })),
});
type CommentForm = Static<typeof CommentForm>;

const CommentAction = Type.Unsafe<'edit' | 'delete' | 'hide' | 'unhide'>({
  type: 'string',
  enum: ['edit', 'delete', 'hide', 'unhide'],
});

const ActionForm = Type.Object({ _csrf: Type.Optional(Type.String({ maxLength: 200 })) });

export function registerCommentRoutes(app: FastifyInstance, context: WebContext): void {
  const limits = rateLimit(context.config, RATE_LIMITS.comment);
  const { db, store, config } = context;

  for (const { url, hide } of paperSubRoutes('/api/papers', 'comments')) {
    app.get<{ Params: PaperSubParams }>(
      url,
      {
        schema: {
          hide,
          tags: ['comments'],
          summary: "A paper's discussion: every comment, flat in thread order",
          description:
            'Deleted comments keep their place with body and html null (so replies keep their parent); comments ' +
            'hidden by the moderators too, except for admins. Public; 404 for unknown or hidden papers.',
          params: PaperSubParams,
          response: { 200: CommentListSchema, 400: ApiError, 404: ApiError },
        },
        config: { responseCache: true },
      },
      async (request, reply) => {
        const { id } = requirePaperId(paperIdFromParams(request.params));
        const thread = await listComments(db, store, request.viewer, id);
        reply.header(
          'cache-control',
          request.viewer ? 'private, no-cache' : `public, max-age=${COMMENTS_CACHE_SECONDS}`,
        );
        return presentCommentList(thread, config.baseUrl);
      },
    );

    app.post<{ Params: PaperSubParams; Body: NewCommentBody }>(
      url,
      {
        schema: {
          hide,
          tags: ['comments'],
          summary: 'Comment on a paper, or reply to a comment (parentId)',
          description:
            'Signed-in members only: a browser session with the x-csrf-token header, or Authorization: Bearer <token>.',
          params: PaperSubParams,
          body: NewCommentBody,
          response: { 201: CommentJsonSchema, ...WRITE_ERRORS },
        },
        config: limits,
        errorHandler: explainBodyLimit,
      },
      async (request, reply) => {
        const { id } = requirePaperId(paperIdFromParams(request.params));
        const comment = await postComment(db, request.viewer, id, request.body);
        reply.status(201).header('location', `${paperPath(id)}#${commentAnchor(comment.id)}`);
        return presentWritten(context, request, comment.paperId, comment.id);
      },
    );
  }

  app.patch<{ Params: CommentParams; Body: EditCommentBody }>(
    '/api/comments/:commentId',
    {
      schema: {
        tags: ['comments'],
        summary: 'Edit your own comment (it shows as edited)',
        params: CommentParams,
        body: EditCommentBody,
        response: { 200: CommentJsonSchema, ...WRITE_ERRORS },
      },
      config: limits,
      errorHandler: explainBodyLimit,
    },
    async (request) => {
      const comment = await editComment(db, request.viewer, request.params.commentId, request.body.body);
      return presentWritten(context, request, comment.paperId, comment.id);
    },
  );

  app.delete<{ Params: CommentParams }>(
    '/api/comments/:commentId',
    {
      schema: {
        tags: ['comments'],
        summary: 'Delete your own comment (soft: its text is erased, its place in the thread stays)',
        params: CommentParams,
        response: { 200: CommentJsonSchema, ...WRITE_ERRORS },
      },
    },
    async (request) => {
      const comment = await deleteComment(db, request.viewer, request.params.commentId);
      return presentWritten(context, request, comment.paperId, comment.id);
    },
  );

  // The HTML forms. Each refusal of a form with text comes back as a page holding the text (see formRefusal).
  for (const { url } of paperSubRoutes('/papers', 'comments')) {
    // Reloading a refusal page asks for the form's address: send the person to the discussion itself.
    app.get<{ Params: PaperSubParams }>(url, { schema: { hide: true, params: PaperSubParams } }, (request, reply) => {
      const { id } = requirePaperId(paperIdFromParams(request.params));
      return reply.redirect(`${paperPath(id)}#discussion`, 302);
    });
    app.post<{ Params: PaperSubParams; Body: CommentForm }>(
      url,
      {
        schema: { hide: true, params: PaperSubParams, body: CommentForm },
        config: limits,
        errorHandler: (error, request, reply) => formRefusal(context, error, request, reply),
      },
      async (request, reply) => {
        const { id } = requirePaperId(paperIdFromParams(request.params));
        const comment = await postComment(db, request.viewer, id, {
          body: request.body.body ?? '',
          parentId: formParentId(request.body.parentId),
        });
        return redirectToComment(reply, id, comment.id);
      },
    );
  }

  app.post<{ Params: CommentParams; Body: CommentForm }>(
    '/comments/:commentId/edit',
    {
      schema: { hide: true, params: CommentParams, body: CommentForm },
      config: limits,
      errorHandler: (error, request, reply) => formRefusal(context, error, request, reply),
    },
    async (request, reply) => {
      const comment = await editComment(db, request.viewer, request.params.commentId, request.body.body ?? '');
      return redirectToComment(reply, comment.paperId, comment.id);
    },
  );

  // The same for the forms under a comment: GET leads to the comment on its paper's page.
  app.get<{ Params: CommentParams & { action: string } }>(
    '/comments/:commentId/:action',
    { schema: { hide: true, params: Type.Object({ ...CommentParams.properties, action: CommentAction }) } },
    async (request, reply) => {
      const comment = await requireComment(new KyselyCommentStore(db), request.viewer, request.params.commentId);
      return reply.redirect(`${paperPath(comment.paperId)}#${commentAnchor(comment.id)}`, 302);
    },
  );

  app.post<{ Params: CommentParams }>(
    '/comments/:commentId/delete',
    { schema: { hide: true, params: CommentParams, body: ActionForm } },
    async (request, reply) => {
      const comment = await deleteComment(db, request.viewer, request.params.commentId);
      return redirectToComment(reply, comment.paperId, comment.id);
    },
  );

  for (const [action, hidden] of [
    ['hide', true],
    ['unhide', false],
  ] as const) {
    app.post<{ Params: CommentParams }>(
      `/comments/:commentId/${action}`,
      { schema: { hide: true, params: CommentParams, body: ActionForm } },
      async (request, reply) => {
        const { paperId } = await setCommentHidden(db, request.viewer, request.params.commentId, hidden);
        return redirectToComment(reply, paperId, request.params.commentId);
      },
    );
  }
}

/** The comment as the thread now shows it to the person who wrote it. */
async function presentWritten(context: WebContext, request: FastifyRequest, paperId: string, commentId: number) {
  const thread = await readThread(context.db, request.viewer, paperId);
  const json = presentThreadCommentById(thread, commentId, context.config.baseUrl);
  if (!json) throw new HttpError(404, 'comment_not_found', `There is no comment ${commentId}.`);
  return json;
}

function redirectToComment(reply: FastifyReply, paperId: string, commentId: number) {
  return reply.header('cache-control', 'no-store').redirect(`${paperPath(paperId)}#${commentAnchor(commentId)}`, 303);
}

function formParentId(raw: string | undefined): number | null {
  if (raw === undefined || raw.trim() === '') return null;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value < 1 || value > MAX_COMMENT_ID) {
    throw new HttpError(400, 'invalid_parameter', `'${raw.slice(0, 20)}' is not a comment id.`);
  }
  return value;
}

/** Fastify's own 413 says only "Request body is too large": say what the limit is and what fits in it. */
function explainBodyLimit(error: FastifyError) {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    throw new HttpError(
      413,
      'payload_too_large',
      `The request body is larger than ${BODY_LIMIT_MIB} MiB; a comment has at most ${COMMENT_MAX_CHARS.toLocaleString('en')} characters.`,
    );
  }
  throw error;
}

/**
 * Answers a refused comment form with a page that says why and gives the person their text back (in the form,
 * ready to send again, when they may; to copy otherwise). Errors without a text to keep go to the app's handler.
 */
async function formRefusal(context: WebContext, error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const form = request.body as CommentForm | undefined;
  const text = typeof form?.body === 'string' ? form.body : null;
  if (text === null) return explainBodyLimit(error);
  const refusal = asRefusal(error);
  if (!refusal) throw error;
  for (const [name, value] of Object.entries(refusal.headers)) reply.header(name, value);
  const target = await formTarget(context, request);
  const viewer = request.viewer;
  const canRetry = viewer !== null && viewer.user.bannedAt === null && refusal.statusCode !== 404;
  return sendView(reply, {
    status: refusal.statusCode,
    cacheControl: 'no-store',
    page: pageContextFor(request, reply, context),
    view: (
      <CommentRefusalPage
        message={refusal.message}
        text={text}
        action={canRetry ? target.action : null}
        parentId={target.parentId}
        paperHref={target.paperHref}
        signInHref={viewer ? null : `/login?next=${encodeURIComponent(target.paperHref ?? '/')}`}
      />
    ),
  });
}

function asRefusal(error: FastifyError): HttpError | null {
  if (error instanceof HttpError) return error;
  if (error.validation) {
    return new HttpError(400, 'invalid_parameter', 'The form was not filled in as expected; please try again.');
  }
  return null;
}

/** Where the refused form posted, and the paper page to go back to. */
async function formTarget(
  context: WebContext,
  request: FastifyRequest,
): Promise<{ action: string; parentId: string | null; paperHref: string | null }> {
  const form = request.body as CommentForm | undefined;
  const action = request.url.split('?')[0]!;
  const parentId = form?.parentId && /^\d{1,10}$/.test(form.parentId) ? form.parentId : null;
  const editMatch = /^\/comments\/(\d{1,10})\//.exec(action);
  if (editMatch) {
    const comment = await new KyselyCommentStore(context.db).get(Number(editMatch[1]));
    return { action, parentId: null, paperHref: comment ? paperPath(comment.paperId) : null };
  }
  const paperHref = action.replace(/\/comments$/, '');
  return { action, parentId, paperHref };
}
