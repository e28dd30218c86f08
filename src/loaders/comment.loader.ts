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
 * The counts are stored in the rows and kept by the writers (db/stored-counts.ts), and replyCount
 * also decides the rule itself: a comment has a visible comment below it exactly when it has a
 * listed reply.
 */
import DataLoader from "dataloader";
import { DataSource } from "typeorm";
import { raw, Sql, sql } from "../db/sql";
import type { Comment } from "../entities";
import type { Author } from "../entities";
import { storedCountLoader } from "./batch.loader";
import { countLoader, ListDef, PageArgs, perParentConnections, SortKey } from "./connection";

/** A comment readers can see. */
export const visibleComment = (alias: string): Sql => sql`${raw(alias)}."isDeleted" = ${false}`;

/** The tombstone rule in SQL, on the row alone: visible, or with a listed reply below it. */
export const listedComment = (alias: string): Sql => sql`(${visibleComment(alias)} OR ${raw(alias)}."replyCount" > 0)`;

export type CommentOrderKey = "OLDEST" | "NEWEST" | "MOST_REPLIES";

const position: SortKey = { expr: sql`c."position"`, dir: "ASC", type: "int" };
const idAscending: SortKey = { expr: sql`c."id"`, dir: "ASC", type: "int" };
const idDescending: SortKey = { expr: sql`c."id"`, dir: "DESC", type: "int" };

const threadOrders: Record<CommentOrderKey, SortKey[]> = {
  OLDEST: [position, idAscending],
  NEWEST: [{ ...position, dir: "DESC" }, idDescending],
  MOST_REPLIES: [{ expr: sql`c."replyCount"`, dir: "DESC", type: "count" }, position, idAscending],
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

/** Thread lists also take an order. */
export interface CommentListArgs extends PageArgs {
  orderBy?: CommentOrderKey | null;
}

/**
 * Per-request comment lists; `byId` serves the nodes, and with `authorById` the lists' stored
 * totals (the parents are loaded already wherever a list hangs off them).
 */
export function commentLoaders(db: DataSource, byId: DataLoader<number, Comment | null>, authorById: DataLoader<number, Author | null>) {
  const topLevelCount = countLoader(db, topLevelOfArticles);
  const topLevel = perParentConnections(db, topLevelOfArticles, byId, topLevelCount);
  const replies = perParentConnections(db, repliesOfComments, byId, storedCountLoader(byId, (comment) => comment.replyCount));
  const byAuthor = perParentConnections(db, ofAuthors, byId, storedCountLoader(authorById, (author) => author.commentCount));
  return {
    /** Article.comments: listed top-level comments. */
    forArticle: (articleId: number, args: CommentListArgs) => topLevel(articleId, args.orderBy ?? "OLDEST", args),
    /** Comment.replies: listed direct replies. */
    forParent: (commentId: number, args: CommentListArgs) => replies(commentId, args.orderBy ?? "OLDEST", args),
    /** Author.comments: visible comments, newest first. */
    forAuthor: (authorId: number, args: PageArgs) => byAuthor(authorId, "NEWEST", args),
  };
}
