// Search as you type: after a pause in typing, fetch the results for what is in the box and put them in place,
// keeping the address in step. Without JavaScript the form submits as usual.
(() => {
  const DEBOUNCE_MS = 250;
  const input = document.getElementById('search-q');
  const region = document.getElementById('search-results');
  if (!input || !region) return;
  let timer = 0;
  let latest = 0;
  input.addEventListener('input', () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(async () => {
      const q = input.value.trim();
      const request = ++latest;
      if (q === '') {
        region.replaceChildren();
        history.replaceState(null, '', '/search');
        return;
      }
      try {
        const res = await fetch(`/search?q=${encodeURIComponent(q)}&typing=1`, { headers: { accept: 'text/html' } });
        const html = await res.text();
        if (request !== latest) return; // a newer request is on its way
        const fresh = new DOMParser().parseFromString(html, 'text/html').getElementById('search-results');
        if (fresh) region.replaceChildren(...fresh.childNodes);
        history.replaceState(null, '', `/search?q=${encodeURIComponent(q)}`);
      } catch {
        // Offline or the server is away: the form still submits normally.
      }
    }, DEBOUNCE_MS);
  });
})();
