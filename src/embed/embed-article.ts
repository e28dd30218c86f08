/**
 * Which article an embed shows, and when a host page's URL becomes one (lazy creation). The
 * rules: an article is found by its url, id or externalId; an unknown URL is created only with
 * EMBED_CREATE_ARTICLES, only when the page that frames the embed is of an allowed origin, only
 * when the URL's own origin is allowed too, and only when that page is there (the server reads it:
 * a forged Referer cannot make articles of addresses the site does not have). A creation counts as
 * a write of the client's address (ADDRESS_RATE_PER_MINUTE). Creation goes through upsertArticle, the code
 * behind the upsertArticle mutation, told to create only, so that concurrent first requests give
 * one article and a CMS's article is never rewritten by a page view.
 */
import type { DataSource } from "typeorm";
import type { Clock } from "../clock";
import type { EmbedSettings } from "../config";
import { sql } from "../db/sql";
import { Article } from "../entities";
import { COLUMN_LENGTHS } from "../entities/column-lengths";
import { ArticleInputError, normalizeArticleUrl, readArticleInput } from "../ingest/article-input";
import { upsertArticle } from "../ingest/upsert-article";
import type { HostPage } from "./page-title";
import { storable } from "../read/batch.loader";
import { articleRows, readRows } from "../read/rows";
import { idOfType } from "../schema/global-id";

/** What the embed was asked for: exactly one of these. */
export type EmbedKey = { kind: "url"; url: string } | { kind: "id"; id: string } | { kind: "externalId"; externalId: string };

export type EmbedLookup =
  | { found: true; article: Article; created: boolean }
  /** `why` is for the operator's log and the tests; the reader sees that comments are not open. */
  | { found: false; why: string };

/** Whether `origin` may frame the embed (and receive its messages). */
export function originAllowed(settings: EmbedSettings, origin: string | null): boolean {
  return origin !== null && settings.origins.includes(origin);
}

async function findArticle(db: DataSource, key: EmbedKey): Promise<Article | null> {
  if (key.kind === "id") {
    const id = idOfType(key.id, "Article");
    if (id === null) return null;
    const [row] = await readRows(db, articleRows, sql`a."id" = ${id}`);
    return row ?? null;
  }
  if (key.kind === "externalId") {
    if (!storable(key.externalId) || key.externalId.length > COLUMN_LENGTHS.articleExternalId) return null;
    const [row] = await readRows(db, articleRows, sql`a."externalId" = ${key.externalId}`);
    return row ?? null;
  }
  const [row] = await readRows(db, articleRows, sql`a."url" = ${key.url}`);
  return row ?? null;
}

/** The URL as stored (normalizeArticleUrl), or null when it is none an article could have. */
export function embedUrl(text: string): string | null {
  const url = normalizeArticleUrl(text);
  return url !== null && url.length <= COLUMN_LENGTHS.articleUrl && storable(url) ? url : null;
}

export interface EmbedRequest {
  key: EmbedKey;
  /** The origin of the page that frames the embed, as the browser said it (null: unknown). */
  framingOrigin: string | null;
  /** The snippet's data-title, if any. */
  title: string | null;
}

export interface EmbedArticleDeps {
  db: DataSource;
  settings: EmbedSettings;
  clock: Clock;
  /** The host page, or null when it is not there (page-title.ts); only ever called with a URL of an allowed origin. */
  hostPage: (url: string) => Promise<HostPage | null>;
  /** Counts one write against the client's address; throws RATE_LIMITED when it is over its rate. */
  countWrite: () => Promise<void>;
}

export async function embedArticle(deps: EmbedArticleDeps, request: EmbedRequest): Promise<EmbedLookup> {
  const { key } = request;
  const existing = await findArticle(deps.db, key);
  if (existing) return { found: true, article: existing, created: false };
  if (key.kind !== "url") return { found: false, why: "no such article" };
  if (!deps.settings.createArticles) return { found: false, why: "EMBED_CREATE_ARTICLES is off" };
  if (!originAllowed(deps.settings, request.framingOrigin))
    return { found: false, why: `the framing page's origin ${request.framingOrigin ?? "(unknown)"} is not in EMBED_ORIGINS` };
  const urlOrigin = new URL(key.url).origin;
  if (!originAllowed(deps.settings, urlOrigin)) return { found: false, why: `the URL's origin ${urlOrigin} is not in EMBED_ORIGINS` };

  await deps.countWrite();
  const page = await deps.hostPage(key.url);
  if (page === null) return { found: false, why: `${key.url} did not answer with a page` };
  const given = request.title?.replace(/\s+/g, " ").trim() || null;
  const title = (given ?? page.title ?? key.url).slice(0, COLUMN_LENGTHS.articleTitle);
  try {
    const upsert = readArticleInput({ url: key.url, title, publishedAt: deps.clock() });
    const result = await upsertArticle(deps.db, upsert, { createOnly: true });
    const [article] = await readRows(deps.db, articleRows, sql`a."id" = ${result.articleId}`);
    if (!article) return { found: false, why: "the article was removed as it was created" };
    return { found: true, article, created: result.status === "created" };
  } catch (error) {
    if (error instanceof ArticleInputError) return { found: false, why: error.message };
    throw error;
  }
}
