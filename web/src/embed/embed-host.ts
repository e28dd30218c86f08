/**
 * The frame's side of the conversation with the host page (public/embed.js is the other side).
 * Messages go only to the host's origin, and are taken only from the parent window at an origin
 * the server allows (EMBED_ORIGINS). Every message is an object whose `type` starts "threadline:".
 *
 * host -> frame: { type: "threadline:token", token: string | null }   the reader signed in or out
 *                { type: "threadline:theme", theme: "light" | "dark" }
 *                { type: "threadline:target", commentId: string }     the host's #c-<id> changed
 * frame -> host: { type: "threadline:ready" }                         send me the token
 *                { type: "threadline:height", height: number }        resize me
 *                { type: "threadline:signed-out" }                    the API refused the token
 */

/** What the server wrote into the page (src/http/embed.routes.ts, EmbedPageConfig). */
export interface EmbedPageConfig {
  slug: string | null;
  articleId: string | null;
  origins: string[];
  hostOrigin: string | null;
  problem: string | null;
}

export type Theme = "light" | "dark";

export type HostMessage =
  { type: "threadline:token"; token: string | null } | { type: "threadline:theme"; theme: Theme } | { type: "threadline:target"; commentId: string };

export function readPageConfig(): EmbedPageConfig {
  const text = document.getElementById("threadline-embed-config")?.textContent;
  const fallback: EmbedPageConfig = { slug: null, articleId: null, origins: [], hostOrigin: null, problem: "the page came without its settings" };
  if (!text) return fallback;
  try {
    return { ...fallback, problem: null, ...(JSON.parse(text) as Partial<EmbedPageConfig>) };
  } catch {
    return fallback;
  }
}

function originOf(url: string): string | null {
  try {
    const origin = new URL(url).origin;
    return origin === "null" ? null : origin;
  } catch {
    return null;
  }
}

/**
 * The host page's origin, when it may be spoken to: as the server saw it, else as the browser
 * tells the frame (ancestorOrigins, else the referrer), and only if allowed or this server's own.
 */
export function hostOrigin(config: EmbedPageConfig): string | null {
  if (window.parent === window) return null;
  const allowed = (origin: string | null) => origin !== null && (config.origins.includes(origin) || origin === window.location.origin);
  if (allowed(config.hostOrigin)) return config.hostOrigin;
  const ancestors = (window.location as Location & { ancestorOrigins?: DOMStringList }).ancestorOrigins;
  const candidate = ancestors && ancestors.length > 0 ? ancestors[0] : originOf(document.referrer);
  return allowed(candidate) ? candidate : null;
}

export function postToHost(origin: string | null, message: Record<string, unknown>): void {
  if (origin !== null) window.parent.postMessage(message, origin);
}

/** Calls `handle` with each well-formed message the host page sends; returns the unsubscribe. */
export function onHostMessage(origin: string | null, handle: (message: HostMessage) => void): () => void {
  const listener = (event: MessageEvent) => {
    if (origin === null || event.source !== window.parent || event.origin !== origin) return;
    const data = event.data as { type?: unknown; token?: unknown; theme?: unknown; commentId?: unknown } | null;
    if (!data || typeof data !== "object") return;
    if (data.type === "threadline:token" && (typeof data.token === "string" || data.token === null))
      handle({ type: "threadline:token", token: data.token || null });
    else if (data.type === "threadline:theme" && (data.theme === "light" || data.theme === "dark")) handle({ type: "threadline:theme", theme: data.theme });
    else if (data.type === "threadline:target" && typeof data.commentId === "string") handle({ type: "threadline:target", commentId: data.commentId });
  };
  window.addEventListener("message", listener);
  return () => window.removeEventListener("message", listener);
}

export function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
}

/** Reports the page's height to the host whenever it changes, so the frame never scrolls inside. */
export function reportHeight(origin: string | null): () => void {
  if (origin === null) return () => undefined;
  let last = -1;
  const send = () => {
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    postToHost(origin, { type: "threadline:height", height });
  };
  const observer = new ResizeObserver(send);
  observer.observe(document.documentElement);
  send();
  return () => observer.disconnect();
}
