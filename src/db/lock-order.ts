/**
 * The one order in which writes take rows, on both engines: an article's row first, then its
 * comments' rows in id order, then shared rows (authors, tags, stored_count), which the stored
 * counts' increments take in id order (read/stored-counts.ts). Every write that touches a comment takes
 * its article and comments here, so a comment is locked only by a write that holds its article:
 * writes to one discussion queue at the article, and no two can wait on each other in a cycle.
 * (One exception: a reader's author row is renamed from their token before the counts change, so
 * two renamed readers deleting each other's comments at once could meet; inTransaction's retry
 * covers that.) The site-wide moderation queue counts (stored_count "queue.*", queue-counts.ts) are
 * taken last of all, after authors; a write that spans articles (banAuthor's rejectExisting) takes
 * every article and its comments in article id order before any shared row. PostgreSQL locks the
 * rows (FOR UPDATE); SQLite runs one write at a time and just reads them.
 */
import { EntityManager } from "typeorm";
import { Article, Comment } from "../entities";
import { isPostgres } from "./data-source";

export interface LockedArticle {
  article: Article;
  /** The comments asked for that belong to the article, by id. */
  comments: Map<number, Comment>;
}

/**
 * Takes an article's row, then those of `commentIds` that belong to it, in id order. Null when
 * there is no such article. A comment of another article is left out (and unlocked): it is locked
 * only under its own article.
 */
export async function lockArticle(manager: EntityManager, articleId: number, commentIds: number[] = []): Promise<LockedArticle | null> {
  const postgres = isPostgres(manager.connection);
  const articleQuery = manager.createQueryBuilder(Article, "a").where("a.id = :articleId", { articleId });
  if (postgres) articleQuery.setLock("pessimistic_write");
  const article = await articleQuery.getOne();
  if (!article) return null;
  const comments = new Map<number, Comment>();
  const ids = [...new Set(commentIds)].sort((x, y) => x - y);
  if (ids.length > 0) {
    const commentQuery = manager
      .createQueryBuilder(Comment, "c")
      .where("c.id IN (:...ids) AND c.articleId = :articleId", { ids, articleId })
      .orderBy("c.id", "ASC");
    if (postgres) commentQuery.setLock("pessimistic_write");
    for (const comment of await commentQuery.getMany()) comments.set(comment.id, comment);
  }
  return { article, comments };
}

/**
 * Takes the article of a comment, then the comment: what every write that names a comment starts
 * with. Null when there is no such comment. Which article is read before any lock is taken; a
 * comment never moves to another article, so that read stays true.
 */
export async function lockComment(manager: EntityManager, commentId: number): Promise<{ article: Article; comment: Comment } | null> {
  const found = await manager.createQueryBuilder(Comment, "c").select(["c.id", "c.articleId"]).where("c.id = :commentId", { commentId }).getOne();
  if (!found) return null;
  const locked = await lockArticle(manager, found.articleId, [commentId]);
  const comment = locked?.comments.get(commentId);
  return locked && comment ? { article: locked.article, comment } : null;
}
