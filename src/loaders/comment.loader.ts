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
import { list, raw, run, Sql, sql } from "../db/sql";
import type { Comment } from "../entities";
import type { Author } from "../entities";
import { MAX_BATCH, storedCountLoader } from "./batch.loader";
import { countLoader, cursorOfRow, ListDef, PageArgs, perParentConnections, SortKey } from "./connection";
import { commentRows } from "./rows";

/** A comment readers can see. */
export const visibleComment = (alias: string): Sql => sql`${raw(alias)}."isDeleted" = ${false}`;

/** The tombstone rule in SQL, on the row alone: visible, or with a listed reply below it. */
export const listedComment = (alias: string): Sql => sql`(${visibleComment(alias)} OR ${raw(alias)}."replyCount" > 0)`;

export type CommentOrderKey = "OLDEST" | "NEWEST" | "MOST_REPLIES" | "MOST_REACTIONS";

const position: SortKey = { expr: sql`c."position"`, dir: "ASC", type: "int" };
const idAscending: SortKey = { expr: sql`c."id"`, dir: "ASC", type: "int" };
const idDescending: SortKey = { expr: sql`c."id"`, dir: "DESC", type: "int" };

const threadOrders: Record<CommentOrderKey, SortKey[]> = {
  OLDEST: [position, idAscending],
  NEWEST: [{ ...position, dir: "DESC" }, idDescending],
  MOST_REPLIES: [{ expr: sql`c."replyCount"`, dir: "DESC", type: "count" }, position, idAscending],
  MOST_REACTIONS: [{ expr: sql`c."reactionCount"`, dir: "DESC", type: "count" }, position, idAscending],
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

/**
 * Hops a walk up a thread takes at most. Parents are always older than their replies, so a chain
 * cannot loop; the bound keeps a damaged row from running a statement until its timeout.
 */
const MAX_ANCESTRY = 100_000;

/**
 * The comments above each of `ids`, root first, in one statement whatever their depth: a recursive
 * walk up the parent ids, joined to the rows. Each row found primes `byId`, so a field that then
 * asks for a parent by id reads nothing more.
 */
function ancestorsLoader(db: DataSource, byId: DataLoader<number, Comment | null>) {
  return new DataLoader<number, Comment[]>(
    async (ids) => {
      const rows = await run(
        db,
        sql`WITH RECURSIVE up("origin", "ancestorId", "hops") AS (
          SELECT c."id", c."parentId", 1 FROM comment c WHERE c."id" IN ${list([...ids])} AND c."parentId" IS NOT NULL
          UNION ALL
          SELECT up."origin", c."parentId", up."hops" + 1 FROM up JOIN comment c ON c."id" = up."ancestorId"
          WHERE c."parentId" IS NOT NULL AND up."hops" < ${MAX_ANCESTRY}
        )
        SELECT up."origin" AS "origin", up."hops" AS "hops", ${commentRows.columns} FROM up JOIN ${commentRows.from} ON c."id" = up."ancestorId"`,
      );
      const chains = new Map<number, { hops: number; comment: Comment }[]>();
      for (const row of rows) {
        const comment = commentRows.build(row);
        byId.prime(comment.id, comment);
        const origin = Number(row.origin);
        const chain = chains.get(origin) ?? [];
        chain.push({ hops: Number(row.hops), comment });
        chains.set(origin, chain);
      }
      // The root is the farthest hop up.
      return ids.map((id) => (chains.get(id) ?? []).sort((a, b) => b.hops - a.hops).map((link) => link.comment));
    },
    { maxBatchSize: MAX_BATCH },
  );
}

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
  const ancestors = ancestorsLoader(db, byId);
  return {
    /** Article.comments: listed top-level comments. */
    forArticle: (articleId: number, args: CommentListArgs) => topLevel(articleId, args.orderBy ?? "OLDEST", args),
    /** Comment.replies: listed direct replies. */
    forParent: (commentId: number, args: CommentListArgs) => replies(commentId, args.orderBy ?? "OLDEST", args),
    /** Author.comments: visible comments, newest first. */
    forAuthor: (authorId: number, args: PageArgs) => byAuthor(authorId, "NEWEST", args),
    /** Comment.ancestors: the comments above one, root first ([] at the top level). */
    ancestors: (comment: Comment): Promise<Comment[]> | Comment[] => (comment.parentId === null ? [] : ancestors.load(comment.id)),
    /**
     * The cursor of a comment in the list it belongs to, in `order`: Article.comments of its article
     * for a top-level comment, Comment.replies of its parent for a reply.
     */
    cursorInThread: async (comment: Comment, order: CommentOrderKey): Promise<string> => {
      const cursor =
        comment.parentId === null
          ? await cursorOfRow(db, topLevelOfArticles, order, comment.articleId, comment.id)
          : await cursorOfRow(db, repliesOfComments, order, comment.parentId, comment.id);
      if (cursor === null) throw new Error(`comment ${comment.id} is gone`);
      return cursor;
    },
  };
}
