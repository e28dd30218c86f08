/**
 * A changed dump of a stored article: its tags, related headlines and comments brought in line
 * with the dump. The dump is the source for what it brought and only for that: comments posted
 * through the API, and what moderators did to imported ones, are the site's own.
 */
import { EntityManager, In } from "typeorm";
import { CountedComment, commentsChanged, taggingsChanged } from "../read/stored-counts";
import { queueMove, queuesChanged } from "../read/queue-counts";
import { ArticleTag, Comment, CommentStatus, RelatedLink, Tag } from "../entities";
import { isPublic } from "../policy";
import type { ParsedComment } from "./dump.types";
import { alignComments, commentImportKey } from "./comment-alignment";
import { deleteByIds, insertRows, mustGet, updateByIds, updateIntegerColumn } from "../db/bulk-sql";
import { resolveAuthors } from "./shared-rows";
import { reindexComments, unindexComments } from "../search/search-index";

/** Rows for comments as a dump gives them, at the positions given. */
export function importedCommentRows(articleId: number, comments: ParsedComment[], authorIds: Map<string, number>, positions: number[]): Partial<Comment>[] {
  return comments.map((comment, index) => ({
    articleId,
    authorId: comment.author === null ? null : mustGet(authorIds, comment.author, "author"),
    body: comment.body,
    hasAvatar: comment.hasAvatar,
    position: positions[index],
    imported: true,
    importKey: commentImportKey(comment.author, comment.body),
    // parentId, createdAt and editedAt stay NULL, depth 0, isDeleted and removedByImport false by
    // the column defaults: left out, they cost no bound parameters in the bulk insert.
  }));
}

interface TopLevelRow {
  id: number;
  authorId: number | null;
  replyCount: number;
  position: number;
  imported: boolean;
  importKey: string | null;
  hasAvatar: boolean;
  isDeleted: boolean;
  /** A comment a moderator held or rejected is counted nowhere, deleted or not. */
  status: CommentStatus;
  removedByImport: boolean;
  /** With status and isDeleted, what decides its moderation queues. */
  flagCount: number;
  needsReviewSince: Date | null;
}

/**
 * Aligns the dump's comments with the stored top-level ones by content (see alignComments) and
 * writes the outcome:
 * - a matched comment keeps its row as it is, so a moderator's edit or deletion stands; only the
 *   avatar flag follows the dump, and a comment that an earlier dump had removed comes back;
 * - a new comment gets a new row at its place in thread order, later siblings shifted up;
 * - a comment gone from the dump is deleted as deleteComment deletes (the row stays, hidden, a
 *   tombstone while a visible reply hangs below it), and marked as removed by the import so it
 *   can come back if a later dump has it again. A moderator's deletion is not so marked.
 * No row ever takes another comment's text, and no reply changes parent.
 */
export async function reconcileComments(manager: EntityManager, articleId: number, wanted: ParsedComment[]): Promise<void> {
  const rows: TopLevelRow[] = (
    await manager
      .createQueryBuilder(Comment, "c")
      .select([
        "c.id",
        "c.authorId",
        "c.replyCount",
        "c.position",
        "c.imported",
        "c.importKey",
        "c.hasAvatar",
        "c.isDeleted",
        "c.removedByImport",
        "c.status",
        "c.flagCount",
        "c.needsReviewSince",
      ])
      .where("c.articleId = :articleId AND c.parentId IS NULL", { articleId })
      .orderBy("c.position", "ASC")
      .addOrderBy("c.id", "ASC")
      .getMany()
  ).map((row) => ({ ...row, importKey: row.imported ? row.importKey : null }));
  const plan = alignComments(
    rows,
    wanted.map((comment) => commentImportKey(comment.author, comment.body)),
  );

  const byId = new Map(rows.map((row) => [row.id, row]));
  const avatarOn: number[] = [];
  const avatarOff: number[] = [];
  const comeBack: number[] = [];
  const fresh: { comment: ParsedComment; position: number }[] = [];
  wanted.forEach((comment, j) => {
    const id = plan.rowOf[j];
    const row = id === null ? undefined : byId.get(id);
    if (!row) {
      fresh.push({ comment, position: plan.positionOf[j] });
      return;
    }
    if (row.hasAvatar !== comment.hasAvatar) (comment.hasAvatar ? avatarOn : avatarOff).push(row.id);
    if (row.removedByImport) comeBack.push(row.id);
  });
  const removed = plan.gone.filter((id) => !byId.get(id)?.isDeleted);
  const counted = (id: number): CountedComment => {
    const row = byId.get(id)!;
    return { articleId, authorId: row.authorId, parentId: null, replyCount: row.replyCount };
  };

  await updateIntegerColumn(manager, "comment", "position", plan.repositioned);
  await updateByIds(manager, Comment, avatarOn, { hasAvatar: true });
  await updateByIds(manager, Comment, avatarOff, { hasAvatar: false });
  await updateByIds(manager, Comment, comeBack, { isDeleted: false, removedByImport: false });
  await updateByIds(manager, Comment, removed, { isDeleted: true, removedByImport: true });

  const authorIds = await resolveAuthors(
    manager,
    fresh.map(({ comment }) => comment.author),
  );
  const freshRows = importedCommentRows(
    articleId,
    fresh.map(({ comment }) => comment),
    authorIds,
    fresh.map(({ position }) => position),
  );
  await insertRows(manager, Comment, freshRows);
  await commentsChanged(manager, {
    shown: [
      // Those the public sees again: deleted and nothing else keeping them from the public.
      ...comeBack.filter((id) => !isPublic(byId.get(id)!) && isPublic({ ...byId.get(id)!, isDeleted: false })).map(counted),
      ...freshRows.map((row) => ({ articleId, authorId: row.authorId ?? null, parentId: null, replyCount: 0 })),
    ],
    hidden: removed.filter((id) => isPublic(byId.get(id)!)).map(counted),
  });

  // Comeback and removal move a held or rejected comment in or out of its queue (db/queue-counts.ts).
  await queuesChanged(manager, [
    ...comeBack.map((id) => queueMove({ id, articleId }, byId.get(id)!, { ...byId.get(id)!, isDeleted: false })),
    ...removed.map((id) => queueMove({ id, articleId }, byId.get(id)!, { ...byId.get(id)!, isDeleted: true })),
  ]);

  // The search index follows: removed comments leave it, returning and new ones enter it (a
  // returning one with its current text, which a moderator may have edited).
  await unindexComments(manager, removed);
  const inserted =
    fresh.length === 0
      ? []
      : (await manager.createQueryBuilder(Comment, "c").select(["c.id"]).where("c.articleId = :articleId AND c.parentId IS NULL", { articleId }).getMany())
          .map((row) => row.id)
          .filter((id) => !byId.has(id));
  await reindexComments(manager, [...comeBack, ...inserted]);
}

/** `publishedAt` is the article's, copied onto its tag rows (see ArticleTag.publishedAt). */
export async function reconcileTags(manager: EntityManager, articleId: number, tagIds: number[], publishedAt: Date): Promise<void> {
  const current = await manager
    .createQueryBuilder(ArticleTag, "t")
    .select(["t.tagId", "t.position"])
    .where("t.articleId = :articleId", { articleId })
    .getMany();
  const wanted = new Map(tagIds.map((tagId, index) => [tagId, index + 1]));
  const have = new Map(current.map((row) => [row.tagId, row.position]));
  const dropped = current.filter((row) => !wanted.has(row.tagId)).map((row) => row.tagId);
  const added = [...wanted].filter(([tagId]) => !have.has(tagId));
  await taggingsChanged(manager, new Map([...dropped.map((tagId) => [tagId, -1] as const), ...added.map(([tagId]) => [tagId, 1] as const)]));
  if (dropped.length > 0) {
    await manager
      .createQueryBuilder()
      .delete()
      .from(ArticleTag)
      .where({ articleId, tagId: In(dropped) })
      .execute();
    // A tag no article carries any more would list with articleCount 0; shared tags stay.
    await manager
      .createQueryBuilder()
      .delete()
      .from(Tag)
      .where({ id: In(dropped) })
      .andWhere(`NOT EXISTS (SELECT 1 FROM "article_tag" "x" WHERE "x"."tagId" = "tag"."id")`)
      .execute();
  }
  for (const [tagId, position] of wanted) {
    const old = have.get(tagId);
    if (old !== undefined && old !== position) {
      await manager.update(ArticleTag, { articleId, tagId }, { position });
    }
  }
  await insertRows(
    manager,
    ArticleTag,
    added.map(([tagId, position]) => ({ articleId, tagId, position, publishedAt })),
  );
}

/** Links are matched by position, so a retitled headline keeps its row (and its global id). */
export async function reconcileLinks(manager: EntityManager, articleId: number, titles: string[]): Promise<void> {
  const current = await manager
    .createQueryBuilder(RelatedLink, "l")
    .select(["l.id", "l.title", "l.position"])
    .where("l.articleId = :articleId", { articleId })
    .orderBy("l.position", "ASC")
    .addOrderBy("l.id", "ASC")
    .getMany();
  for (let i = 0; i < Math.min(current.length, titles.length); i++) {
    const row = current[i];
    if (row.title !== titles[i] || row.position !== i + 1) {
      await manager.update(RelatedLink, { id: row.id }, { title: titles[i], position: i + 1 });
    }
  }
  await insertRows(
    manager,
    RelatedLink,
    titles.slice(current.length).map((title, index) => ({ articleId, title, position: current.length + index + 1 })),
  );
  await deleteByIds(
    manager,
    RelatedLink,
    current.slice(titles.length).map((row) => row.id),
  );
}
