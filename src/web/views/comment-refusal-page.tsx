/**
 * The answer to a comment form that was refused (empty, too long, an expired form, too many comments at once,
 * signed out meanwhile): why, in a sentence, and the person's text, never lost: in the form again, ready to send,
 * when they may send it; in a read-only box to copy otherwise.
 */
import { CommentForm } from './discussion.tsx';
import { Layout } from './layout.tsx';

export interface CommentRefusalPageProps {
  message: string;
  /** What the person typed. */
  text: string;
  /** Where the form posts to try again; null when trying again cannot work (signed out, banned, gone). */
  action: string | null;
  /** The comment replied to, when it was a reply. */
  parentId: string | null;
  /** The paper's page, to go back to. */
  paperHref: string | null;
  /** A sign-in link, for people who are not (or no longer) signed in. */
  signInHref: string | null;
}

export function CommentRefusalPage({
  message,
  text,
  action,
  parentId,
  paperHref,
  signInHref,
}: CommentRefusalPageProps) {
  return (
    <Layout title="Your comment was not saved" noIndex>
      <section class="comment-refusal" aria-labelledby="refusal-title">
        <h1 id="refusal-title">Your comment was not saved</h1>
        <p class="error-message" role="alert">
          {message}
        </p>
        {action ? (
          <CommentForm
            action={action}
            fieldId="comment-retry"
            label="Your text (edit it and send it again)"
            submitLabel="Send again"
            body={text}
            parentId={parentId === null ? null : Number(parentId)}
          />
        ) : (
          <div class="comment-kept">
            <label for="comment-kept">Your text, kept here so that you can copy it</label>
            <textarea id="comment-kept" rows={8} readOnly>
              {text}
            </textarea>
          </div>
        )}
        <ul class="error-links">
          {signInHref && (
            <li>
              <a href={signInHref}>Sign in</a>
            </li>
          )}
          {paperHref && (
            <li>
              <a href={paperHref}>Back to the paper</a>
            </li>
          )}
        </ul>
      </section>
    </Layout>
  );
}
