import { DataSource } from "typeorm";
import { ANONYMOUS, Caller } from "../auth/caller";
import { list, sql } from "../db/sql";
import { articleLoaders } from "./article.loader";
import { authorLoaders } from "./author.loader";
import { byIdLoader, groupLoader } from "./batch.loader";
import { viewerOf } from "../policy";
import { commentLoaders } from "./comment.loader";
import { reactionLoaders } from "./reaction.loader";
import { searchLoaders } from "./search.loader";
import { articleRows, authorRows, commentRows, moderationActionRows, readRows, relatedLinkRows, tagRows } from "./rows";
import { tagLoaders } from "./tag.loader";

/**
 * Every per-request loader. Made fresh for each request in buildContext, so caching never outlives
 * a request and tests can build them on any database. Rows by id sit at the top; each noun's
 * lists, counts and lookups sit under its own name, beside the definitions of its lists.
 * `caller` decides which comments the lists show (see comment.loader.ts).
 */
export function createLoaders(db: DataSource, caller: Caller = ANONYMOUS) {
  const articleById = byIdLoader((ids) => readRows(db, articleRows, sql`a."id" IN ${list(ids)}`));
  const commentById = byIdLoader((ids) => readRows(db, commentRows, sql`c."id" IN ${list(ids)}`));
  const authorById = byIdLoader((ids) => readRows(db, authorRows, sql`au."id" IN ${list(ids)}`));
  const tagById = byIdLoader((ids) => readRows(db, tagRows, sql`t."id" IN ${list(ids)}`));
  // The author lists ask who is looking; the viewer is looked up by the reader's author row.
  const authors = authorLoaders(db, authorById, () => viewer());
  const viewer = viewerOf(caller, async (sub) => (await authors.bySub(sub))?.id ?? null);
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
      (action) => action.commentId,
    ),
    comments: commentLoaders(db, commentById, authorById, viewer),
    /** The caller as the visibility rules see them (src/policy; asked once per request, and only when needed). */
    viewer,
    reactions: reactionLoaders(db),
    tags: tagLoaders(db, tagById),
    authors,
    search: searchLoaders(db, articleById, commentById),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
