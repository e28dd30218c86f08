import { readFile } from "node:fs/promises";
import { join } from "node:path";
import express, { Response, Router } from "express";
import { precompressedFiles } from "./compression";
import { DEV_READER_TOKEN_PATH } from "./dev-sign-in.routes";
import { pageRendererLoader, PageRenderingOptions, renderReaderPage } from "./server-rendering";

export interface ReaderAppOptions {
  /** The built web app (dist/web: index.html, graphiql.html, assets/). */
  webRoot: string;
  production: boolean;
  /** Where the API answers; the pages and the landing page link to it. */
  graphqlPath: string;
  /** Whether the development reader sign-in (dev-sign-in.routes.ts) is mounted, so the app offers it. */
  devSignIn?: boolean;
  /** How the pages are rendered on the server (server-rendering.ts); without it, every page is the app's empty shell. */
  rendering?: PageRenderingOptions;
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
 * Serves the reader app at / and /a/:slug, each page rendered on the server from its data
 * (server-rendering.ts) for the app to hydrate, its hashed assets with a year's caching
 * (compressed at build time, for clients that accept it), and, outside production, the bundled
 * GraphiQL at /graphiql. The HTML template is read on each request (it is small) and the server
 * rendering reloaded when it changes, so a rebuild shows without a restart.
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

  // The app's server build sits beside the browser's (scripts/build.mjs: dist/web-ssr).
  const rendererPath = join(options.webRoot, "..", "web-ssr", "entry-server.cjs");
  const rendering = options.rendering;
  const loadRenderer = pageRendererLoader(rendererPath);

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
      const renderer = rendering && (await loadRenderer());
      if (!rendering || !renderer) return await page(res, "index.html", READER_CSP, development);
      const template = await readFile(join(options.webRoot, "index.html"), "utf8").catch(() => null);
      if (template === null) return notBuilt(res);
      res.setHeader("content-security-policy", READER_CSP);
      const meta = {
        "threadline-development": options.production ? "off" : "on",
        "threadline-reader-sign-in": !options.production && options.devSignIn ? DEV_READER_TOKEN_PATH : "off",
      };
      await renderReaderPage(req, res, renderer, development(template), meta, rendering);
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
