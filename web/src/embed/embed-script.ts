/**
 * /embed.js: the script a host site's page loads to show a Threadline discussion.
 *
 *   <div id="threadline-comments"></div>
 *   <script src="https://THREADLINE/embed.js" data-article-url="https://site/path" async></script>
 *
 * mounts the discussion into #threadline-comments (or the element data-target names) at once;
 * data-article-id / data-external-id name the article instead, data-title gives the title of an
 * article Threadline creates for a new URL, data-theme ("light", "dark") overrides the page's
 * scheme. Pages that render themselves use the API:
 *
 *   Threadline.mount(element, { articleUrl | articleId | externalId, token, title, theme }) -> { unmount() }
 *   Threadline.setToken(jwt | null)   the reader signed in or out: every frame follows, no reload
 *
 * The frame (/embed) is Threadline's page; messages go to it at Threadline's origin only, and are
 * taken from it only from that origin and that frame (the frame's side: embed-host.ts).
 */

type Theme = "light" | "dark";

interface MountOptions {
  articleUrl?: string;
  articleId?: string;
  externalId?: string;
  /** The reader's JWT from the site's own sign-in; omitted or null: anonymous. */
  token?: string | null;
  /** The title of the article Threadline creates for a new URL (else the page's <title>). */
  title?: string;
  /** Forces the scheme; otherwise the page's <html data-theme>, else prefers-color-scheme. */
  theme?: Theme;
}

interface Mounted {
  frame: HTMLIFrameElement;
  token: string | null;
  theme?: Theme;
  ready: boolean;
}

interface ThreadlineApi {
  mount(element: Element, options: MountOptions): { unmount(): void };
  setToken(token: string | null): void;
}

declare global {
  interface Window {
    Threadline?: ThreadlineApi;
  }
}

(() => {
  if (window.Threadline) return;
  const script = document.currentScript as HTMLScriptElement | null;
  const base = new URL(script?.src || "/embed.js", window.location.href);
  const origin = base.origin;
  const mounted: Mounted[] = [];
  let siteToken: string | null | undefined;
  const darkQuery = window.matchMedia?.("(prefers-color-scheme: dark)");

  const themeOf = (entry: Pick<Mounted, "theme">): Theme => {
    if (entry.theme) return entry.theme;
    const declared = document.documentElement.getAttribute("data-theme");
    if (declared === "dark" || declared === "light") return declared;
    return darkQuery?.matches ? "dark" : "light";
  };

  const post = (entry: Mounted, message: Record<string, unknown>) => {
    if (entry.ready) entry.frame.contentWindow?.postMessage(message, origin);
  };

  const commentInHash = (): string | null => {
    const match = /^#c-(.+)$/.exec(window.location.hash);
    return match ? decodeURIComponent(match[1]) : null;
  };

  window.addEventListener("message", (event: MessageEvent) => {
    if (event.origin !== origin) return;
    const entry = mounted.find((candidate) => candidate.frame.contentWindow === event.source);
    const data = event.data as { type?: unknown; height?: unknown } | null;
    if (!entry || !data || typeof data !== "object") return;
    if (data.type === "threadline:ready") {
      entry.ready = true;
      post(entry, { type: "threadline:token", token: entry.token });
      post(entry, { type: "threadline:theme", theme: themeOf(entry) });
    } else if (data.type === "threadline:height" && typeof data.height === "number" && data.height >= 0) {
      entry.frame.style.height = `${Math.ceil(data.height)}px`;
    } else if (data.type === "threadline:signed-out") {
      entry.token = null;
    }
  });

  const broadcastTheme = () => mounted.forEach((entry) => post(entry, { type: "threadline:theme", theme: themeOf(entry) }));
  darkQuery?.addEventListener?.("change", broadcastTheme);
  new MutationObserver(broadcastTheme).observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
  window.addEventListener("hashchange", () => {
    const commentId = commentInHash();
    if (commentId) mounted.forEach((entry) => post(entry, { type: "threadline:target", commentId }));
  });

  const api: ThreadlineApi = {
    mount(element, options) {
      const query = new URLSearchParams();
      if (options.articleUrl) query.set("url", new URL(options.articleUrl, window.location.href).href);
      else if (options.articleId) query.set("id", options.articleId);
      else if (options.externalId) query.set("externalId", options.externalId);
      else throw new Error("Threadline.mount: give articleUrl, articleId or externalId");
      if (options.title) query.set("title", options.title);
      const token = options.token !== undefined ? options.token || null : (siteToken ?? null);
      const entry: Mounted = { frame: document.createElement("iframe"), token, theme: options.theme, ready: false };
      query.set("theme", themeOf(entry));
      const page = new URL(window.location.href);
      page.hash = "";
      query.set("page", page.href);
      const target = commentInHash();
      if (target) query.set("target", target);
      if (token) query.set("auth", "1");
      const frame = entry.frame;
      frame.src = `${origin}/embed?${query.toString()}`;
      frame.title = "Comments";
      frame.loading = "lazy";
      frame.setAttribute("scrolling", "no");
      frame.style.cssText = "display:block;width:100%;height:320px;border:0;overflow:hidden;color-scheme:normal";
      mounted.push(entry);
      element.replaceChildren(frame);
      return {
        unmount() {
          const at = mounted.indexOf(entry);
          if (at >= 0) mounted.splice(at, 1);
          frame.remove();
        },
      };
    },
    setToken(token) {
      siteToken = token || null;
      for (const entry of mounted) {
        entry.token = siteToken;
        post(entry, { type: "threadline:token", token: siteToken });
      }
    },
  };
  window.Threadline = api;

  // The snippet: mount at once where data-* says.
  const data = script?.dataset;
  if (data && (data.articleUrl || data.articleId || data.externalId)) {
    const element = document.getElementById(data.target || "threadline-comments");
    if (element)
      api.mount(element, {
        articleUrl: data.articleUrl,
        articleId: data.articleId,
        externalId: data.externalId,
        title: data.title,
        theme: data.theme === "dark" || data.theme === "light" ? data.theme : undefined,
      });
    else console.error(`Threadline: no element with id "${data.target || "threadline-comments"}" to show the comments in`);
  }
})();

export {};
