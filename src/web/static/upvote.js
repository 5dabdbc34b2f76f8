/*
 * Progressive enhancement of the upvote forms (views/upvote-button.tsx): without this script each button is a
 * plain form that posts and comes back to the page. With it, a click flips the button and the count at once, asks
 * the JSON API (POST or DELETE /api/papers/{id}/upvote, with the page's CSRF token in x-csrf-token), settles on
 * the count the server answers, and on failure puts everything back and says why in the form's live region.
 */
(() => {
  if (window.paperboyUpvotes) return;
  window.paperboyUpvotes = true;

  /** How long an error message stays visible, in milliseconds (the live region has announced it by then). */
  const ERROR_VISIBLE_MS = 6000;

  const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';

  /** The form's current state, as drawn. */
  function readState(form) {
    const button = form.querySelector('.vote-button');
    const count = form.querySelector('.vote-count');
    return {
      upvoted: button.getAttribute('aria-pressed') === 'true',
      upvotes: Number.parseInt(count.textContent ?? '0', 10) || 0,
    };
  }

  /** Draws a state: pressed or not, the count and its noun, and what the no-JavaScript form would do next. */
  function drawState(form, state) {
    const button = form.querySelector('.vote-button');
    button.setAttribute('aria-pressed', state.upvoted ? 'true' : 'false');
    button.title = state.upvoted ? 'Remove your upvote' : 'Upvote';
    form.querySelector('.vote-count').textContent = String(state.upvotes);
    const noun = form.querySelector('.vote-noun');
    if (noun) noun.textContent = state.upvotes === 1 ? ' upvote' : ' upvotes';
    const intent = form.querySelector('input[name="intent"]');
    if (intent) intent.value = state.upvoted ? 'remove' : 'upvote';
  }

  function announce(form, message) {
    const status = form.querySelector('.vote-status');
    if (!status) return;
    status.textContent = message;
    form.classList.toggle('vote-failed', message !== '');
    clearTimeout(status.paperboyTimer);
    if (message !== '') {
      status.paperboyTimer = setTimeout(() => announce(form, ''), ERROR_VISIBLE_MS);
    }
  }

  async function errorMessage(response) {
    try {
      const body = await response.json();
      if (body && typeof body.message === 'string') return body.message;
    } catch {
      // Not JSON: fall through to the header or a generic sentence.
    }
    return response.headers.get('x-error-message') || `The vote could not be saved (error ${response.status}).`;
  }

  async function toggle(form) {
    const before = readState(form);
    const wanted = !before.upvoted;
    drawState(form, { upvoted: wanted, upvotes: Math.max(0, before.upvotes + (wanted ? 1 : -1)) });
    announce(form, '');
    form.setAttribute('aria-busy', 'true');
    try {
      const response = await fetch(form.dataset.upvoteApi, {
        method: wanted ? 'POST' : 'DELETE',
        headers: { accept: 'application/json', 'x-csrf-token': csrfToken() },
        credentials: 'same-origin',
      });
      if (!response.ok) {
        drawState(form, before);
        announce(form, await errorMessage(response));
        return;
      }
      const answer = await response.json();
      drawState(form, { upvoted: Boolean(answer.upvoted), upvotes: Number(answer.upvotes) });
    } catch {
      drawState(form, before);
      announce(form, 'The vote could not be saved: the site did not answer. Check your connection and try again.');
    } finally {
      form.removeAttribute('aria-busy');
    }
  }

  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.upvoteApi) return;
    event.preventDefault();
    // One change at a time per paper: a click while the last one is on its way is ignored.
    if (form.getAttribute('aria-busy') === 'true') return;
    void toggle(form);
  });
})();
