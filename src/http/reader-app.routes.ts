import { readFile } from "node:fs/promises";
import { join } from "node:path";
import express, { Response, Router } from "express";
import { databaseFailure, RETRY_AFTER_OUTAGE_SECONDS } from "../errors";
import { precompressedFiles } from "./compression";
import { DEV_READER_TOKEN_PATH } from "./dev-sign-in.routes";

export interface ReaderAppOptions {
  /** The built web app (dist/web: index.html, graphiql.html, assets/). */
  webRoot: string;
  production: boolean;
  /** Where the API answers; the pages and the landing page link to it. */
  graphqlPath: string;
  /** Whether the development reader sign-in (dev-sign-in.routes.ts) is mounted, so the app offers it. */
  devSignIn?: boolean;
  /** Whether an article has this slug; without it, every /a/:slug is answered as found. */
  articleExists?: (slug: string) => Promise<boolean>;
}

/** The reader app's own addresses; everything else under / stays the server's. */
export const READER_PATHS = ["/", "/a/:slug", "/moderate"];
export const GRAPHIQL_PATH = "/graphiql";

/**
 * The app's pages allow nothing from elsewhere: a comment that somehow became markup still could
 * not run a script or load anything. GraphiQL's editor needs inline styles and worker scripts of
 * its own, still from this server only.
 */
const READER_CSP =
  "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const GRAPHIQL_CSP =
  "default-src 'self'; connect-src 'self'; img-src 'self' data: blob:; font-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/** Vite names every file under assets/ by a hash of its content, so a name is never reused. */
const ASSET_CACHING = { immutable: true, maxAge: "365d" };

/**
 * Serves the built reader app at / and /a/:slug (one HTML page; the app routes in the browser),
 * its hashed assets with a year's caching (compressed at build time, for clients that accept it),
 * and, outside production, the bundled GraphiQL at /graphiql. The HTML is read on each request:
 * it is small, and a rebuild shows without a restart. An unknown article's page is the same HTML
 * with status 404: the app shows its own not-found view, and a crawler drops the address.
 */
export function readerAppRoutes(options: ReaderAppOptions): Router {
  const router = Router();
  const notBuilt = (res: Response) =>
    res
      .status(503)
      .type("text/plain")
      .send(`The reader app is not built. Run \`npm run build\` (npm start does it), or use the API at ${options.graphqlPath}.\n`);

  const page = async (res: Response, file: string, csp: string, edit: (html: string) => string = (html) => html) => {
    const html = await readFile(join(options.webRoot, file), "utf8").catch(() => null);
    if (html === null) return notBuilt(res);
    res.setHeader("content-security-policy", csp);
    res.setHeader("cache-control", "no-cache");
    res.type("html").send(edit(html));
  };

  const assets = join(options.webRoot, "assets");
  router.use("/assets", precompressedFiles(assets, ASSET_CACHING), express.static(assets, { index: false, ...ASSET_CACHING, fallthrough: false }));
  router.get(READER_PATHS, async (req, res, next) => {
    // Development servers offer the sign-ins (a reader's, with a secret to sign it; the service
    // token's) and link GraphiQL, which is not served in production.
    const development = (html: string) => {
      if (options.production) return html;
      const on = html.replace('<meta name="threadline-development" content="off" />', '<meta name="threadline-development" content="on" />');
      return options.devSignIn
        ? on.replace('<meta name="threadline-reader-sign-in" content="off" />', `<meta name="threadline-reader-sign-in" content="${DEV_READER_TOKEN_PATH}" />`)
        : on;
    };
    try {
      const slug = req.params.slug;
      if (typeof slug === "string" && options.articleExists) {
        const found = await options.articleExists(slug).catch((error: unknown) => {
          if (!databaseFailure(error)) throw error;
          // Unknown while the database is away: the app still loads (and says what the API says), and a crawler comes back later.
          res.status(503).set("retry-after", String(RETRY_AFTER_OUTAGE_SECONDS));
          return true;
        });
        if (!found) res.status(404);
      }
      await page(res, "index.html", READER_CSP, development);
    } catch (error) {
      next(error);
    }
  });
  if (!options.production) {
    router.get(GRAPHIQL_PATH, (_req, res, next) => {
      page(res, "graphiql.html", GRAPHIQL_CSP).catch(next);
    });
  }
  return router;
}
