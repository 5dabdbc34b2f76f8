/**
 * Upvotes over HTTP: the JSON API (`POST` and `DELETE /api/papers/{id}/upvote`, for scripts, clients and the
 * page's JavaScript) and the plain form (`POST /papers/{id}/upvote`, for browsers without JavaScript), each for both
 * id styles. Thin: schema -> policy (signed-in member) -> command (setUpvote) -> answer.
 */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requirePaperId } from '../../commands/paper.ts';
import { hasUpvoted, setUpvote } from '../../commands/upvotes.ts';
import { safeReturnPath } from '../../domain/return-path.ts';
import { requireMember } from '../../policy/policy.ts';
import type { WebContext } from '../app.ts';
import { RATE_LIMITS } from '../auth.ts';
import { paperPath } from '../presenters/html/paths.ts';
import { upvoteAnchor } from '../views/upvote-button.tsx';
import { ApiError } from './api-schemas.ts';
import { PaperSubParams, paperIdFromParams, paperSubRoutes } from './paper-paths.ts';

/** What the policy's refusal says the person wanted to do. */
const ACTION = 'upvote papers';

const VoteAnswer = Type.Object(
  {
    upvoted: Type.Boolean({ description: 'Whether the person now upvotes the paper' }),
    upvotes: Type.Integer({ minimum: 0, description: "The paper's upvote count after the change" }),
  },
  { description: 'The vote after the change' },
);

const API_RESPONSES = {
  200: VoteAnswer,
  400: { ...ApiError, description: 'The paper id is malformed' },
  401: { ...ApiError, description: 'Not signed in (no session or token, or a token that is unknown or revoked)' },
  403: { ...ApiError, description: 'A banned account, or a session request without a valid x-csrf-token header' },
  404: { ...ApiError, description: 'No such paper in the catalogue, or hidden by the moderators' },
  429: { ...ApiError, description: 'Too many votes in a short time; Retry-After says when to try again' },
};

const VoteForm = Type.Object({
  _csrf: Type.Optional(Type.String({ maxLength: 200 })),
  /** The page to come back to (a path on this site; anything else falls back to the paper's page). */
  next: Type.Optional(Type.String({ maxLength: 2000 })),
  /** What the form's button meant when the page was drawn; absent = toggle. Repeating a submission is harmless. */
  intent: Type.Optional(Type.Unsafe<'upvote' | 'remove'>({ type: 'string', enum: ['upvote', 'remove'] })),
});
type VoteForm = Static<typeof VoteForm>;

/** Registers the API and form routes for both id styles, sharing one rate-limit budget per person. */
export function registerVoteRoutes(app: FastifyInstance, context: WebContext): void {
  // One budget per person for every way of voting (API POST and DELETE, the form, both id styles): a per-route
  // `config.rateLimit` would count each of those six routes separately.
  const limits = context.config.rateLimits ? { preHandler: app.rateLimit(RATE_LIMITS.upvote) } : {};

  for (const { url, hide } of paperSubRoutes('/api/papers', 'upvote')) {
    app.post<{ Params: PaperSubParams }>(
      url,
      {
        schema: {
          hide,
          tags: ['upvotes'],
          summary: 'Upvote a paper (idempotent: a second upvote keeps one vote)',
          description:
            'Signed-in members only: a browser session with the x-csrf-token header, or Authorization: Bearer <token>.',
          params: PaperSubParams,
          response: API_RESPONSES,
        },
        ...limits,
      },
      (request) => vote(context, request, true),
    );
    app.delete<{ Params: PaperSubParams }>(
      url,
      {
        schema: {
          hide,
          tags: ['upvotes'],
          summary: 'Withdraw your upvote from a paper (idempotent)',
          description:
            'Signed-in members only: a browser session with the x-csrf-token header, or Authorization: Bearer <token>.',
          params: PaperSubParams,
          response: API_RESPONSES,
        },
        ...limits,
      },
      (request) => vote(context, request, false),
    );
  }

  for (const { url } of paperSubRoutes('/papers', 'upvote')) {
    app.post<{ Params: PaperSubParams; Body: VoteForm }>(
      url,
      { schema: { hide: true, params: PaperSubParams, body: VoteForm }, ...limits },
      (request, reply) => voteFromForm(context, request, reply),
    );
  }
}

async function vote(context: WebContext, request: FastifyRequest<{ Params: PaperSubParams }>, upvoted: boolean) {
  const user = requireMember(request.viewer, ACTION);
  return setUpvote(context.db, user, paperIdFromParams(request.params), upvoted);
}

/**
 * The no-JavaScript form: sets the vote the button meant (or toggles), then sends the browser back to the page it
 * came from, at the paper's button (303, so that reloading does not post again). Anonymous people are sent to sign
 * in first, and come back to the page.
 */
async function voteFromForm(
  context: WebContext,
  request: FastifyRequest<{ Params: PaperSubParams; Body: VoteForm }>,
  reply: FastifyReply,
) {
  const rawId = paperIdFromParams(request.params);
  const body = request.body ?? {};
  const next = safeReturnPath(body.next);
  if (!request.viewer) {
    return reply.redirect(`/login?next=${encodeURIComponent(next ?? paperPath(rawId))}`, 303);
  }
  const user = requireMember(request.viewer, ACTION);
  const { id } = requirePaperId(rawId);
  const want = body.intent === undefined ? !(await hasUpvoted(context.db, user, id)) : body.intent === 'upvote';
  await setUpvote(context.db, user, id, want);
  const back = next ?? paperPath(id);
  const anchored = back.includes('#') ? back : `${back}#${upvoteAnchor(id)}`;
  return reply.header('cache-control', 'no-store').redirect(anchored, 303);
}
