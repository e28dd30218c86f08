import { foldKey } from "../text/fold";
import { ListSpec, SortKey } from "./page-query";
import { ident, list, raw, Sql, sql } from "./sql";

/**
 * Every pageable list the API serves, as data for fetchIdPages/countRows.
 * Column names are quoted because PostgreSQL folds unquoted ones to lower case.
 */

/** A comment readers can see. Counts (commentCount, replyCount) use this. */
export const visibleComment = (alias: string): Sql => sql`${raw(alias)}."isDeleted" = ${false}`;

/**
 * A comment that has a place in a thread listing: visible, or a deleted one
 * kept as a tombstone because a visible comment hangs somewhere below it.
 * The recursive walk runs only for deleted comments (the OR short-cuts), and
 * both engines accept a correlated WITH RECURSIVE inside EXISTS.
 */
export const listedComment = (alias: string): Sql =>
  sql`(${visibleComment(alias)} OR EXISTS (WITH RECURSIVE below(id, "isDeleted") AS (SELECT r."id", r."isDeleted" FROM comment r WHERE r."parentId" = ${raw(alias)}."id" UNION ALL SELECT x."id", x."isDeleted" FROM comment x JOIN below ON x."parentId" = below.id) SELECT 1 FROM below WHERE ${visibleComment("below")}))`;

export const replyCountOf = (alias: string): Sql =>
  sql`(SELECT COUNT(*) FROM comment rc WHERE rc."parentId" = ${raw(alias)}."id" AND ${visibleComment("rc")})`;

export const commentCountOf = (alias: string): Sql =>
  sql`(SELECT COUNT(*) FROM comment cc WHERE cc."articleId" = ${raw(alias)}."id" AND ${visibleComment("cc")})`;

const byId = (alias: string, dir: "ASC" | "DESC"): SortKey => ({ expr: sql`${raw(alias)}."id"`, dir, kind: "int" });

export type ArticleOrderKey = "PUBLISHED_AT_DESC" | "PUBLISHED_AT_ASC" | "COMMENT_COUNT_DESC";
export type CommentOrderKey = "OLDEST" | "NEWEST" | "MOST_REPLIES";

export interface ArticleFilter {
  tagSlugIn?: string[] | null;
  section?: string | null;
  search?: string | null;
  publishedAfter?: Date | null;
  publishedBefore?: Date | null;
}

function articleSort(order: ArticleOrderKey): SortKey[] {
  switch (order) {
    case "PUBLISHED_AT_ASC":
      return [{ expr: sql`a."publishedAt"`, dir: "ASC", kind: "date" }, byId("a", "ASC")];
    case "COMMENT_COUNT_DESC":
      return [{ expr: commentCountOf("a"), dir: "DESC", kind: "int" }, byId("a", "DESC")];
    default:
      return [{ expr: sql`a."publishedAt"`, dir: "DESC", kind: "date" }, byId("a", "DESC")];
  }
}

/** LIKE pattern that matches `text` literally; `\` escapes are declared in the query. */
function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function articleList(filter: ArticleFilter, order: ArticleOrderKey): ListSpec {
  const where: Sql[] = [];
  if (filter.tagSlugIn && filter.tagSlugIn.length > 0) {
    where.push(
      sql`EXISTS (SELECT 1 FROM article_tag at JOIN tag t ON t."id" = at."tagId" WHERE at."articleId" = a."id" AND t."slug" IN ${list(filter.tagSlugIn)})`,
    );
  }
  if (filter.section) where.push(sql`a."sectionKey" = ${foldKey(filter.section)}`);
  // Every word must appear somewhere in the title or body.
  for (const word of (filter.search ?? "").split(/\s+/).filter(Boolean)) {
    where.push(sql`a."searchText" LIKE ${likePattern(word)} ESCAPE '\\'`);
  }
  if (filter.publishedAfter) where.push(sql`a."publishedAt" >= ${filter.publishedAfter}`);
  if (filter.publishedBefore) where.push(sql`a."publishedAt" < ${filter.publishedBefore}`);
  return { from: sql`article a`, id: sql`a."id"`, where, sort: articleSort(order) };
}

function commentSort(order: CommentOrderKey): SortKey[] {
  const position: SortKey = { expr: sql`c."position"`, dir: "ASC", kind: "int" };
  switch (order) {
    case "NEWEST":
      return [{ ...position, dir: "DESC" }, byId("c", "DESC")];
    case "MOST_REPLIES":
      return [{ expr: replyCountOf("c"), dir: "DESC", kind: "int" }, position, byId("c", "ASC")];
    default:
      return [position, byId("c", "ASC")];
  }
}

/** Top-level comments of articles, tombstones included. */
export function commentsOfArticles(order: CommentOrderKey): ListSpec {
  return {
    from: sql`comment c`,
    id: sql`c."id"`,
    partition: sql`c."articleId"`,
    where: [sql`c."parentId" IS NULL`, listedComment("c")],
    sort: commentSort(order),
  };
}

/** Direct replies of comments, tombstones included. */
export function repliesOfComments(order: CommentOrderKey): ListSpec {
  return {
    from: sql`comment c`,
    id: sql`c."id"`,
    partition: sql`c."parentId"`,
    where: [listedComment("c")],
    sort: commentSort(order),
  };
}

/** Visible comments grouped by a column: an article's (all depths) or a comment's direct replies. */
export function visibleCommentsBy(column: "articleId" | "parentId"): ListSpec {
  return { from: sql`comment c`, id: sql`c."id"`, partition: sql`c.${ident(column)}`, where: [visibleComment("c")], sort: [byId("c", "ASC")] };
}

/** An author's visible comments, newest first. */
export function commentsOfAuthors(): ListSpec {
  return {
    from: sql`comment c`,
    id: sql`c."id"`,
    partition: sql`c."authorId"`,
    where: [visibleComment("c")],
    sort: [byId("c", "DESC")],
  };
}

/** A tag's articles, newest first. */
export function articlesOfTags(): ListSpec {
  return {
    from: sql`article_tag at JOIN article a ON a."id" = at."articleId"`,
    id: sql`a."id"`,
    partition: sql`at."tagId"`,
    where: [],
    sort: articleSort("PUBLISHED_AT_DESC"),
  };
}

export function tagList(): ListSpec {
  return { from: sql`tag t`, id: sql`t."id"`, where: [], sort: [byId("t", "ASC")] };
}

export function authorList(): ListSpec {
  return { from: sql`author au`, id: sql`au."id"`, where: [], sort: [byId("au", "ASC")] };
}
