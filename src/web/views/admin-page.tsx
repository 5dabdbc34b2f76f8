/**
 * The admin page: a form for each moderation action (feature a paper on a day, hide or unhide a paper or a
 * comment, ban or unban a person) and the audit log, newest first, in pages. Plain forms: no JavaScript needed.
 */
import type { ComponentChildren } from 'preact';
import type { AuditLogPage } from '../../commands/moderation.ts';
import { MODERATION_REASON_MAX_CHARS } from '../../commands/moderation.ts';
import type { AuditEntry } from '../../storage/moderation-store.ts';
import { commentAnchor } from '../presenters/html/discussion.ts';
import { paperPath } from '../presenters/html/paths.ts';
import { Layout } from './layout.tsx';
import { usePageContext } from './page-context.ts';

/** A line at the top of the page: what the last form did, or why it was refused. */
export interface AdminNotice {
  kind: 'done' | 'error';
  text: string;
}

export interface AdminPageProps {
  log: AuditLogPage;
  notice: AdminNotice | null;
  /** Today in the instance's time zone, the default day to feature a paper on. */
  today: string;
}

const ACTION_LABELS: Record<string, string> = {
  'paper.feature': 'featured paper',
  'paper.hide': 'hid paper',
  'paper.unhide': 'unhid paper',
  'comment.hide': 'hid comment',
  'comment.unhide': 'unhid comment',
  'user.ban': 'banned',
  'user.unban': 'lifted the ban on',
};

export function AdminPage({ log, notice, today }: AdminPageProps) {
  return (
    <Layout title="Moderation" section="admin" noIndex>
      <div class="admin">
        <h1>Moderation</h1>
        <p class="admin-links">
          <a href="/admin/ingest">Ingest runs</a>: each daily announcement, OAI-PMH harvest and snapshot import
        </p>
        {notice && (
          <p class={`admin-notice admin-notice-${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
            {notice.text}
          </p>
        )}
        <div class="admin-forms">
          <AdminForm action="/admin/feature" title="Feature a paper on a day" id="feature">
            <Field id="feature-paper" name="paperId" label="arXiv id" placeholder="2206.00927" required />
            <Field id="feature-date" name="date" label="Day" type="date" value={today} required />
            <Reason id="feature-reason" />
            <button type="submit" class="button button-primary">
              Feature
            </button>
          </AdminForm>
          <AdminForm action="/admin/paper-visibility" title="Hide or show a paper" id="paper">
            <Field id="paper-id" name="paperId" label="arXiv id" placeholder="2206.00927" required />
            <Reason id="paper-reason" />
            <Choice yes="hide" no="unhide" yesLabel="Hide paper" noLabel="Unhide paper" />
          </AdminForm>
          <AdminForm action="/admin/comment-visibility" title="Hide or show a comment" id="comment">
            <Field
              id="comment-id"
              name="commentId"
              label="Comment number"
              placeholder="123"
              required
              inputMode="numeric"
            />
            <Reason id="comment-reason" />
            <Choice yes="hide" no="unhide" yesLabel="Hide comment" noLabel="Unhide comment" />
          </AdminForm>
          <AdminForm action="/admin/user-ban" title="Ban or unban a person" id="ban">
            <Field id="ban-username" name="username" label="Username" placeholder="ada" required />
            <Reason id="ban-reason" />
            <Choice yes="ban" no="unban" yesLabel="Ban" noLabel="Unban" />
          </AdminForm>
        </div>
        <AuditLog log={log} />
      </div>
    </Layout>
  );
}

/** What anonymous visitors see at /admin: a sign-in prompt (the page answers 401). */
export function AdminSignInPage() {
  return (
    <Layout title="Sign in to moderate" noIndex>
      <section class="error-page" aria-labelledby="admin-sign-in-title">
        <h1 id="admin-sign-in-title">Sign in to moderate</h1>
        <p class="error-message">The moderation page is for this instance's admins.</p>
        <p>
          <a class="button button-primary" href="/login?next=%2Fadmin">
            Sign in
          </a>
        </p>
      </section>
    </Layout>
  );
}

function AdminForm({
  action,
  title,
  id,
  children,
}: {
  action: string;
  title: string;
  id: string;
  children: ComponentChildren;
}) {
  const { csrf } = usePageContext();
  return (
    <section class="admin-card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      <form method="post" action={action} class="admin-form">
        {csrf && <input type="hidden" name="_csrf" value={csrf} />}
        {children}
      </form>
    </section>
  );
}

function Field(props: {
  id: string;
  name: string;
  label: string;
  type?: string;
  value?: string;
  placeholder?: string;
  required?: boolean;
  inputMode?: 'numeric';
}) {
  return (
    <p class="admin-field">
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value}
        placeholder={props.placeholder}
        required={props.required}
        inputMode={props.inputMode}
        autocomplete="off"
      />
    </p>
  );
}

function Reason({ id }: { id: string }) {
  return (
    <p class="admin-field">
      <label for={id}>
        Reason <span class="muted">(optional, kept in the log)</span>
      </label>
      <input id={id} name="reason" type="text" maxLength={MODERATION_REASON_MAX_CHARS} autocomplete="off" />
    </p>
  );
}

function Choice({ yes, no, yesLabel, noLabel }: { yes: string; no: string; yesLabel: string; noLabel: string }) {
  return (
    <p class="admin-buttons">
      <button type="submit" name="action" value={yes} class="button button-primary">
        {yesLabel}
      </button>
      <button type="submit" name="action" value={no} class="button">
        {noLabel}
      </button>
    </p>
  );
}

function AuditLog({ log }: { log: AuditLogPage }) {
  const page = log.page + 1;
  const pages = Math.max(1, Math.ceil(log.total / log.limit));
  return (
    <section class="audit-log" aria-labelledby="audit-title">
      <h2 id="audit-title">Audit log</h2>
      {log.entries.length === 0 ? (
        <p class="muted">No moderation actions yet.</p>
      ) : (
        <div class="audit-table-wrap">
          <table class="audit-table">
            <caption class="visually-hidden">Admin actions, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When (UTC)</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {log.entries.map((entry) => (
                <tr>
                  <td>
                    <time datetime={entry.createdAt}>{entry.createdAt.slice(0, 16).replace('T', ' ')}</time>
                  </td>
                  <td>
                    <a href={`/u/${encodeURIComponent(entry.actor.username)}`}>@{entry.actor.username}</a>
                  </td>
                  <td>
                    {ACTION_LABELS[entry.action] ?? entry.action} <Target entry={entry} />
                  </td>
                  <td>
                    <Details detail={entry.detail} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {pages > 1 && (
        <nav class="pagination" aria-label="Audit log pages">
          {page > 1 ? <a href={`/admin?p=${page - 1}`}>Newer</a> : <span class="muted">Newer</span>}
          <span>
            Page {page} of {pages}
          </span>
          {page < pages ? <a href={`/admin?p=${page + 1}`}>Older</a> : <span class="muted">Older</span>}
        </nav>
      )}
    </section>
  );
}

function Target({ entry }: { entry: AuditEntry }) {
  if (entry.targetType === 'paper') return <a href={paperPath(entry.targetId)}>{entry.targetId}</a>;
  if (entry.targetType === 'user') return <a href={`/u/${encodeURIComponent(entry.targetId)}`}>@{entry.targetId}</a>;
  const paperId = typeof entry.detail.paperId === 'string' ? entry.detail.paperId : null;
  const label = `#${entry.targetId}`;
  return paperId ? <a href={`${paperPath(paperId)}#${commentAnchor(Number(entry.targetId))}`}>{label}</a> : label;
}

function Details({ detail }: { detail: Record<string, unknown> }) {
  const entries = Object.entries(detail).filter(([key]) => key !== 'paperId' && key !== 'userId');
  if (entries.length === 0) return <span class="muted">none</span>;
  return (
    <ul class="audit-detail">
      {entries.map(([key, value]) => (
        <li>
          {key}: {value === null ? 'none' : String(value)}
        </li>
      ))}
    </ul>
  );
}
