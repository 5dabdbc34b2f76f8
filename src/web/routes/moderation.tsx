/**
 * Moderation over HTTP, for admins only (anonymous 401, everyone else 403): the JSON API under /api/admin (feature
 * a paper on a day, hide or unhide a paper or a comment, ban or unban a person, read the audit log) and the admin
 * page /admin with a form for each action and the audit log, newest first. Forms answer 303 back to /admin with
 * what was done; a refused form re-renders the page with the reason.
 */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../../commands/errors.ts';
import {
  AUDIT_LOG_MAX_PAGE_SIZE,
  AUDIT_LOG_PAGE_SIZE,
  featurePaper,
  readAuditLog,
  setCommentHidden,
  setPaperHidden,
  setUserBanned,
} from '../../commands/moderation.ts';
import { requirePaperId } from '../../commands/paper.ts';
import { todayIn } from '../../domain/feed-period.ts';
import { requireAdmin } from '../../policy/policy.ts';
import type { AuditEntry } from '../../storage/moderation-store.ts';
import type { WebContext } from '../app.ts';
import { requirePageNumber } from '../presenters/html/paging.ts';
import { paperIdFromPath } from '../presenters/html/paths.ts';
import { pageContextFor, sendView } from '../render.ts';
import { type AdminNotice, AdminPage, AdminSignInPage } from '../views/admin-page.tsx';
import { ApiError } from './api-schemas.ts';
import { PaperSubParams, paperIdFromParams, paperSubRoutes } from './paper-paths.ts';

const MAX_COMMENT_ID = 2_147_483_647;
const ADMIN_PAGE_CACHE_CONTROL = 'private, no-cache';

const ADMIN_ERRORS = {
  400: ApiError,
  401: { ...ApiError, description: 'Not signed in' },
  403: { ...ApiError, description: 'Not an admin (or banned), or a session request without a valid x-csrf-token' },
  404: { ...ApiError, description: 'No such paper, comment or person' },
  409: ApiError,
};

const ReasonDescription = 'Optional JSON body {"reason": "..."} (at most 500 characters), kept in the audit log.';

const Outcome = Type.Object({
  action: Type.String({ description: 'e.g. paper.hide' }),
  target: Type.String(),
  changed: Type.Boolean({ description: 'False when it was already so (nothing written, no audit row)' }),
});

const FeatureBody = Type.Object({
  date: Type.String({ maxLength: 10, description: 'The feed day, YYYY-MM-DD' }),
  reason: Type.Optional(Type.String()),
});
type FeatureBody = Static<typeof FeatureBody>;

const CommentParams = Type.Object({ commentId: Type.Integer({ minimum: 1, maximum: MAX_COMMENT_ID }) });
type CommentParams = Static<typeof CommentParams>;
const UserParams = Type.Object({ username: Type.String({ minLength: 1, maxLength: 60 }) });
type UserParams = Static<typeof UserParams>;

const AuditQuery = Type.Object({
  p: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, description: 'Page, from 0' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: AUDIT_LOG_MAX_PAGE_SIZE })),
});
type AuditQuery = Static<typeof AuditQuery>;

const AuditEntrySchema = Type.Object({
  id: Type.Integer(),
  actor: Type.Object({ name: Type.String({ description: 'The admin username' }) }),
  action: Type.String(),
  targetType: Type.String(),
  targetId: Type.String(),
  detail: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Type.String(),
});

const AdminForm = Type.Object({
  _csrf: Type.Optional(Type.String({ maxLength: 200 })),
  paperId: Type.Optional(Type.String({ maxLength: 100 })),
  commentId: Type.Optional(Type.String({ maxLength: 20 })),
  username: Type.Optional(Type.String({ maxLength: 60 })),
  date: Type.Optional(Type.String({ maxLength: 20 })),
  reason: Type.Optional(Type.String({ maxLength: 2000 })),
  action: Type.Optional(Type.String({ maxLength: 20 })),
});
type AdminForm = Static<typeof AdminForm>;

/** What a finished form says on the admin page (`/admin?done=...&target=...`). */
const DONE_MESSAGES: Record<string, (target: string) => string> = {
  'paper.feature': (target) => `Paper ${target} is featured.`,
  'paper.hide': (target) => `Paper ${target} is hidden.`,
  'paper.unhide': (target) => `Paper ${target} is visible again.`,
  'comment.hide': (target) => `Comment ${target} is hidden.`,
  'comment.unhide': (target) => `Comment ${target} is visible again.`,
  'user.ban': (target) => `${target} is banned.`,
  'user.unban': (target) => `${target} is no longer banned.`,
};

/** Every admin route refuses anyone else before reading a byte of the body: 401 anonymous, 403 the rest. */
async function adminOnly(request: FastifyRequest): Promise<void> {
  requireAdmin(request.viewer, 'moderate');
}

export function registerModerationRoutes(app: FastifyInstance, context: WebContext): void {
  const { db } = context;

  for (const { url, hide } of paperSubRoutes('/api/admin/papers', 'feature')) {
    app.post<{ Params: PaperSubParams; Body: FeatureBody }>(
      url,
      {
        onRequest: adminOnly,
        schema: {
          hide,
          tags: ['moderation'],
          summary: "Feature a paper on a day's feed (lists it there, or moves its listing there)",
          params: PaperSubParams,
          body: FeatureBody,
          response: {
            200: Type.Object({
              paperId: Type.String(),
              listedOn: Type.String(),
              previousListedOn: Type.Union([Type.String(), Type.Null()]),
              changed: Type.Boolean(),
            }),
            ...ADMIN_ERRORS,
          },
        },
      },
      async (request) => {
        const { id } = requirePaperId(paperIdFromParams(request.params));
        return featurePaper(db, request.viewer, id, request.body.date, request.body.reason);
      },
    );
  }

  for (const [action, hidden] of [
    ['hide', true],
    ['unhide', false],
  ] as const) {
    for (const { url, hide } of paperSubRoutes('/api/admin/papers', action)) {
      app.post<{ Params: PaperSubParams }>(
        url,
        {
          onRequest: adminOnly,
          schema: {
            hide,
            tags: ['moderation'],
            summary: hidden
              ? 'Hide a paper (gone from feeds; its page and API answer 404 except for admins)'
              : 'Show a hidden paper again',
            description: ReasonDescription,
            params: PaperSubParams,
            response: { 200: Outcome, ...ADMIN_ERRORS },
          },
        },
        async (request) => {
          const { id } = requirePaperId(paperIdFromParams(request.params));
          const { changed } = await setPaperHidden(db, request.viewer, id, hidden, reasonFrom(request.body));
          return { action: `paper.${action}`, target: id, changed };
        },
      );
    }
    app.post<{ Params: CommentParams }>(
      `/api/admin/comments/:commentId/${action}`,
      {
        onRequest: adminOnly,
        schema: {
          tags: ['moderation'],
          summary: hidden
            ? 'Hide a comment (shown as "[hidden by moderators]", no longer counted)'
            : 'Show a hidden comment again',
          description: ReasonDescription,
          params: CommentParams,
          response: { 200: Outcome, ...ADMIN_ERRORS },
        },
      },
      async (request) => {
        const { commentId } = request.params;
        const { changed } = await setCommentHidden(db, request.viewer, commentId, hidden, reasonFrom(request.body));
        return { action: `comment.${action}`, target: String(commentId), changed };
      },
    );
  }

  for (const [action, banned] of [
    ['ban', true],
    ['unban', false],
  ] as const) {
    app.post<{ Params: UserParams }>(
      `/api/admin/users/:username/${action}`,
      {
        onRequest: adminOnly,
        schema: {
          tags: ['moderation'],
          summary: banned ? 'Ban a person (their writes are refused; they can still read and sign out)' : 'Lift a ban',
          description: ReasonDescription,
          params: UserParams,
          response: { 200: Outcome, ...ADMIN_ERRORS },
        },
      },
      async (request) => {
        const outcome = await setUserBanned(
          db,
          request.viewer,
          request.params.username,
          banned,
          reasonFrom(request.body),
        );
        return { action: `user.${action}`, target: outcome.username, changed: outcome.changed };
      },
    );
  }

  app.get<{ Querystring: AuditQuery }>(
    '/api/admin/audit-log',
    {
      onRequest: adminOnly,
      schema: {
        tags: ['moderation'],
        summary: 'The audit log of admin actions, newest first',
        querystring: AuditQuery,
        response: {
          200: Type.Object({
            entries: Type.Array(AuditEntrySchema),
            total: Type.Integer(),
            page: Type.Integer(),
            limit: Type.Integer(),
          }),
          ...ADMIN_ERRORS,
        },
      },
    },
    async (request, reply) => {
      const log = await readAuditLog(
        db,
        request.viewer,
        request.query.p ?? 0,
        request.query.limit ?? AUDIT_LOG_PAGE_SIZE,
      );
      reply.header('cache-control', 'no-store');
      return { ...log, entries: log.entries.map(presentAuditEntry) };
    },
  );

  // The admin page and its forms.
  app.get('/admin', async (request, reply) => {
    if (!request.viewer) {
      return sendView(reply, {
        status: 401,
        cacheControl: 'no-store',
        page: pageContextFor(request, reply, context),
        view: <AdminSignInPage />,
      });
    }
    requireAdmin(request.viewer, 'moderate');
    const page = requirePageNumber((request.query as Record<string, unknown>).p);
    return showAdminPage(context, request, reply, 200, doneNotice(request.query as Record<string, unknown>), page);
  });

  const formOptions = {
    onRequest: adminOnly,
    schema: { hide: true, body: AdminForm },
    errorHandler: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) =>
      adminFormRefusal(context, error, request, reply),
  };

  app.post<{ Body: AdminForm }>('/admin/feature', formOptions, async (request, reply) => {
    const { id } = requirePaperId(paperIdFromPath((request.body.paperId ?? '').trim()));
    const result = await featurePaper(db, request.viewer, id, request.body.date ?? '', request.body.reason);
    return redirectDone(reply, 'paper.feature', `${id} on ${result.listedOn}`, result.changed);
  });

  app.post<{ Body: AdminForm }>('/admin/paper-visibility', formOptions, async (request, reply) => {
    const hidden = requireChoice(request.body.action, 'hide', 'unhide');
    const { id } = requirePaperId(paperIdFromPath((request.body.paperId ?? '').trim()));
    const { changed } = await setPaperHidden(db, request.viewer, id, hidden, request.body.reason);
    return redirectDone(reply, hidden ? 'paper.hide' : 'paper.unhide', id, changed);
  });

  app.post<{ Body: AdminForm }>('/admin/comment-visibility', formOptions, async (request, reply) => {
    const hidden = requireChoice(request.body.action, 'hide', 'unhide');
    const raw = (request.body.commentId ?? '').trim().replace(/^#?(comment-)?/, '');
    if (!/^\d{1,10}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_COMMENT_ID) {
      throw new HttpError(400, 'invalid_parameter', 'Give the comment number (as in #comment-123).');
    }
    const { changed } = await setCommentHidden(db, request.viewer, Number(raw), hidden, request.body.reason);
    return redirectDone(reply, hidden ? 'comment.hide' : 'comment.unhide', raw, changed);
  });

  app.post<{ Body: AdminForm }>('/admin/user-ban', formOptions, async (request, reply) => {
    const banned = requireChoice(request.body.action, 'ban', 'unban');
    const outcome = await setUserBanned(db, request.viewer, request.body.username ?? '', banned, request.body.reason);
    return redirectDone(reply, banned ? 'user.ban' : 'user.unban', outcome.username, outcome.changed);
  });
}

async function showAdminPage(
  context: WebContext,
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  notice: AdminNotice | null,
  page = 1,
) {
  const log = await readAuditLog(context.db, request.viewer, page - 1);
  return sendView(reply, {
    status,
    cacheControl: ADMIN_PAGE_CACHE_CONTROL,
    page: pageContextFor(request, reply, context),
    view: <AdminPage log={log} notice={notice} today={todayIn(context.config.timeZone)} />,
  });
}

/** A refused admin form: the admin page again, with the reason on top (non-admins get the app's error page). */
async function adminFormRefusal(
  context: WebContext,
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  const viewer = request.viewer;
  if (!viewer?.user.isAdmin || viewer.user.bannedAt !== null) throw error;
  let refusal: HttpError | null = error instanceof HttpError ? error : null;
  if (!refusal && error.validation) {
    refusal = new HttpError(400, 'invalid_parameter', 'The form was not filled in as expected; please try again.');
  }
  if (!refusal) throw error;
  return showAdminPage(context, request, reply, refusal.statusCode, { kind: 'error', text: refusal.message });
}

function redirectDone(reply: FastifyReply, action: string, target: string, changed: boolean) {
  const query = new URLSearchParams({ done: action, target });
  if (!changed) query.set('unchanged', '1');
  return reply.header('cache-control', 'no-store').redirect(`/admin?${query.toString()}`, 303);
}

function doneNotice(query: Record<string, unknown>): AdminNotice | null {
  const done = typeof query.done === 'string' ? DONE_MESSAGES[query.done] : undefined;
  if (!done) return null;
  const target = typeof query.target === 'string' ? query.target.slice(0, 120) : '';
  const text = done(target);
  return query.unchanged === '1'
    ? { kind: 'done', text: `Nothing to change: ${lowerFirst(text)}` }
    : { kind: 'done', text };
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}

function requireChoice(value: string | undefined, yes: string, no: string): boolean {
  if (value === yes) return true;
  if (value === no) return false;
  throw new HttpError(400, 'invalid_parameter', `Choose ${yes} or ${no}.`);
}

/** The optional `reason` of a JSON body (any other shape is a 400). */
function reasonFrom(body: unknown): string | null {
  if (body === undefined || body === null) return null;
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new HttpError(400, 'invalid_parameter', 'The body must be a JSON object such as {"reason": "spam"}.');
  }
  const reason = (body as Record<string, unknown>).reason;
  if (reason === undefined || reason === null) return null;
  if (typeof reason !== 'string') throw new HttpError(400, 'invalid_parameter', "'reason' must be a string.");
  return reason;
}

function presentAuditEntry(entry: AuditEntry) {
  return {
    id: entry.id,
    actor: { name: entry.actor.username },
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    detail: entry.detail,
    createdAt: entry.createdAt,
  };
}
