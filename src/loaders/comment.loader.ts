/**
 * Comment lists and the counts that go with them.
 *
 * The tombstone rule, stated here once: a comment is listed (in Article.comments, Comment.replies)
 * when it is visible, or when it is deleted and a visible comment hangs somewhere below it; then
 * it is served as a tombstone. Every count is the size of a list a client can walk:
 * - Comment.replyCount is Comment.replies.totalCount: listed direct replies, tombstones included;
 * - Article.commentCount is the visible comments at any depth, and each of them is reachable from
 *   Article.comments, since every comment above a visible one is listed;
 * - Author.commentCount is Author.comments.totalCount: the author's visible comments.
 */
import DataLoader from "dataloader";
import { DataSource } from "typeorm";
import { raw, Sql, sql } from "../db/sql";
import type { Comment } from "../entities";
import { countLoader, ListDef, PageArgs, perParentConnections, RowSet, SortKey } from "./connection";

/** A comment readers can see. */
export const visibleComment = (alias: string): Sql => sql`${raw(alias)}."isDeleted" = ${false}`;

/**
 * The tombstone rule in SQL. The recursive walk runs only for deleted comments (the OR
 * short-cuts), and both engines accept a correlated WITH RECURSIVE inside EXISTS.
 */
export const listedComment = (alias: string): Sql =>
  sql`(${visibleComment(alias)} OR EXISTS (WITH RECURSIVE below(id, "isDeleted") AS (SELECT r."id", r."isDeleted" FROM comment r WHERE r."parentId" = ${raw(alias)}."id" UNION ALL SELECT x."id", x."isDeleted" FROM comment x JOIN below ON x."parentId" = below.id) SELECT 1 FROM below WHERE ${visibleComment("below")}))`;

/** Comment.replyCount of the comment `alias`, as a sort key. */
const replyCountOf = (alias: string): Sql =>
  sql`(SELECT COUNT(*) FROM comment rc WHERE rc."parentId" = ${raw(alias)}."id" AND ${listedComment("rc")})`;

/** Article.commentCount of the article `alias`, as a sort key. */
export const commentCountOf = (alias: string): Sql =>
  sql`(SELECT COUNT(*) FROM comment cc WHERE cc."articleId" = ${raw(alias)}."id" AND ${visibleComment("cc")})`;

export type CommentOrderKey = "OLDEST" | "NEWEST" | "MOST_REPLIES";

const position: SortKey = { expr: sql`c."position"`, dir: "ASC", type: "int" };
const idAscending: SortKey = { expr: sql`c."id"`, dir: "ASC", type: "int" };
const idDescending: SortKey = { expr: sql`c."id"`, dir: "DESC", type: "int" };

const threadOrders: Record<CommentOrderKey, SortKey[]> = {
  OLDEST: [position, idAscending],
  NEWEST: [{ ...position, dir: "DESC" }, idDescending],
  MOST_REPLIES: [{ expr: replyCountOf("c"), dir: "DESC", type: "count" }, position, idAscending],
};

const topLevelOfArticles: ListDef<CommentOrderKey> = {
  name: "Article.comments",
  from: sql`comment c`,
  id: sql`c."id"`,
  partition: sql`c."articleId"`,
  where: [sql`c."parentId" IS NULL`, listedComment("c")],
  orders: threadOrders,
};

const repliesOfComments: ListDef<CommentOrderKey> = {
  name: "Comment.replies",
  from: sql`comment c`,
  id: sql`c."id"`,
  partition: sql`c."parentId"`,
  where: [listedComment("c")],
  orders: threadOrders,
};

const ofAuthors: ListDef<"NEWEST"> = {
  name: "Author.comments",
  from: sql`comment c`,
  id: sql`c."id"`,
  partition: sql`c."authorId"`,
  where: [visibleComment("c")],
  orders: { NEWEST: [idDescending] },
};

const visibleOfArticles: RowSet = { from: sql`comment c`, partition: sql`c."articleId"`, where: [visibleComment("c")] };

/** Thread lists also take an order. */
export interface CommentListArgs extends PageArgs {
  orderBy?: CommentOrderKey | null;
}

/** Per-request comment lists and counts; `byId` serves the nodes. */
export function commentLoaders(db: DataSource, byId: DataLoader<number, Comment | null>) {
  const topLevelCount = countLoader(db, topLevelOfArticles);
  const replyCount = countLoader(db, repliesOfComments);
  const authorCount = countLoader(db, ofAuthors);
  const visibleCount = countLoader(db, visibleOfArticles);
  const topLevel = perParentConnections(db, topLevelOfArticles, byId, topLevelCount);
  const replies = perParentConnections(db, repliesOfComments, byId, replyCount);
  const byAuthor = perParentConnections(db, ofAuthors, byId, authorCount);
  return {
    /** Article.comments: listed top-level comments. */
    forArticle: (articleId: number, args: CommentListArgs) => topLevel(articleId, args.orderBy ?? "OLDEST", args),
    /** Comment.replies: listed direct replies. */
    forParent: (commentId: number, args: CommentListArgs) => replies(commentId, args.orderBy ?? "OLDEST", args),
    /** Author.comments: visible comments, newest first. */
    forAuthor: (authorId: number, args: PageArgs) => byAuthor(authorId, "NEWEST", args),
    /** Article.commentCount. */
    countForArticle: (articleId: number) => visibleCount.load(articleId),
    /** Comment.replyCount, the same count as Comment.replies.totalCount. */
    replyCount: (commentId: number) => replyCount.load(commentId),
    /** Author.commentCount, the same count as Author.comments.totalCount. */
    countForAuthor: (authorId: number) => authorCount.load(authorId),
  };
}
