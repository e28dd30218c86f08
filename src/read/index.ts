import { DataSource } from "typeorm";
import { ANONYMOUS, Caller } from "../auth/caller";
import { list, sql } from "../db/sql";
import { articleLoaders } from "./article.loader";
import { authorLoaders } from "./author.loader";
import { byIdLoader, groupLoader } from "./batch.loader";
import { Viewer, viewerOf } from "../policy";
import { commentLoaders } from "./comment.loader";
import { notificationLoaders } from "./notification.loader";
import { reactionLoaders } from "./reaction.loader";
import { searchLoaders } from "./search.loader";
import { articleRows, authorRows, commentFlagRows, commentRows, moderationActionRows, readRows, relatedLinkRows, tagRows } from "./rows";
import { tagLoaders } from "./tag.loader";

/**
 * Every per-request loader. Made fresh for each request in buildContext, so caching never outlives
 * a request and tests can build them on any database. Rows by id sit at the top; each noun's
 * lists, counts and lookups sit under its own name, beside the definitions of its lists.
 * `caller` decides which comments the lists show (see comment.loader.ts).
 */
export function createLoaders(db: DataSource, caller: Caller = ANONYMOUS, shared: SharedReads = {}) {
  const { articleById, commentById, authorById, tagById } = shared.rows ?? createRowLoaders(db);
  // The author lists ask who is looking; the viewer is looked up by the reader's author row,
  // unless it is known already (the subscribers of one live event who see alike).
  const authors = authorLoaders(db, authorById, () => viewer());
  const known = shared.viewer ? Promise.resolve(shared.viewer) : null;
  const viewer = known ? () => known : viewerOf(caller, async (sub) => (await authors.bySub(sub))?.id ?? null);
  return {
    articleById,
    commentById,
    authorById,
    tagById,
    relatedLinkById: byIdLoader((ids) => readRows(db, relatedLinkRows, sql`rl."id" IN ${list(ids)}`)),
    relatedLinksByArticle: groupLoader(
      (articleIds: number[]) => readRows(db, relatedLinkRows, sql`rl."articleId" IN ${list(articleIds)}`, sql`rl."position" ASC`),
      (link) => link.articleId,
    ),

    articles: articleLoaders(db, articleById, tagById),
    /** Comment.moderationHistory, oldest first. */
    moderationActionsByComment: groupLoader(
      (commentIds: number[]) => readRows(db, moderationActionRows, sql`ma."commentId" IN ${list(commentIds)}`, sql`ma."id" ASC`),
      (action) => action.commentId!,
    ),
    /** Comment.flags, oldest first. */
    flagsByComment: groupLoader(
      (commentIds: number[]) => readRows(db, commentFlagRows, sql`cf."commentId" IN ${list(commentIds)}`, sql`cf."id" ASC`),
      (flag) => flag.commentId,
    ),
    /** Author.moderationHistory (the sanctions on them), oldest first. */
    moderationActionsByAuthor: groupLoader(
      (authorIds: number[]) => readRows(db, moderationActionRows, sql`ma."authorId" IN ${list(authorIds)}`, sql`ma."id" ASC`),
      (action) => action.authorId!,
    ),
    comments: commentLoaders(db, commentById, authorById, viewer),
    /** The caller as the visibility rules see them (src/policy; asked once per request, and only when needed). */
    viewer,
    reactions: reactionLoaders(db),
    /** The calling reader's notifications (only ever theirs). */
    notifications: notificationLoaders(db, caller),
    tags: tagLoaders(db, tagById),
    authors,
    search: searchLoaders(db, articleById, commentById),
  };
}

/**
 * Rows by id: the same for every caller, so several callers may share them (the subscribers of
 * one live event, see discussion/comment-feed.ts).
 */
export function createRowLoaders(db: DataSource) {
  return {
    articleById: byIdLoader((ids) => readRows(db, articleRows, sql`a."id" IN ${list(ids)}`)),
    commentById: byIdLoader((ids) => readRows(db, commentRows, sql`c."id" IN ${list(ids)}`)),
    authorById: byIdLoader((ids) => readRows(db, authorRows, sql`au."id" IN ${list(ids)}`)),
    tagById: byIdLoader((ids) => readRows(db, tagRows, sql`t."id" IN ${list(ids)}`)),
  };
}

export type RowLoaders = ReturnType<typeof createRowLoaders>;

/** What a caller's loaders may take from elsewhere instead of reading it: rows by id, and who the caller is. */
export interface SharedReads {
  rows?: RowLoaders;
  viewer?: Viewer;
}

export type Loaders = ReturnType<typeof createLoaders>;
