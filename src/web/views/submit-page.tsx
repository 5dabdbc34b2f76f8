/**
 * /submit: one paste box that takes an arXiv paper however it was copied, an optional comment, project page and
 * GitHub repository. A refused submission comes back here with what was entered and the reason (announced to
 * screen readers); anonymous visitors get a sign-in link that returns here. A plain form: no script needed.
 */
import type { SubmitPageModel } from '../presenters/html/submit-page.ts';
import { Layout } from './layout.tsx';
import { usePageContext } from './page-context.ts';

export function SubmitPageView({ page }: { page: SubmitPageModel }) {
  return (
    <Layout
      title="Submit a paper"
      description="Share an arXiv paper with this community's daily feed."
      section="submit"
      noIndex
    >
      <section class="submit-page" aria-labelledby="submit-title">
        <h1 id="submit-title">Submit a paper</h1>
        <p class="submit-intro">
          Found a paper this community should read? Put it on today's feed: paste its arXiv id or link, and say in a
          line why it is worth the time.
        </p>
        {page.problem && <Problem page={page} />}
        {page.state === 'form' && <SubmitForm page={page} />}
        {page.state === 'sign-in' && (
          <div class="submit-signin">
            <p>Submitting papers needs an account on this instance.</p>
            <p>
              <a class="button button-primary" href={page.signInHref}>
                Sign in to submit a paper
              </a>
            </p>
          </div>
        )}
        {page.state === 'banned' && (
          <p class="submit-signin">
            Your account has been suspended by the moderators, so you cannot submit papers. You can still read
            everything.
          </p>
        )}
      </section>
    </Layout>
  );
}

function Problem({ page }: { page: SubmitPageModel }) {
  const problem = page.problem!;
  return (
    <div class="form-problem" role="alert" id="submit-problem">
      <p>{problem.message}</p>
      {problem.links.length > 0 && (
        <ul>
          {problem.links.map((link) => (
            <li>
              <a href={link.href}>{link.label}</a>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function SubmitForm({ page }: { page: SubmitPageModel }) {
  const { csrf } = usePageContext();
  const { values, limits } = page;
  const described = page.problem ? 'submit-paper-help submit-problem' : 'submit-paper-help';
  return (
    <form class="submit-form" method="post" action="/submit">
      {csrf && <input type="hidden" name="_csrf" value={csrf} />}
      <div class="form-field">
        <label for="submit-paper">arXiv paper</label>
        <input
          id="submit-paper"
          name="paperId"
          type="text"
          value={values.paperId}
          required
          maxLength={limits.paperId}
          autocomplete="off"
          autocapitalize="off"
          spellcheck={false}
          placeholder="2206.00927 or https://arxiv.org/abs/2206.00927"
          aria-describedby={described}
          aria-invalid={page.problem ? 'true' : undefined}
          autofocus
        />
        <p class="form-help" id="submit-paper-help">
          An id (<code>2206.00927</code>, <code>arXiv:2206.00927v2</code>, <code>hep-th/9901001</code>), or a link to
          its arXiv abstract or PDF, or its Hugging Face papers page.
        </p>
      </div>
      <div class="form-field">
        <label for="submit-comment">
          Why read it? <span class="form-optional">(optional)</span>
        </label>
        <textarea
          id="submit-comment"
          name="comment"
          rows={3}
          maxLength={limits.comment}
          aria-describedby="submit-comment-help"
        >
          {values.comment}
        </textarea>
        <p class="form-help" id="submit-comment-help">
          A line or two, at most {limits.comment} characters, kept with your submission.
        </p>
      </div>
      <div class="form-field">
        <label for="submit-project">
          Project page <span class="form-optional">(optional)</span>
        </label>
        <input
          id="submit-project"
          name="projectPage"
          type="url"
          inputMode="url"
          value={values.projectPage}
          maxLength={limits.link}
          placeholder="https://"
        />
      </div>
      <div class="form-field">
        <label for="submit-github">
          GitHub repository <span class="form-optional">(optional)</span>
        </label>
        <input
          id="submit-github"
          name="githubRepo"
          type="url"
          inputMode="url"
          value={values.githubRepo}
          maxLength={limits.link}
          placeholder="https://github.com/owner/repo"
        />
      </div>
      <div class="form-actions">
        <button type="submit" class="button button-primary">
          Submit paper
        </button>
      </div>
      <p class="form-rules muted">
        {page.perDay !== null
          ? `You can submit up to ${page.perDay} ${page.perDay === 1 ? 'paper' : 'papers'} a day. `
          : 'As an admin, you have no daily limit. '}
        {page.isAdmin
          ? `Papers first published more than ${page.maxAgeDays} days ago are for admins to list, as you can.`
          : `Papers first published more than ${page.maxAgeDays} days ago can be listed by admins only.`}{' '}
        A paper appears on the feed once.
      </p>
    </form>
  );
}
