/**
 * A minimal cookie jar for tests that drive the app through `app.inject` like a browser would: it keeps the cookies
 * answers set (and forgets the ones they clear), and hands them back as a `cookie` header.
 */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  /** Keeps the cookies of an answer's `set-cookie` headers (a past expiry or Max-Age=0 removes one). */
  store(setCookie: string | string[] | undefined): void {
    const lines = setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie];
    for (const line of lines) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const removed = attributes.some((attribute) => {
        const [key = '', rawValue = ''] = attribute.split('=');
        const lower = key.trim().toLowerCase();
        if (lower === 'max-age') return Number(rawValue) <= 0;
        if (lower === 'expires') return Date.parse(rawValue.trim()) <= Date.now();
        return false;
      });
      if (removed || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  /** The `cookie` header value (empty when the jar is empty). */
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/** The CSRF token a page embeds in its forms (`<input type="hidden" name="_csrf" value="...">`). */
export function csrfFromPage(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('the page has no CSRF field');
  return match[1]!;
}
