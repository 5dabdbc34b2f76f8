/**
 * Digest subscriptions on the web: `POST /api/subscriptions` (JSON), the subscribe form (`/subscribe`, posting to
 * `/subscriptions`), the confirmation link (`/subscriptions/confirm`: a page with one button, since mail scanners
 * open links) and the unsubscribe link (`/subscriptions/unsubscribe?s=&t=`: a page with one button, and the
 * RFC 8058 one-click POST that mail clients send without cookies or CSRF token; the signed link is the
 * credential). Signed-in people manage theirs: `GET /api/subscriptions`, `DELETE /api/subscriptions/{id}`, the
 * settings forms `/settings/subscriptions/{id}/unsubscribe` and `/resume`, and `/subscribe?edit={id}` (the form,
 * prefilled) to change topics and cadence; a subscription of their own account address takes effect at once.
 * Routes parse, run a command from commands/subscriptions.ts and render; they decide nothing.
 */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import { HttpError } from '../../commands/errors.ts';
import {
  checkConfirmationLink,
  checkUnsubscribeLink,
  confirmSubscription,
  findOwnSubscription,
  listOwnSubscriptions,
  resumeOwn,
  type SubscriptionDeps,
  subscribe,
  topicsFromForm,
  unsubscribeOwn,
  unsubscribeWithLink,
} from '../../commands/subscriptions.ts';
import { requireSignedIn } from '../../policy/policy.ts';
import { SubscriptionSettingsStore } from '../../storage/subscription-settings.ts';
import { KyselySubscriptionStore, type Subscription } from '../../storage/subscription-store.ts';
import type { WebContext } from '../app.ts';
import { RATE_LIMITS, rateLimit } from '../auth.ts';
import { SubscriptionJson, subscriptionJson } from '../presenters/subscription-json.ts';
import { pageContextFor, renderPage } from '../render.ts';
import type { PageContextValue } from '../views/page-context.ts';
import {
  ConfirmSubscriptionView,
  SubscribeFormView,
  SubscriptionDoneView,
  SubscriptionInboxView,
  UnsubscribePageView,
} from '../views/subscription-pages.tsx';

/** Pages carrying a secret link or a form are never stored by caches. */
const NO_STORE = 'no-store';
/** Longest address echoed back into the form after a refusal, in characters. */
const ECHO_MAX_LENGTH = 300;
/** Longest topic list echoed back into the form after a refusal, in characters (20 items of up to 100). */
const TOPICS_ECHO_MAX_LENGTH = 2100;

const ApiBody = Type.Object({
  // Optional in the schema so that a missing field is refused by the command, with its sentence.
  email: Type.Optional(Type.String({ maxLength: 1000, description: 'the address to mail the digest to' })),
  cadence: Type.Optional(Type.String({ description: '"daily" (weekdays) or "weekly"' })),
  weeklyDay: Type.Optional(Type.Integer({ description: 'for weekly digests: 0 (Sunday) to 6; default 1 (Monday)' })),
  topics: Type.Optional(
    Type.Unknown({
      description:
        'optional {categories: ["cs.LG"], authors: ["Ada Lovelace"], keywords: ["diffusion"]}, at most 20 of each',
    }),
  ),
});
const FormBody = Type.Object(
  {
    email: Type.Optional(Type.String()),
    cadence: Type.Optional(Type.String()),
    weeklyDay: Type.Optional(Type.String()),
    categories: Type.Optional(Type.String()),
    authors: Type.Optional(Type.String()),
    keywords: Type.Optional(Type.String()),
    replaces: Type.Optional(Type.String()),
    _csrf: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
const FormQuery = Type.Object(
  {
    email: Type.Optional(Type.String()),
    cadence: Type.Optional(Type.String()),
    edit: Type.Optional(Type.String({ maxLength: 20 })),
  },
  { additionalProperties: true },
);
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const ListAnswer = Type.Object({ subscriptions: Type.Array(SubscriptionJson) });
const DeleteAnswer = Type.Object({ subscription: SubscriptionJson, message: Type.String() });
/** Sentences for the settings page after its subscription forms (`/settings?done=...`). */
export const SUBSCRIPTION_NOTICES = {
  subscribed: 'Subscribed: the digest goes to your address from the next one on.',
  'subscription-saved': 'Your subscription is saved: the next digest uses the new settings.',
  unsubscribed: 'Unsubscribed: no more digests will be sent for that subscription.',
  resumed: 'Resumed: the next digest will be sent to the address again.',
} as const;
const TokenQuery = Type.Object({ token: Type.Optional(Type.String()) }, { additionalProperties: true });
const TokenBody = Type.Object(
  { token: Type.Optional(Type.String()), _csrf: Type.Optional(Type.String()) },
  { additionalProperties: true },
);
const UnsubscribeQuery = Type.Object(
  { s: Type.Optional(Type.String()), t: Type.Optional(Type.String()) },
  { additionalProperties: true },
);

export function registerSubscriptionRoutes(app: FastifyInstance, context: WebContext): void {
  const { config } = context;
  const subscriptions = new KyselySubscriptionStore(context.db);
  const deps: SubscriptionDeps = {
    subscriptions,
    settings: new SubscriptionSettingsStore(context.db),
    mailer: context.mailer,
    config,
    logError: (fields, message) => app.log.error(fields, message),
  };
  const page = (request: FastifyRequest, reply: FastifyReply, withForm = false) =>
    pageContextFor(request, reply, context, { withForm });

  app.post<{ Body: Static<typeof ApiBody> }>(
    '/api/subscriptions',
    {
      schema: {
        tags: ['subscriptions'],
        summary:
          "Subscribe an address to the daily or weekly digest: 202 whether or not it was known, and it starts when the mailed link is confirmed; 201 with the subscription, active at once, when it is the signed-in person's own account address",
        body: ApiBody,
      },
      config: rateLimit(config, RATE_LIMITS.subscribe),
    },
    async (request, reply) => {
      const answer = await subscribe(deps, request.body, request.viewer);
      reply.header('cache-control', NO_STORE);
      if (answer.activated) {
        return reply.status(201).send({ message: answer.message, subscription: subscriptionJson(answer.activated) });
      }
      return reply.status(202).send({ message: answer.message });
    },
  );

  app.get(
    '/api/subscriptions',
    {
      schema: {
        tags: ['subscriptions'],
        summary:
          "The signed-in person's live subscriptions (waiting for confirmation, active or paused): their account's and their address's; 401 when anonymous",
        response: { 200: ListAnswer },
      },
    },
    async (request, reply) => {
      const own = await listOwnSubscriptions(subscriptions, request.viewer);
      reply.header('cache-control', 'private, no-store');
      return { subscriptions: own.map(subscriptionJson) };
    },
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/api/subscriptions/:id',
    {
      schema: {
        tags: ['subscriptions'],
        summary:
          "Unsubscribe one of the signed-in person's subscriptions (repeating it changes nothing); 404 for an id that is not theirs",
        params: IdParams,
        response: { 200: DeleteAnswer },
      },
    },
    async (request, reply) => {
      requireSignedIn(request.viewer, 'manage your subscriptions');
      const { subscription } = await unsubscribeOwn(subscriptions, request.viewer, request.params.id);
      reply.header('cache-control', NO_STORE);
      return {
        subscription: subscriptionJson(subscription),
        message: `Unsubscribed: ${subscription.email} will receive no more ${subscription.cadence} digests.`,
      };
    },
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    '/settings/subscriptions/:id/unsubscribe',
    { schema: { params: IdParams } },
    async (request, reply) => {
      requireSignedIn(request.viewer, 'manage your subscriptions');
      await unsubscribeOwn(subscriptions, request.viewer, request.params.id);
      return reply.header('cache-control', NO_STORE).redirect('/settings?done=unsubscribed#subscriptions-title', 303);
    },
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    '/settings/subscriptions/:id/resume',
    { schema: { params: IdParams } },
    async (request, reply) => {
      requireSignedIn(request.viewer, 'manage your subscriptions');
      await resumeOwn(deps, request.viewer, request.params.id);
      return reply.header('cache-control', NO_STORE).redirect('/settings?done=resumed#subscriptions-title', 303);
    },
  );

  app.get<{ Querystring: Static<typeof FormQuery> }>(
    '/subscribe',
    { schema: { querystring: FormQuery } },
    async (request, reply) => {
      const { email, cadence, edit } = request.query;
      if (edit !== undefined) {
        if (!request.viewer) {
          return reply.redirect(`/login?next=${encodeURIComponent(`/subscribe?edit=${edit}`)}`, 303);
        }
        const editing = await findOwnSubscription(subscriptions, request.viewer, edit);
        if (editing.status === 'unsubscribed') {
          throw new HttpError(404, 'not_found', 'This subscription has ended; subscribe again to start a new one.');
        }
        return sendPrivate(reply, 200, <SubscribeFormView {...formOf(editing)} />, page(request, reply, true));
      }
      return sendPrivate(
        reply,
        200,
        <SubscribeFormView
          email={echo(email) || (request.viewer?.user.email ?? '')}
          cadence={cadence === 'weekly' ? 'weekly' : 'daily'}
          ownAddress={request.viewer?.user.email ?? null}
        />,
        page(request, reply, true),
      );
    },
  );

  app.post<{ Body: Static<typeof FormBody> }>(
    '/subscriptions',
    { schema: { body: FormBody }, config: { csrf: true, ...rateLimit(config, RATE_LIMITS.subscribe) } },
    async (request, reply) => {
      const { email, cadence, weeklyDay, categories, authors, keywords, replaces } = request.body;
      try {
        const answer = await subscribe(
          deps,
          { email, cadence, weeklyDay, topics: topicsFromForm({ categories, authors, keywords }), replaces },
          request.viewer,
        );
        if (answer.activated) {
          const done = answer.outcome === 'updated' || replaces ? 'subscription-saved' : 'subscribed';
          return reply.header('cache-control', NO_STORE).redirect(`/settings?done=${done}#subscriptions-title`, 303);
        }
        return sendPrivate(reply, 200, <SubscriptionInboxView email={answer.email} />, page(request, reply));
      } catch (error) {
        if (!(error instanceof HttpError) || error.statusCode !== 400) throw error;
        return sendPrivate(
          reply,
          400,
          <SubscribeFormView
            email={echo(email)}
            cadence={cadence === 'weekly' ? 'weekly' : 'daily'}
            weeklyDay={weeklyDay && /^[0-6]$/.test(weeklyDay) ? Number(weeklyDay) : null}
            categories={echo(categories, TOPICS_ECHO_MAX_LENGTH)}
            authors={echo(authors, TOPICS_ECHO_MAX_LENGTH)}
            keywords={echo(keywords, TOPICS_ECHO_MAX_LENGTH)}
            replaces={replaces && /^\d{1,15}$/.test(replaces) ? Number(replaces) : null}
            ownAddress={request.viewer?.user.email ?? null}
            error={error.message}
          />,
          page(request, reply, true),
        );
      }
    },
  );

  app.get<{ Querystring: Static<typeof TokenQuery> }>(
    '/subscriptions/confirm',
    { schema: { querystring: TokenQuery } },
    async (request, reply) => {
      // The token is in this page's address: no Referer may carry it anywhere.
      reply.header('referrer-policy', 'no-referrer').header('cache-control', NO_STORE);
      const shown = await checkConfirmationLink(subscriptions, request.query.token);
      if (shown.kind === 'already-confirmed') {
        return sendPrivate(
          reply,
          200,
          <SubscriptionDoneView
            heading="Already confirmed"
            message="This subscription is already confirmed: nothing more to do, the digest is on its way."
          />,
          page(request, reply),
        );
      }
      return sendPrivate(reply, 200, <ConfirmSubscriptionView token={shown.token} />, page(request, reply, true));
    },
  );

  app.post<{ Body: Static<typeof TokenBody> }>(
    '/subscriptions/confirm',
    { schema: { body: TokenBody }, config: { csrf: true } },
    async (request, reply) => {
      reply.header('cache-control', NO_STORE);
      const { subscription, alreadyConfirmed } = await confirmSubscription(subscriptions, request.body.token);
      return sendPrivate(
        reply,
        200,
        <SubscriptionDoneView
          heading={alreadyConfirmed ? 'Already confirmed' : 'Subscribed'}
          message={
            alreadyConfirmed
              ? 'This subscription is already confirmed: nothing more to do, the digest is on its way.'
              : `Done: ${subscription.email} now receives the ${subscription.cadence} digest. Every digest has a one-click unsubscribe link.`
          }
          cadence={subscription.cadence}
          weeklyDay={subscription.weeklyDay}
        />,
        page(request, reply),
      );
    },
  );

  app.get<{ Querystring: Static<typeof UnsubscribeQuery> }>(
    '/subscriptions/unsubscribe',
    { schema: { querystring: UnsubscribeQuery } },
    async (request, reply) => {
      reply.header('referrer-policy', 'no-referrer');
      const { s, t } = request.query;
      const subscription = await checkUnsubscribeLink(subscriptions, context.secret, s, t);
      const action = `/subscriptions/unsubscribe?s=${encodeURIComponent(s ?? '')}&t=${encodeURIComponent(t ?? '')}`;
      return sendPrivate(
        reply,
        200,
        <UnsubscribePageView
          action={action}
          email={subscription.email}
          cadence={subscription.cadence}
          alreadyUnsubscribed={subscription.status === 'unsubscribed'}
        />,
        page(request, reply),
      );
    },
  );

  // RFC 8058: mail clients post `List-Unsubscribe=One-Click` as a form, urlencoded or multipart. The body says
  // nothing the URL does not (its signed token is the credential), so a multipart body is read as text and ignored.
  app.register(async (scope) => {
    scope.addContentTypeParser('multipart/form-data', { parseAs: 'string' }, (_request, body, done) =>
      done(null, { raw: body }),
    );
    scope.post<{ Querystring: Static<typeof UnsubscribeQuery> }>(
      '/subscriptions/unsubscribe',
      { schema: { querystring: UnsubscribeQuery } },
      async (request, reply) => {
        reply.header('referrer-policy', 'no-referrer');
        const { subscription } = await unsubscribeWithLink(
          subscriptions,
          context.secret,
          request.query.s,
          request.query.t,
        );
        return sendPrivate(
          reply,
          200,
          <SubscriptionDoneView
            heading="Unsubscribed"
            message={`${subscription.email} will receive no more ${subscription.cadence} digests. Changed your mind? Subscribe again from any feed page.`}
          />,
          page(request, reply),
        );
      },
    );
  });
}

/** The subscribe form filled in with a subscription's settings, to change them. */
function formOf(subscription: Subscription) {
  return {
    email: subscription.email,
    cadence: subscription.cadence,
    weeklyDay: subscription.weeklyDay,
    categories: subscription.topics.categories.join(', '),
    authors: subscription.topics.authors.join(', '),
    keywords: subscription.topics.keywords.join(', '),
    replaces: subscription.id,
    ownAddress: subscription.email,
  };
}

function echo(value: string | undefined, maxLength = ECHO_MAX_LENGTH): string {
  return typeof value === 'string' ? value.replace(/[\r\n]+/g, ' ').slice(0, maxLength) : '';
}

function sendPrivate(reply: FastifyReply, status: number, view: VNode, page: PageContextValue) {
  return reply
    .status(status)
    .header('cache-control', NO_STORE)
    .type('text/html; charset=utf-8')
    .send(renderPage(view, page));
}
