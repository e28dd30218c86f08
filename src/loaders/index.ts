import { DataSource, In } from "typeorm";
import { Article, Author, Comment, RelatedLink, Tag } from "../entities";
import { articleLoaders } from "./article.loader";
import { authorLoaders } from "./author.loader";
import { byIdLoader, groupLoader } from "./batch.loader";
import { commentLoaders } from "./comment.loader";
import { searchLoaders } from "./search.loader";
import { tagLoaders } from "./tag.loader";

/**
 * Every per-request loader. Made fresh for each request in buildContext, so caching never outlives
 * a request and tests can build them on any database. Rows by id sit at the top; each noun's
 * lists, counts and lookups sit under its own name, beside the definitions of its lists.
 */
export function createLoaders(db: DataSource) {
  const articleById = byIdLoader((ids) => db.getRepository(Article).findBy({ id: In(ids) }));
  const commentById = byIdLoader((ids) => db.getRepository(Comment).findBy({ id: In(ids) }));
  const authorById = byIdLoader((ids) => db.getRepository(Author).findBy({ id: In(ids) }));
  const tagById = byIdLoader((ids) => db.getRepository(Tag).findBy({ id: In(ids) }));
  return {
    articleById,
    commentById,
    authorById,
    tagById,
    relatedLinkById: byIdLoader((ids) => db.getRepository(RelatedLink).findBy({ id: In(ids) })),
    relatedLinksByArticle: groupLoader(
      (articleIds: number[]) => db.getRepository(RelatedLink).find({ where: { articleId: In(articleIds) }, order: { position: "ASC" } }),
      (link) => link.articleId,
    ),

    articles: articleLoaders(db, articleById, tagById),
    comments: commentLoaders(db, commentById, authorById),
    tags: tagLoaders(db, tagById),
    authors: authorLoaders(db, authorById),
    search: searchLoaders(db, articleById, commentById),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
