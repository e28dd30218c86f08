/**
 * The embeddable comment stream: /embed.js, the script a host site's page loads, and /embed, the
 * page it frames (web/embed.html, the reader app's thread).
 *
 * Who frames /embed is told by the browser, not by the page: the framing page's origin is the
 * Referer of the frame's navigation (browsers send at least the origin cross-site, by default), and
 * Sec-Fetch-Site says whether it came from this server's own origin. Content-Security-Policy
 * frame-ancestors, from EMBED_ORIGINS, has the browser refuse every other framer; a request whose
 * Referer names another origin is answered 403 before anything is looked up or created.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Request, Response, Router } from "express";
import { GraphQLError } from "graphql";
import type { DataSource } from "typeorm";
import type { Clock } from "../clock";
import type { EmbedSettings } from "../config";
import { embedArticle, EmbedKey, embedUrl, originAllowed } from "../embed/embed-article";
import { fetchHostPage } from "../embed/page-title";
import type { AbuseLimits } from "../abuse/abuse-limits";
import { toGlobalId } from "../schema/global-id";
import { databaseFailure, RETRY_AFTER_OUTAGE_SECONDS } from "../errors";
import { precompressedFiles } from "./compression";

export const EMBED_SCRIPT_PATH = "/embed.js";
export const EMBED_PATH = "/embed";

/**
 * The script's URL carries no hash (sites paste it into their templates), so it is cached for an
 * hour and then revalidated by its Last-Modified: a new release reaches every site within the hour.
 */
const SCRIPT_CACHING = { maxAge: "1h", immutable: false };

/** The hosts a page may be framed by: this server's own pages and the allowed origins. */
export function frameAncestors(settings: EmbedSettings): string {
  return ["'self'", ...settings.origins].join(" ");
}

/** As the reader app's pages (reader-app.routes.ts), but framed by the allowed origins. */
export function embedCsp(settings: EmbedSettings): string {
  return `default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors ${frameAncestors(settings)}`;
}

export interface EmbedRouteOptions {
  webRoot: string;
  db: DataSource;
  settings: EmbedSettings;
  clock: Clock;
  /** What a creation counts against: the client's address (ADDRESS_RATE_PER_MINUTE). */
  limits: AbuseLimits;
  clientAddress: (req: Request) => string | null;
}

/** The origin of the page that framed this request: null when the browser did not say, "self" for this server's own pages. */
export function framingOrigin(req: Request): string | null | "self" {
  if (req.get("sec-fetch-site") === "same-origin") return "self";
  const referer = req.get("referer");
  if (!referer) return null;
  try {
    const origin = new URL(referer).origin;
    return origin === "null" ? null : origin;
  } catch {
    return null;
  }
}

/** The query's one article key, or the problem with it. */
function keyOf(query: Request["query"]): EmbedKey | string {
  const text = (name: string): string | null => {
    const value = query[name];
    return typeof value === "string" && value.trim() !== "" ? value.trim() : null;
  };
  const url = text("url");
  const id = text("id");
  const externalId = text("externalId");
  if ([url, id, externalId].filter((value) => value !== null).length !== 1) return `give exactly one of "url", "id" and "externalId"`;
  if (url !== null) {
    const normalized = embedUrl(url);
    return normalized === null ? `"url" must be an absolute http(s) URL` : { kind: "url", url: normalized };
  }
  return id !== null ? { kind: "id", id } : { kind: "externalId", externalId: externalId! };
}

/** What the frame's script reads at start (web/src/embed/embed-config.ts): written into the page as JSON. */
export interface EmbedPageConfig {
  /** The article's slug, or null: comments are not open for this page. */
  slug: string | null;
  articleId: string | null;
  /** Origins that may receive the frame's messages and send it a token. */
  origins: string[];
  /** The framing page's origin when the browser said it and it is allowed: where the frame's messages go. */
  hostOrigin: string | null;
  /** What was wrong with the request (a missing or bad key), shown in the frame. */
  problem: string | null;
}

/** JSON that can sit inside a <script> element: nothing in it can close the element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026");
}

export function embedRoutes(options: EmbedRouteOptions): Router {
  const router = Router();
  const { settings } = options;
  const base = { db: options.db, settings, clock: options.clock, hostPage: (url: string) => fetchHostPage(url) };
  const csp = embedCsp(settings);

  router.get(EMBED_SCRIPT_PATH, precompressedFiles(options.webRoot, SCRIPT_CACHING), (_req, res, next) => {
    res.sendFile(join(options.webRoot, "embed.js"), { ...SCRIPT_CACHING, lastModified: true }, (error) => {
      if (error && !res.headersSent) res.status(503).type("text/plain").send("The embed script is not built. Run `npm run build`.\n");
      else if (error) next(error);
    });
  });

  const page = async (res: Response, status: number, config: EmbedPageConfig) => {
    const html = await readFile(join(options.webRoot, "embed.html"), "utf8").catch(() => null);
    res.setHeader("content-security-policy", csp);
    // The answer depends on who frames it and on what the database holds now.
    res.setHeader("cache-control", "no-store");
    // The discussion's own page (/a/:slug) is the one to index; this is its copy inside other sites' pages.
    res.setHeader("x-robots-tag", "noindex");
    if (html === null) return res.status(503).type("text/plain").send("The embed is not built. Run `npm run build`.\n");
    const data = `<script type="application/json" id="threadline-embed-config">${scriptJson(config)}</script>`;
    res
      .status(status)
      .type("html")
      .send(html.replace("</head>", `${data}\n  </head>`));
  };

  router.get(EMBED_PATH, async (req, res, next) => {
    try {
      const framer = framingOrigin(req);
      if (framer !== null && framer !== "self" && !originAllowed(settings, framer)) {
        res.setHeader("content-security-policy", csp);
        res.setHeader("cache-control", "no-store");
        return void res.status(403).type("text/plain").send(`${framer} may not embed these comments: it is not in EMBED_ORIGINS.\n`);
      }
      const key = keyOf(req.query);
      const shown = { origins: settings.origins, hostOrigin: framer === "self" || framer === null ? null : framer, problem: null };
      if (typeof key === "string") return void (await page(res, 400, { ...shown, problem: key, slug: null, articleId: null }));
      const title = typeof req.query.title === "string" ? req.query.title : null;
      const countWrite = () => options.limits.take({ service: false, reader: null, address: options.clientAddress(req) }, null);
      let status = 503;
      const found = await embedArticle({ ...base, countWrite }, { key, framingOrigin: framer === "self" ? null : framer, title }).catch((error: unknown) => {
        if (error instanceof GraphQLError && error.extensions.code === "RATE_LIMITED") {
          status = 429;
          res.set("retry-after", String(error.extensions.retryAfter));
          return null;
        }
        if (!databaseFailure(error)) throw error;
        res.set("retry-after", String(RETRY_AFTER_OUTAGE_SECONDS));
        return null;
      });
      if (found === null) return void (await page(res, status, { ...shown, slug: null, articleId: null }));
      if (!found.found) return void (await page(res, 404, { ...shown, slug: null, articleId: null }));
      await page(res, 200, { ...shown, slug: found.article.slug, articleId: toGlobalId("Article", found.article.id) });
    } catch (error) {
      next(error);
    }
  });
  return router;
}
