/**
 * What search engines and feed readers fetch: /robots.txt, /sitemap.xml (an index of
 * /sitemap-N.xml once there are more articles than one file may list) and three Atom feeds:
 * /feed.xml (the latest articles), /t/:slug/feed.xml (a tag's latest articles) and
 * /a/:slug/comments.xml (an article's latest visible comments).
 *
 * Addresses are absolute, as both formats require, on the host and scheme the request came to
 * (express's `trust proxy` decides whether a proxy's X-Forwarded-Proto counts). Articles are the
 * reader app's /a/:slug pages, tags its /?tag=slug list.
 */
import { createHash } from "node:crypto";
import type { ServerResponse } from "node:http";
import { NextFunction, Request, Response, Router } from "express";
import { DataSource } from "typeorm";
import { databaseFailure, RETRY_AFTER_OUTAGE_SECONDS } from "../errors";
import { Article } from "../entities";
import { CACHE_HINTS, CacheHint } from "../execution/cache-policy";
import { toGlobalId } from "../schema/global-id";
import { AtomEntry, AtomFeed, atomXml, escapeXml } from "./atom-feed";
import { articleAddresses, articleBySlug, articleCount, latestArticles, latestArticlesOfTag, latestVisibleComments, tagBySlug } from "./crawler.queries";

/** The sitemap protocol's limit of URLs in one file (and of files in one index). */
export const SITEMAP_URLS_PER_FILE = 50_000;
/** Entries in each feed. */
export const FEED_ENTRIES = 50;
/** Sitemap rows read per statement and written per chunk. */
const SITEMAP_PAGE_ROWS = 1_000;

export interface CrawlerOptions {
  db: DataSource;
  /** URLs per sitemap file before /sitemap.xml becomes an index; the protocol's 50,000 unless a test sets fewer. */
  sitemapUrlsPerFile?: number;
}

/** The reader app's page of an article, as its router builds it (web/src/router.tsx: articlePath). */
export const articlePath = (slug: string) => `/a/${encodeURIComponent(slug)}`;

const maxAgeOf = (hint: CacheHint | undefined) => (hint && "maxAge" in hint ? hint.maxAge : 0);

/**
 * Feeds and sitemaps may be kept as long as the API's anonymous answers about the same things
 * (execution/cache-policy.ts): a list of articles, and comments.
 */
const ARTICLE_LIST_MAX_AGE = maxAgeOf(CACHE_HINTS.fields["Query.articles"]);
const COMMENT_MAX_AGE = maxAgeOf(CACHE_HINTS.types.Comment);

function origin(req: Request): string {
  return `${req.protocol}://${req.get("host") ?? "localhost"}`;
}

/** A database that cannot answer is 503 with Retry-After, as the API says it; anything else is a fault of ours. */
function handled(handler: (req: Request, res: Response) => Promise<void>) {
  return (req: Request, res: Response, next: NextFunction) => {
    handler(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        // Part of a sitemap is out: closing the connection is how the client learns it is cut short.
        console.error(`threadline: ${req.path} failed after its answer began:`, error);
        return void res.destroy();
      }
      if (!databaseFailure(error)) return next(error);
      res.status(503).set("retry-after", String(RETRY_AFTER_OUTAGE_SECONDS)).type("text/plain").send("the database is unavailable; try again shortly\n");
    });
  };
}

function notFound(res: Response, what: string): void {
  res.status(404).type("text/plain").send(`${what}\n`);
}

/**
 * Answers with the feed, or 304 when the client's copy (If-None-Match, If-Modified-Since) is
 * current. The ETag is the body's hash: weak, since a compressed copy has other bytes.
 */
function sendFeed(req: Request, res: Response, feed: AtomFeed, maxAge: number): void {
  const body = atomXml(feed);
  res.setHeader("etag", `W/"${createHash("sha1").update(body).digest("base64url")}"`);
  res.setHeader("last-modified", feed.updated.toUTCString());
  res.setHeader("cache-control", `public, max-age=${maxAge}`);
  res.type("application/atom+xml; charset=utf-8");
  if (req.fresh) return void res.status(304).end();
  res.send(body);
}

function latest(dates: Date[], otherwise: Date): Date {
  return dates.reduce((max, date) => (date.getTime() > max.getTime() ? date : max), dates[0] ?? otherwise);
}

function articleEntry(base: string, article: Article): AtomEntry {
  const link = base + articlePath(article.slug);
  return {
    id: link,
    title: article.title,
    link,
    updated: article.publishedAt,
    published: article.publishedAt,
    categories: article.section ? [article.section] : [],
  };
}

function articleFeed(base: string, self: string, title: string, alternate: string, articles: Article[]): AtomFeed {
  return {
    self,
    title,
    alternate,
    updated: latest(
      articles.map((article) => article.publishedAt),
      new Date(0),
    ),
    entries: articles.map((article) => articleEntry(base, article)),
  };
}

/** Writes `text` and waits while the client is slow to take it. */
async function write(res: ServerResponse, text: string): Promise<void> {
  if (res.write(text) || res.destroyed) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';
const SITEMAP_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"';

/** A <urlset> of `count` articles from the `skip`-th, streamed a page of rows at a time. */
async function streamUrlSet(req: Request, res: Response, db: DataSource, skip: number, count: number): Promise<void> {
  const base = origin(req);
  res.type("application/xml; charset=utf-8");
  res.setHeader("cache-control", `public, max-age=${ARTICLE_LIST_MAX_AGE}`);
  if (req.method === "HEAD") return void res.end();
  const pages = articleAddresses(db, skip, count, SITEMAP_PAGE_ROWS);
  // The first page is read before anything is sent, so a database that cannot answer is still a 503.
  const first = await pages.next();
  await write(res, `${XML_HEAD}<urlset ${SITEMAP_NS}>\n`);
  const urls = (page: { slug: string; publishedAt: Date }[]) =>
    page.map((row) => `<url><loc>${escapeXml(base + articlePath(row.slug))}</loc><lastmod>${row.publishedAt.toISOString()}</lastmod></url>\n`).join("");
  if (!first.done) await write(res, urls(first.value));
  for await (const page of pages) {
    if (res.destroyed) return;
    await write(res, urls(page));
  }
  res.end("</urlset>\n");
}

export function crawlerRoutes(options: CrawlerOptions): Router {
  const { db } = options;
  const perFile = options.sitemapUrlsPerFile ?? SITEMAP_URLS_PER_FILE;
  const router = Router();

  router.get("/robots.txt", (req, res) => {
    res.setHeader("cache-control", "public, max-age=86400");
    res.type("text/plain").send(`User-agent: *\nAllow: /\n\nSitemap: ${origin(req)}/sitemap.xml\n`);
  });

  router.get(
    "/sitemap.xml",
    handled(async (req, res) => {
      const total = await articleCount(db);
      if (total <= perFile) return streamUrlSet(req, res, db, 0, total);
      const base = origin(req);
      const files = Math.ceil(total / perFile);
      const entries = Array.from({ length: files }, (_, i) => `<sitemap><loc>${escapeXml(`${base}/sitemap-${i + 1}.xml`)}</loc></sitemap>\n`);
      res.setHeader("cache-control", `public, max-age=${ARTICLE_LIST_MAX_AGE}`);
      res.type("application/xml; charset=utf-8").send(`${XML_HEAD}<sitemapindex ${SITEMAP_NS}>\n${entries.join("")}</sitemapindex>\n`);
    }),
  );

  router.get(
    "/sitemap-:file.xml",
    handled(async (req, res) => {
      const file = /^[1-9][0-9]{0,8}$/.test(String(req.params.file)) ? Number(req.params.file) : 0;
      const total = await articleCount(db);
      if (total <= perFile || file < 1 || file > Math.ceil(total / perFile)) {
        return notFound(res, `no sitemap file ${req.params.file}: /sitemap.xml lists the files there are`);
      }
      await streamUrlSet(req, res, db, (file - 1) * perFile, perFile);
    }),
  );

  router.get(
    "/feed.xml",
    handled(async (req, res) => {
      const base = origin(req);
      const articles = await latestArticles(db, FEED_ENTRIES);
      sendFeed(req, res, articleFeed(base, `${base}/feed.xml`, "Threadline: latest articles", `${base}/`, articles), ARTICLE_LIST_MAX_AGE);
    }),
  );

  router.get(
    "/t/:slug/feed.xml",
    handled(async (req, res) => {
      const tag = await tagBySlug(db, String(req.params.slug));
      if (!tag) return notFound(res, `no tag has the slug "${req.params.slug}"`);
      const base = origin(req);
      const articles = await latestArticlesOfTag(db, tag.id, FEED_ENTRIES);
      const self = `${base}/t/${encodeURIComponent(tag.slug)}/feed.xml`;
      const alternate = `${base}/?tag=${encodeURIComponent(tag.slug)}`;
      sendFeed(req, res, articleFeed(base, self, `Threadline: ${tag.name}`, alternate, articles), ARTICLE_LIST_MAX_AGE);
    }),
  );

  router.get(
    "/a/:slug/comments.xml",
    handled(async (req, res) => {
      const article = await articleBySlug(db, String(req.params.slug));
      if (!article) return notFound(res, `no article has the slug "${req.params.slug}"`);
      const base = origin(req);
      const page = base + articlePath(article.slug);
      const comments = await latestVisibleComments(db, article.id, FEED_ENTRIES);
      const entries = comments.map(({ comment, author }): AtomEntry => {
        // The app's permalink of the comment (web/src/router.tsx: articlePath with a comment id).
        const link = `${page}#c-${toGlobalId("Comment", comment.id)}`;
        const name = author?.name ?? "Anonymous";
        // Imported comments have no time of their own; the article's stands in for it.
        const posted = comment.createdAt ?? article.publishedAt;
        return {
          id: link,
          title: `${name} on ${article.title}`,
          link,
          updated: comment.editedAt ?? posted,
          published: posted,
          author: name,
          content: comment.body,
        };
      });
      const feed: AtomFeed = {
        self: `${page}/comments.xml`,
        title: `Comments on ${article.title}`,
        alternate: `${page}#comments`,
        updated: latest(
          entries.map((entry) => entry.updated),
          article.publishedAt,
        ),
        entries,
      };
      sendFeed(req, res, feed, COMMENT_MAX_AGE);
    }),
  );

  return router;
}
