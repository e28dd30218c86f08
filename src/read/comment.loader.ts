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
 * The counts are stored in the rows and kept by the writers (read/stored-counts.ts), and replyCount
 * also decides the rule itself: a comment has a visible comment below it exactly when it has a
 * listed reply.
 *
 * Visible means visible to the public: not deleted and PUBLISHED. Who sees what besides is the
 * policy's (src/policy): each list takes the viewer's rule as one more condition, and anyone who
 * sees more than the public has their totalCounts counted for them (the stored counts, and so
 * commentCount, replyCount and Author.commentCount, stay the public's).
 */
import DataLoader from "dataloader";
import { DataSource } from "typeorm";
import { list, run, Sql, sql } from "../db/sql";
import { canFindComment, featuredComment, listedComment, MAX_FEATURED_PER_ARTICLE, ruleSql, seenComment, Viewer } from "../policy";
import type { Comment } from "../entities";
import type { Author } from "../entities";
import { ModerationQueue } from "../entities/desk-enums";
import { QUEUE_RULES } from "../policy/moderation-queues";
import { QueueCounts, storedQueueCounts } from "./queue-counts";
import { groupLoader, MAX_BATCH, noteList, storedCountLoader } from "./batch.loader";
import { cursorOfRow, ListDef, listConnection, PageArgs, perParentConnections, SortKey } from "./connection";
import { commentRows, readRows } from "./rows";

/** A list definition as the viewer sees it: its own conditions and the viewer's rule on the comment. */
function forViewer<O extends string>(def: ListDef<O>, rule: Sql): ListDef<O> {
  return { ...def, where: [...def.where, rule] };
}

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
  where: [sql`c."parentId" IS NULL`],
  orders: threadOrders,
};

const repliesOfComments: ListDef<CommentOrderKey> = {
  name: "Comment.replies",
  from: sql`comment c`,
  id: sql`c."id"`,
  partition: sql`c."parentId"`,
  where: [],
  orders: threadOrders,
};

const ofAuthors: ListDef<"NEWEST"> = {
  name: "Author.comments",
  from: sql`comment c`,
  id: sql`c."id"`,
  partition: sql`c."authorId"`,
  where: [],
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

/** The queues read oldest first (what waits longest comes first); the others newest first. */
const OLDEST_FIRST: ModerationQueue[] = [ModerationQueue.PENDING, ModerationQueue.REPORTED];

/** One moderation queue (policy/moderation-queues.ts), on every article or on one, in its order. */
function queueOf(queue: ModerationQueue, articleId: number | null): ListDef<"QUEUE"> {
  return {
    name: `moderationQueue.${queue}.${articleId ?? "all"}`,
    from: sql`comment c`,
    id: sql`c."id"`,
    where: [ruleSql(QUEUE_RULES[queue], "c"), ...(articleId === null ? [] : [sql`c."articleId" = ${articleId}`])],
    orders: { QUEUE: [OLDEST_FIRST.includes(queue) ? idAscending : idDescending] },
  };
}

/** Which ModerationCounts field holds a queue's stored size; APPROVED has none. */
const COUNTED_FIELD: Record<ModerationQueue, keyof QueueCounts | null> = {
  PENDING: "pending",
  REPORTED: "reported",
  UNMODERATED: "unmoderated",
  REJECTED: "rejected",
  APPROVED: null,
};

/** Thread lists also take an order. */
export interface CommentListArgs extends PageArgs {
  orderBy?: CommentOrderKey | null;
}

/**
 * A viewer's rule as SQL on `comment c`. The public's and the moderators' are the same on every
 * request, so they are written once; a reader's names the reader.
 */
function viewerSql(rule: ViewerRule, viewer: Viewer): Sql {
  if (viewer.kind === "author") return ruleSql(rule(viewer), "c");
  let shared = sharedViewerSql.get(rule);
  if (shared === undefined) sharedViewerSql.set(rule, (shared = { public: null, moderator: null }));
  return (shared[viewer.kind] ??= ruleSql(rule(viewer), "c"));
}

type ViewerRule = typeof listedComment;

const sharedViewerSql = new Map<ViewerRule, Record<"public" | "moderator", Sql | null>>();

/** The three lists as one viewer sees them. */
function viewerLists(db: DataSource, viewer: Viewer, byId: DataLoader<number, Comment | null>, authorById: DataLoader<number, Author | null>) {
  const listed = viewerSql(listedComment, viewer);
  const topLevelDef = forViewer(topLevelOfArticles, listed);
  const repliesDef = forViewer(repliesOfComments, listed);
  const byAuthorDef = forViewer(ofAuthors, viewerSql(seenComment, viewer));
  // The public's totals are the stored counts; anyone who sees more has theirs counted.
  const publicView = viewer.kind === "public";
  return {
    topLevel: perParentConnections(db, topLevelDef, byId, "counted", commentRows),
    replies: perParentConnections(db, repliesDef, byId, publicView ? storedCountLoader(byId, (comment) => comment.replyCount) : "counted", commentRows),
    byAuthor: perParentConnections(db, byAuthorDef, byId, publicView ? storedCountLoader(authorById, (author) => author.commentCount) : "counted"),
  };
}

/**
 * Per-request comment lists; `byId` serves the nodes, and with `authorById` the lists' stored
 * totals (the parents are loaded already wherever a list hangs off them). `viewer` says whose
 * lists they are; it is only asked for (a signed-in reader's author row is looked up then) when a
 * list is read, and an anonymous request knows it without asking.
 */
export function commentLoaders(
  db: DataSource,
  byId: DataLoader<number, Comment | null>,
  authorById: DataLoader<number, Author | null>,
  viewer: () => Promise<Viewer>,
) {
  let lists: Promise<ReturnType<typeof viewerLists>> | null = null;
  const mine = () => (lists ??= viewer().then((seen) => viewerLists(db, seen, byId, authorById)));
  const featuredByArticle = groupLoader(
    (articleIds: number[]) =>
      readRows(db, commentRows, sql`c."articleId" IN ${list(articleIds)} AND ${ruleSql(featuredComment, "c")}`, sql`c."featuredAt" DESC, c."id" DESC`),
    (comment) => comment.articleId,
  );
  const ancestors = ancestorsLoader(db, byId);
  return {
    /** Article.comments: listed top-level comments; `withCount`: the caller shows their totalCount. */
    forArticle: async (articleId: number, args: CommentListArgs, withCount = false) =>
      (await mine()).topLevel(articleId, args.orderBy ?? "OLDEST", args, withCount),
    /** Comment.replies: listed direct replies; `withCount`: the caller shows their totalCount. */
    forParent: async (commentId: number, args: CommentListArgs, withCount = false) =>
      (await mine()).replies(commentId, args.orderBy ?? "OLDEST", args, withCount),
    /** Author.comments: visible comments, newest first. */
    forAuthor: async (authorId: number, args: PageArgs) => (await mine()).byAuthor(authorId, "NEWEST", args),
    /**
     * Query.moderationQueue: one queue, site-wide or of one article (callers check the right to see
     * it). A counted queue's totalCount is its stored count (read/queue-counts.ts); APPROVED is counted.
     */
    moderationQueue(queue: ModerationQueue, articleId: number | null, args: PageArgs) {
      const def = queueOf(queue, articleId);
      const counted = COUNTED_FIELD[queue];
      const stored = counted ? { total: async () => (await storedQueueCounts(db, articleId))?.[counted] ?? 0 } : undefined;
      return listConnection(db, def, "QUEUE", args, byId, stored, commentRows);
    },
    /** Article.featuredComments: featured public comments, most recently featured first, at most the cap. */
    async featured(articleId: number): Promise<Comment[]> {
      noteList(byId, "Article.comments", articleId);
      return (await featuredByArticle.load(articleId)).slice(0, MAX_FEATURED_PER_ARTICLE);
    },
    /**
     * comment(id), node(id): the comment when the viewer may find it (one they see, a tombstone
     * kept for visible replies, anything for a moderator); null otherwise, as for an unknown id.
     */
    async found(id: number): Promise<Comment | null> {
      const comment = await byId.load(id);
      return comment !== null && canFindComment(await viewer(), comment) ? comment : null;
    },
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
