/**
 * What every view may need to know about the request it renders for, without threading it through every prop:
 * who is signed in (for the header and the buttons they may press) and the CSRF token their forms carry.
 * Anonymous pages carry no token, so that they stay cacheable (see response-cache.ts).
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

export interface PageViewer {
  username: string;
  displayName: string | null;
  isAdmin: boolean;
  banned: boolean;
}

export interface PageContextValue {
  viewer: PageViewer | null;
  /** The token for this page's forms; null on anonymous pages without forms. */
  csrf: string | null;
}

export const PageContext = createContext<PageContextValue>({ viewer: null, csrf: null });

export function usePageContext(): PageContextValue {
  return useContext(PageContext);
}
