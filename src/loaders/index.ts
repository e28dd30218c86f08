import DataLoader from "dataloader";
import { DataSource, In } from "typeorm";
import { articlesOfTags, CommentOrderKey, commentsOfArticles, commentsOfAuthors, repliesOfComments, visibleCommentsBy } from "../db/lists";
import { Article, ArticleTag, Author, Comment, RelatedLink, Tag } from "../entities";
import { byIdLoader, countLoader, groupLoader, MAX_BATCH, pageLoader } from "./page.loader";

/**
 * Every per-request loader. Made fresh for each request in buildContext, so
 * caching never outlives a request and tests can build them on any database.
 */
export function createLoaders(db: DataSource) {
  const articleRepo = db.getRepository(Article);
  const commentRepo = db.getRepository(Comment);
  return {
    articleById: byIdLoader((ids) => articleRepo.findBy({ id: In(ids) })),
    commentById: byIdLoader((ids) => commentRepo.findBy({ id: In(ids) })),
    authorById: byIdLoader((ids) => db.getRepository(Author).findBy({ id: In(ids) })),
    tagById: byIdLoader((ids) => db.getRepository(Tag).findBy({ id: In(ids) })),
    relatedLinkById: byIdLoader((ids) => db.getRepository(RelatedLink).findBy({ id: In(ids) })),

    tagsByArticle: new DataLoader<number, Tag[]>(
      async (articleIds) => {
        const rows = await db.getRepository(ArticleTag).find({
          where: { articleId: In([...articleIds]) },
          relations: { tag: true },
          order: { position: "ASC" },
        });
        const byArticle = new Map<number, Tag[]>();
        for (const row of rows) byArticle.set(row.articleId, [...(byArticle.get(row.articleId) ?? []), row.tag!]);
        return articleIds.map((id) => byArticle.get(id) ?? []);
      },
      { maxBatchSize: MAX_BATCH },
    ),
    relatedLinksByArticle: groupLoader(
      (articleIds: number[]) =>
        db.getRepository(RelatedLink).find({ where: { articleId: In(articleIds) }, order: { position: "ASC" } }),
      (link) => link.articleId,
    ),
    /** The article a related headline names: the newest one with exactly that title. */
    articleByTitle: new DataLoader<string, Article | null>(
      async (titles) => {
        const rows = await articleRepo.find({ where: { title: In([...titles]) }, order: { publishedAt: "DESC", id: "DESC" } });
        const byTitle = new Map<string, Article>();
        for (const row of rows) if (!byTitle.has(row.title)) byTitle.set(row.title, row);
        return titles.map((title) => byTitle.get(title) ?? null);
      },
      { maxBatchSize: MAX_BATCH },
    ),

    commentCountByArticle: countLoader(db, visibleCommentsBy("articleId")),
    replyCountByComment: countLoader(db, visibleCommentsBy("parentId")),
    articleCountByTag: countLoader(db, articlesOfTags()),
    commentCountByAuthor: countLoader(db, commentsOfAuthors()),

    commentPagesByArticle: pageLoader<CommentOrderKey>(db, commentsOfArticles),
    listedCommentCountByArticle: countLoader(db, commentsOfArticles("OLDEST")),
    replyPagesByComment: pageLoader<CommentOrderKey>(db, repliesOfComments),
    listedReplyCountByComment: countLoader(db, repliesOfComments("OLDEST")),
    articlePagesByTag: pageLoader<"PUBLISHED_AT_DESC">(db, () => articlesOfTags()),
    commentPagesByAuthor: pageLoader<"NEWEST">(db, () => commentsOfAuthors()),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
