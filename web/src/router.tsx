import { AnchorHTMLAttributes, createContext, MouseEvent, useContext, useEffect, useState } from "react";

/**
 * The app's few routes need no router library: the History API, a hook that re-renders on
 * navigation, and a link that navigates without reloading.
 */
export type Route = { name: "home"; params: URLSearchParams } | { name: "article"; slug: string } | { name: "moderate" } | { name: "not-found" };

/** Dispatched on window after every in-app navigation. */
export const NAVIGATED = "threadline:navigated";

/** What the app reads of an address. */
export type PageLocation = Pick<Location, "pathname" | "search" | "hash">;

/** The address being rendered on the server (src/server/entry-server.tsx); in the browser, none: window.location is read. */
export const ServerLocation = createContext<PageLocation | null>(null);

export function matchRoute(location: PageLocation): Route {
  const { pathname, search } = location;
  if (pathname === "/" || pathname === "/index.html") return { name: "home", params: new URLSearchParams(search) };
  const article = /^\/a\/([^/]+)\/?$/.exec(pathname);
  if (article) return { name: "article", slug: decodeURIComponent(article[1]) };
  if (pathname === "/moderate" || pathname === "/moderate/") return { name: "moderate" };
  return { name: "not-found" };
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  window.dispatchEvent(new Event(NAVIGATED));
  if (!to.includes("#")) window.scrollTo(0, 0);
}

/** The current location, re-read on every navigation (links, back and forward, hash changes). */
export function useLocation(): PageLocation {
  const serverLocation = useContext(ServerLocation);
  const [, setVersion] = useState(0);
  useEffect(() => {
    const changed = () => setVersion((version) => version + 1);
    window.addEventListener("popstate", changed);
    window.addEventListener("hashchange", changed);
    window.addEventListener(NAVIGATED, changed);
    return () => {
      window.removeEventListener("popstate", changed);
      window.removeEventListener("hashchange", changed);
      window.removeEventListener(NAVIGATED, changed);
    };
  }, []);
  return serverLocation ?? window.location;
}

/** An ordinary link (it opens in a new tab, it can be copied) that navigates in place when clicked. */
export function Link({ href, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const click = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const url = new URL(href, window.location.href);
    if (url.origin !== window.location.origin) return;
    event.preventDefault();
    if (url.pathname === window.location.pathname && url.search === window.location.search && url.hash) {
      window.location.hash = url.hash;
      return;
    }
    navigate(url.pathname + url.search + url.hash);
  };
  return <a href={href} onClick={click} {...rest} />;
}

export function articlePath(slug: string, commentId?: string): string {
  return `/a/${encodeURIComponent(slug)}${commentId ? `#c-${commentId}` : ""}`;
}

/** Where a search looks: "" for articles and comments alike. */
export type SearchIn = "" | "articles" | "comments";

export function homePath(filters: { tag?: string | null; section?: string | null; q?: string | null; in?: SearchIn | null }): string {
  const params = new URLSearchParams();
  if (filters.q) params.set("q", filters.q);
  if (filters.in) params.set("in", filters.in);
  if (filters.tag) params.set("tag", filters.tag);
  if (filters.section) params.set("section", filters.section);
  const query = params.toString();
  return query ? `/?${query}` : "/";
}
