/**
 * What the crawler files and feeds read (crawler.routes.ts): articles newest first, a tag's
 * articles, an article's visible comments, and every article's address for the sitemap, read in
 * pages by id so that no answer holds them all.
 */
import { DataSource } from "typeorm";
import { list, readDate, run, sql } from "../db/sql";
import { storedTableCount, visibleRow } from "../read/stored-counts";
import { Article, Author, Comment, Tag } from "../entities";
import { storable } from "../read/batch.loader";
import { articleRows, authorRows, commentRows, readRows, tagRows } from "../read/rows";

export async function articleBySlug(db: DataSource, slug: string): Promise<Article | null> {
  if (!storable(slug)) return null;
  const [article] = await readRows(db, articleRows, sql`a."slug" = ${slug}`);
  return article ?? null;
}

/** Slugs are stored in lower case, as Query.tag finds them. */
export async function tagBySlug(db: DataSource, slug: string): Promise<Tag | null> {
  if (!storable(slug)) return null;
  const [tag] = await readRows(db, tagRows, sql`t."slug" = ${slug.toLowerCase()}`);
  return tag ?? null;
}

/** The latest articles, as Query.articles orders them by default (publishedAt, then id, descending). */
export function latestArticles(db: DataSource, limit: number): Promise<Article[]> {
  return readRows(db, articleRows, sql`1 = 1`, sql`a."publishedAt" DESC, a."id" DESC LIMIT ${limit}`);
}

/** A tag's latest articles, found through article_tag's (tagId, publishedAt, articleId) index. */
export function latestArticlesOfTag(db: DataSource, tagId: number, limit: number): Promise<Article[]> {
  const latest = sql`SELECT at."articleId" FROM article_tag at WHERE at."tagId" = ${tagId} ORDER BY at."publishedAt" DESC, at."articleId" DESC LIMIT ${limit}`;
  return readRows(db, articleRows, sql`a."id" IN (${latest})`, sql`a."publishedAt" DESC, a."id" DESC`);
}

/**
 * An article's latest comments the public may see (stored-counts.ts's `visibleRow`: not deleted,
 * PUBLISHED), at any depth, the last stored first, with their authors.
 */
export async function latestVisibleComments(db: DataSource, articleId: number, limit: number): Promise<{ comment: Comment; author: Author | null }[]> {
  const comments = await readRows(db, commentRows, sql`c."articleId" = ${articleId} AND ${visibleRow}`, sql`c."id" DESC LIMIT ${limit}`);
  const authorIds = [...new Set(comments.map((comment) => comment.authorId).filter((id): id is number => id !== null))];
  const authors = authorIds.length === 0 ? [] : await readRows(db, authorRows, sql`au."id" IN ${list(authorIds)}`);
  const byId = new Map(authors.map((author) => [author.id, author]));
  return comments.map((comment) => ({ comment, author: comment.authorId === null ? null : (byId.get(comment.authorId) ?? null) }));
}

/** Every article, as Query.articles.totalCount counts them. */
export function articleCount(db: DataSource): Promise<number> {
  return storedTableCount(db, "articles");
}

export interface ArticleAddress {
  slug: string;
  publishedAt: Date;
}

/**
 * The addresses of `count` articles from the `skip`-th on, in id order, `pageSize` rows per
 * statement: each page starts after the last id of the one before.
 */
export async function* articleAddresses(db: DataSource, skip: number, count: number, pageSize: number): AsyncGenerator<ArticleAddress[]> {
  const [first] = await run<{ id: number | string }>(db, sql`SELECT "id" FROM article ORDER BY "id" LIMIT 1 OFFSET ${skip}`);
  if (!first) return;
  let from = sql`"id" >= ${Number(first.id)}`;
  let left = count;
  while (left > 0) {
    const rows = await run<{ id: number | string; slug: string; publishedAt: unknown }>(
      db,
      sql`SELECT "id", "slug", "publishedAt" FROM article WHERE ${from} ORDER BY "id" LIMIT ${Math.min(pageSize, left)}`,
    );
    if (rows.length === 0) return;
    yield rows.map((row) => ({ slug: String(row.slug), publishedAt: readDate(row.publishedAt) }));
    left -= rows.length;
    from = sql`"id" > ${Number(rows[rows.length - 1].id)}`;
  }
}
