import { DataSource } from "typeorm";
import { list, sql } from "../db/sql";
import { articleLoaders } from "./article.loader";
import { authorLoaders } from "./author.loader";
import { byIdLoader, groupLoader } from "./batch.loader";
import { commentLoaders } from "./comment.loader";
import { reactionLoaders } from "./reaction.loader";
import { searchLoaders } from "./search.loader";
import { articleRows, authorRows, commentRows, readRows, relatedLinkRows, tagRows } from "./rows";
import { tagLoaders } from "./tag.loader";

/**
 * Every per-request loader. Made fresh for each request in buildContext, so caching never outlives
 * a request and tests can build them on any database. Rows by id sit at the top; each noun's
 * lists, counts and lookups sit under its own name, beside the definitions of its lists.
 */
export function createLoaders(db: DataSource) {
  const articleById = byIdLoader((ids) => readRows(db, articleRows, sql`a."id" IN ${list(ids)}`));
  const commentById = byIdLoader((ids) => readRows(db, commentRows, sql`c."id" IN ${list(ids)}`));
  const authorById = byIdLoader((ids) => readRows(db, authorRows, sql`au."id" IN ${list(ids)}`));
  const tagById = byIdLoader((ids) => readRows(db, tagRows, sql`t."id" IN ${list(ids)}`));
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
    comments: commentLoaders(db, commentById, authorById),
    reactions: reactionLoaders(db),
    tags: tagLoaders(db, tagById),
    authors: authorLoaders(db, authorById),
    search: searchLoaders(db, articleById, commentById),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
