import { createContext, useContext } from "react";

/**
 * Where a comment's "Link" points. In the app it is the comment's place on this page
 * (`#c-<id>`); in the embed, the host site's page with that fragment, opened in the top window.
 */
export interface Permalinks {
  href(commentId: string): string;
  target?: "_top";
}

export const PermalinkContext = createContext<Permalinks>({ href: (commentId) => `#c-${commentId}` });

export function usePermalinks(): Permalinks {
  return useContext(PermalinkContext);
}
