/**
 * A comment's status as every writer changes it (moderators, flags, the screening of readers'
 * edits): in the writing transaction, with the stored counts and the search index brought in line
 * when its visibility changes (read/stored-counts.ts: the public sees PUBLISHED comments only).
 */
import { EntityManager } from "typeorm";
import { run, sql } from "../db/sql";
import { commentsChanged } from "../read/stored-counts";
import { Comment, CommentStatus } from "../entities";
import { featuredComment, isPublic, MAX_FEATURED_PER_ARTICLE, ruleSql } from "../policy";
import { reindexComments } from "../search/search-index";

/**
 * The article's featured comments as the cap counts them: featured and public (src/policy), so a
 * featured comment deleted or taken from the public frees its place.
 */
export async function featuredCount(manager: EntityManager, articleId: number): Promise<number> {
  const [row] = await run<{ n: number | string }>(
    manager,
    sql`SELECT COUNT(*) AS n FROM comment c WHERE c."articleId" = ${articleId} AND ${ruleSql(featuredComment, "c")}`,
  );
  return Number(row.n);
}

/**
 * Gives a comment a new status, bringing the counts and the search index in line when its
 * visibility changes. Returns whether the public could not see it before and can now.
 */
export async function changeStatus(manager: EntityManager, comment: Comment, status: CommentStatus): Promise<boolean> {
  const before = isPublic(comment);
  const after = isPublic({ isDeleted: comment.isDeleted, status });
  // A featured comment published again takes back its place only if the cap has room; else it is unfeatured.
  const featuredAt =
    after && !before && comment.featuredAt !== null && (await featuredCount(manager, comment.articleId)) >= MAX_FEATURED_PER_ARTICLE
      ? null
      : comment.featuredAt;
  await manager.update(Comment, { id: comment.id }, { status, featuredAt });
  if (before !== after) {
    await commentsChanged(manager, before ? { hidden: [comment] } : { shown: [comment] });
    await reindexComments(manager, [comment.id]);
  }
  return !before && after;
}
