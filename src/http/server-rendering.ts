/**
 * The reader app's pages rendered on the server (docs/decisions/0005-server-rendering.md). The app's
 * own server entry (web/src/server/entry-server.tsx, built into dist/web-ssr) says which queries a
 * page makes; they run here in-process through the API's executor as the anonymous reader (so the
 * HTML, its JSON-LD and the embedded data hold only what anyone may read, held comments never),
 * the app renders from the answers, and the answers are embedded once for the browser to hydrate
 * from. A page's status and caching follow from its answers by the API's own rules.
 */
import { stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { Request, Response } from "express";
import { GraphQLFormattedError } from "graphql";
import { isClientErrorCode } from "../errors";
import { cacheControlHeader, CachePolicy, combinedPolicy, varyOf } from "../execution/cache-policy";

/** One query a page makes (entry-server.tsx: PageRequest). */
export interface PageRequest {
  key: string;
  query: string;
  operationName: string | null;
  variables: Record<string, unknown>;
}

/** A query's answer as the API gives it. */
export interface PageAnswer {
  data?: Record<string, unknown> | null;
  errors?: readonly GraphQLFormattedError[];
}

interface PageHead {
  title: string;
  description: string;
  tags: string;
}

/** What dist/web-ssr/entry-server.cjs exports (entry-server.tsx). */
export interface PageRenderer {
  planPage(url: string): { requests: PageRequest[] } | { badRequest: string };
  renderPage(
    url: string,
    results: Record<string, PageAnswer>,
    site: { origin: string; meta: Record<string, string> },
  ): { notFound: boolean; head: PageHead; html: string };
  renderBadRequest(message: string): { head: PageHead; html: string };
}

export interface PageRenderingOptions {
  /** Runs one of a page's queries as the anonymous reader of `clientAddress`, in its turn, as the API would answer it. */
  runQuery(request: PageRequest, clientAddress: string | null): Promise<PageAnswer>;
  /** The cache policy of a page's query (execution/cache-policy.ts, remembered per document). */
  policyOf(request: PageRequest): CachePolicy;
  clientAddress(req: Request): string | null;
}

/** The page's meta tags the app reads, as the server set them (reader-app.routes.ts). */
export type PageMeta = Record<string, string>;

/** The id of the script element with the embedded answers (web/src/embedded-data.ts: EMBEDDED_DATA_ID). */
const EMBEDDED_DATA_ID = "threadline-data";

const escapeHtml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

/** JSON inside a <script> element: no `<` (so no `</script>`) and no line separators (web/src/embedded-data.ts: scriptSafeJson). */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/**
 * The renderer at `path`, loaded again whenever the file changes (a rebuild of the app shows
 * without a restart, as the browser's bundle does); null while the app's server build is missing.
 */
export function pageRendererLoader(path: string): () => Promise<PageRenderer | null> {
  const load = createRequire(__filename);
  let loaded: { mtimeMs: number; renderer: PageRenderer } | null = null;
  return async () => {
    const info = await stat(path).catch(() => null);
    if (!info) return null;
    if (loaded?.mtimeMs !== info.mtimeMs) {
      delete load.cache[load.resolve(path)];
      loaded = { mtimeMs: info.mtimeMs, renderer: load(path) as PageRenderer };
    }
    return loaded.renderer;
  };
}

/** The HTTP status of a page from its answers: the API's refusals and a client's bad input keep their meaning. */
export function pageStatus(answers: readonly PageAnswer[], notFound: boolean): number {
  const codes = answers.flatMap((answer) => answer.errors ?? []).map((error) => error.extensions?.code);
  if (codes.includes("SERVICE_UNAVAILABLE")) return 503;
  if (codes.includes("RATE_LIMITED")) return 429;
  if (codes.includes("NOT_FOUND")) return 404;
  if (codes.length > 0) return codes.every(isClientErrorCode) ? 400 : 500;
  return notFound ? 404 : 200;
}

/** The template (the built index.html) with the page's head and body in it; `hydrate` false leaves the app's scripts out. */
export function pageHtml(template: string, page: { head: PageHead; html: string; data: Record<string, PageAnswer> | null }): string {
  const { head } = page;
  let html = template
    .replace(/<title>[^<]*<\/title>/, `<title>${escapeHtml(head.title)}</title>`)
    .replace(/<meta name="description" content="[^"]*" \/>/, `<meta name="description" content="${escapeHtml(head.description)}" />`)
    .replace("</head>", `  ${head.tags}\n  </head>`);
  const data = page.data === null ? "" : `<script type="application/json" id="${EMBEDDED_DATA_ID}">${scriptSafeJson(page.data)}</script>`;
  html = html.replace(/<div id="root"><\/div>/, () => `<div id="root">${page.html}</div>${data}`);
  // A page that is not the app (a bad request's) runs no script.
  if (page.data === null) html = html.replace(/\s*<script type="module"[^>]*><\/script>/g, "").replace(/\s*<link rel="modulepreload"[^>]*>/g, "");
  return html;
}

/**
 * Answers a reader page: 400 for an address the app cannot read, else the page rendered from its
 * queries' answers, with the status those say (404 for an unknown article) and the API's caching
 * of anonymous GETs. The HTML is the same for everyone, so a request with a credential is answered
 * as the API answers one (private, no-store) and a shared one varies by Authorization.
 */
export async function renderReaderPage(
  req: Request,
  res: Response,
  renderer: PageRenderer,
  template: string,
  meta: PageMeta,
  options: PageRenderingOptions,
): Promise<void> {
  const url = req.originalUrl;
  const plan = renderer.planPage(url);
  if ("badRequest" in plan) {
    const page = renderer.renderBadRequest(plan.badRequest);
    res.status(400).setHeader("cache-control", "no-store");
    return void res.type("html").send(pageHtml(template, { ...page, data: null }));
  }
  const address = options.clientAddress(req);
  const answers = await Promise.all(plan.requests.map((request) => options.runQuery(request, address)));
  const results = Object.fromEntries(plan.requests.map((request, index) => [request.key, answers[index]]));
  const origin = `${req.protocol}://${req.get("host") ?? "localhost"}`;
  const rendered = renderer.renderPage(url, results, { origin, meta });
  const status = pageStatus(answers, rendered.notFound);
  if (status === 500)
    console.error(
      `threadline: the page ${req.path} got errors from its own queries:`,
      answers.flatMap((answer) => answer.errors ?? []),
    );
  const retryAfter = answers.flatMap((answer) => answer.errors ?? []).find((error) => typeof error.extensions?.retryAfter === "number")?.extensions?.retryAfter;
  if ((status === 503 || status === 429) && retryAfter !== undefined) res.setHeader("retry-after", String(retryAfter));
  const hasErrors = answers.some((answer) => (answer.errors?.length ?? 0) > 0);
  const cacheControl = cacheControlHeader({
    // HEAD is GET without the body.
    method: req.method === "HEAD" ? "GET" : req.method,
    credentialed: Boolean(req.headers.authorization),
    hasErrors,
    policy: combinedPolicy(plan.requests.map(options.policyOf)),
  });
  res.status(status).setHeader("cache-control", cacheControl);
  const vary = varyOf(cacheControl);
  if (vary) res.vary(vary);
  res.type("html").send(pageHtml(template, { head: rendered.head, html: rendered.html, data: results }));
}
