/**
 * Readers' writes to a discussion: posting, editing and (soft) deleting comments. Every write goes
 * through inTransaction, so on SQLite's single shared connection a failing write can never roll
 * back another request's comment, and takes its rows in the one lock order, the article first
 * (db/lock-order.ts). The stored counts (read/stored-counts.ts) change in the same transaction as
 * the comment, so no reader ever sees one without the other. A transaction may run again after a
 * conflict (db/transaction.ts): its work only writes, and events go out after it commits.
 */
import { DataSource, EntityManager, IsNull } from "typeorm";
import { Caller, canModerate } from "../auth/caller";
import type { Reader } from "../auth/verify-token";
import type { Clock } from "../clock";
import type { ModerationSetting } from "../config";
import { lockArticle, lockComment } from "../db/lock-order";
import { commentsChanged } from "../read/stored-counts";
import { inTransaction } from "../db/transaction";
import { canSeeComment, isPublic, viewerFor } from "../policy";
import { Author, Comment, CommentStatus, ModerationActionKind } from "../entities";
import { forbidden, notFound, unauthenticated, userError } from "../errors";
import { commentAddedTopic, CommentEvents, publishCommentEvent, snapshotOf, stateOf } from "../events/comment-events";
import { foldKey } from "../text/fold";
import { checkDisplayName } from "../text/display-name";
import { characterCount, WRITE_LIMITS } from "../text/write-limits";
import { indexComments, unindexComments } from "../search/search-index";
import { changeStatus } from "./comment-status";
import { recordAction } from "./moderation-log";
import { notifyReply, publishNotifications } from "./notifications";
import { ChangeRight, changeRight, requireGoodStanding } from "./permissions";
import { ScreenVerdict, screenText, WordListCache } from "./word-lists";
import { queueMove, queuesChanged, QueueMove } from "../read/queue-counts";
import { publishQueueMoves } from "../events/moderation-events";

export const MAX_BODY_LENGTH = WRITE_LIMITS.commentBody;
export const MAX_AUTHOR_NAME_LENGTH = WRITE_LIMITS.authorName;

export interface NewComment {
  articleId: number;
  /** Null for a top-level comment. */
  parentId: number | null;
  body: string;
  /** Only the service token names the author; a signed-in reader posts as themself. */
  authorName?: string | null;
}

/** The settings that decide what readers and moderators may do (from config.ts). */
export interface DiscussionRules {
  /** How long after posting an author may edit or delete their comment, in seconds. */
  editWindowSeconds: number;
  /** Flags that put a published comment on hold. */
  autoHoldFlags: number;
  /** The moderation mode of articles whose own mode was never set. */
  moderation: ModerationSetting;
  /** The deepest a reply may sit (MAX_THREAD_DEPTH). */
  maxThreadDepth: number;
  /** Whether readers' comments with a link are held (PREMODERATE_LINKS). */
  premoderateLinks: boolean;
}

/** What the write paths need besides the database: the time, the rules of the discussion, and the word lists. */
export interface WriteRules extends DiscussionRules {
  clock: Clock;
  wordLists: WordListCache;
}

/** A caller with a credential: the service token or a signed-in reader. */
export type Writer = Exclude<Caller, { kind: "anonymous" }>;

function requireWriterCaller(caller: Caller, what: string): Writer {
  if (caller.kind === "anonymous") throw unauthenticated(`${what} needs a signed-in reader ("Authorization: Bearer <JWT>") or the service token`);
  return caller;
}

/**
 * The body as stored: trimmed, not blank, at most MAX_BODY_LENGTH characters. NUL is refused
 * because PostgreSQL cannot store it in text and SQLite can: both engines must answer alike.
 */
export function cleanBody(body: string): string {
  const trimmed = body.trim();
  if (trimmed === "") throw userError(`"body" must not be blank`, { argumentName: "body" });
  if (trimmed.includes("\u0000")) throw userError(`"body" must not contain NUL characters`, { argumentName: "body" });
  const length = characterCount(trimmed);
  if (length > MAX_BODY_LENGTH) {
    throw userError(`"body" is ${length} characters long; the limit is ${MAX_BODY_LENGTH}`, { argumentName: "body" });
  }
  return trimmed;
}

/** The display name (text/display-name.ts), or null for an anonymous comment (no name, or nothing visible). */
export function cleanAuthorName(name: string | null | undefined): string | null {
  const checked = checkDisplayName(name ?? "");
  if ("problem" in checked) throw userError(`"authorName" ${checked.problem}`, { argumentName: "authorName" });
  return checked.name === "" ? null : checked.name;
}

/**
 * The word lists' and PREMODERATE_LINKS' verdict on a reader's text (discussion/word-lists.ts);
 * moderators and the service token are not screened.
 */
function screen(writer: Writer, rules: WriteRules, body: string): Promise<ScreenVerdict | null> | null {
  return canModerate(writer) ? null : screenText(rules.wordLists, rules.premoderateLinks, body);
}

/** The moderation history's entry for what screening did to a comment. */
function screenedAction(verdict: ScreenVerdict): { action: ModerationActionKind; status: CommentStatus; reason: string } {
  return { action: verdict.status === CommentStatus.REJECTED ? ModerationActionKind.AUTO_REJECT : ModerationActionKind.AUTO_HOLD, ...verdict };
}

/**
 * Posts a comment and, once it is committed, tells subscribers. Validation happens before the
 * transaction, the existence checks and the position inside it, so what is checked is what is
 * written on. Under pre-moderation (the article's mode, or MODERATION for an article without one)
 * a reader's comment is PENDING: stored, shown to its author and moderators, counted nowhere,
 * found by no search and sent to no commentAdded subscriber until a moderator publishes it; so is
 * a premoderated reader's (setAuthorPremoderation). A banned or suspended reader is refused
 * (permissions.ts). A reader's comment waits for a human (needsReviewSince, the moderation queues);
 * moderators' and the service token's comments are published at once, and wait for no one. A
 * reader's comment with a banned word is REJECTED, and one with a suspect word or (under
 * PREMODERATE_LINKS) a link is PENDING, with the reason in its history (Comment.statusReason). A
 * published reply tells the author of its parent (notifications.ts).
 */
export async function addComment(db: DataSource, events: CommentEvents, caller: Caller, rules: WriteRules, input: NewComment): Promise<Comment> {
  const writer = requireWriterCaller(caller, "addComment");
  if (writer.kind === "reader" && input.authorName != null) {
    throw forbidden(`"authorName" is for the service token only: a signed-in reader posts under the name in their token`, { argumentName: "authorName" });
  }
  const body = cleanBody(input.body);
  const authorName = writer.kind === "service" ? cleanAuthorName(input.authorName) : null;
  const verdict = await screen(writer, rules, body);
  const { comment, moves, notes } = await inTransaction(db, async (manager) => {
    // The article's row, then the parent's (db/lock-order.ts): on PostgreSQL this also serialises
    // comment inserts per article across instances, so two siblings never get the same position.
    const locked = await lockArticle(manager, input.articleId, input.parentId === null ? [] : [input.parentId]);
    if (!locked) throw notFound(`no article with that id`);
    const { article } = locked;
    const standing = await requireGoodStanding(manager, writer, rules.clock(), "commenting");

    const authorId = writer.kind === "reader" ? await readerAuthorId(manager, writer) : authorName === null ? null : await authorIdByName(manager, authorName);
    let depth = 0;
    if (input.parentId !== null) {
      // Not among the article's comments: another article's (read unlocked, to say so), or none.
      const parent = locked.comments.get(input.parentId) ?? (await manager.findOneBy(Comment, { id: input.parentId }));
      // A comment the writer may not see (another reader's unpublished one) is not there for them.
      if (!parent || !canSeeComment(viewerFor(writer, authorId), { ...parent, isDeleted: false })) {
        throw notFound(`no comment with the id given as "parentId"`);
      }
      if (parent.articleId !== article.id) {
        throw userError(`the parent comment belongs to another article`, { argumentName: "parentId" });
      }
      if (parent.isDeleted) throw userError(`you cannot reply to a deleted comment`, { argumentName: "parentId" });
      depth = parent.depth + 1;
      if (depth > rules.maxThreadDepth) {
        throw userError(
          `replies nest at most ${rules.maxThreadDepth} levels deep, and this one would sit at ${depth}: reply to a comment higher in the thread`,
          {
            argumentName: "parentId",
            maxThreadDepth: rules.maxThreadDepth,
          },
        );
      }
    }

    const mode = article.moderation ?? rules.moderation;
    const staff = canModerate(writer);
    const status = verdict?.status ?? ((mode === "PRE" || standing?.premoderated) && !staff ? CommentStatus.PENDING : CommentStatus.PUBLISHED);
    const now = rules.clock();
    const inserted = await manager.insert(Comment, {
      articleId: article.id,
      parentId: input.parentId,
      authorId,
      body,
      hasAvatar: false,
      depth,
      position: await nextPosition(manager, article.id, input.parentId),
      imported: false,
      createdAt: now,
      editedAt: null,
      isDeleted: false,
      status,
      needsReviewSince: writer.kind === "reader" && !staff ? now : null,
    });
    const id = Number(inserted.identifiers[0].id);
    if (status === CommentStatus.PUBLISHED) {
      await commentsChanged(manager, { shown: [{ articleId: article.id, authorId, parentId: input.parentId, replyCount: 0 }] });
      await indexComments(manager, [{ id, body }], true);
    }
    if (verdict) await recordAction(manager, null, now, { commentId: id, ...screenedAction(verdict) });
    const comment = await manager.findOneByOrFail(Comment, { id });
    const notes = status === CommentStatus.PUBLISHED ? [await notifyReply(manager, comment, now)] : [];
    return { comment, moves: await queuesChanged(manager, [queueMove(comment, null, comment)]), notes };
  });
  if (comment.status === CommentStatus.PUBLISHED) publishAdded(events, comment);
  publishCommentEvent(events, "ADDED", comment, null);
  publishQueueMoves(events, moves, [comment]);
  publishNotifications(events, notes);
  return comment;
}

/**
 * Replaces a comment's body and stamps editedAt; a deleted comment stays as it is. Its author may
 * do so within the edit window, moderators and the service token always; anyone else is refused
 * (FORBIDDEN) before anything changes. A reader's edit is screened as a new comment is (see
 * addComment): a banned word rejects the comment, a suspect word or a link holds a published one.
 * An edit never publishes a comment: that is a moderator's decision.
 */
export async function editComment(db: DataSource, events: CommentEvents, caller: Caller, rules: WriteRules, id: number, body: string): Promise<Comment> {
  const writer = requireWriterCaller(caller, "editComment");
  const cleaned = cleanBody(body);
  const verdict = await screen(writer, rules, cleaned);
  const { edited, before, moves } = await inTransaction(db, async (manager) => {
    const comment = (await lockComment(manager, id))?.comment;
    if (!comment) throw notFound(`no comment with that id`);
    const right = await requireChangeRight(manager, writer, rules, comment, "edit");
    await requireGoodStanding(manager, writer, rules.clock(), "editing");
    if (comment.isDeleted) throw userError(`a deleted comment cannot be edited`, { argumentName: "id" });
    const before = stateOf(comment);
    await manager.update(Comment, { id }, { body: cleaned, editedAt: rules.clock() });
    // Found by its new words only: the entry is replaced, not added to. Unpublished comments are in no index.
    if (comment.status === CommentStatus.PUBLISHED) await indexComments(manager, [{ id, body: cleaned }]);
    if (right === "moderator") await recordAction(manager, writer, rules.clock(), { commentId: id, action: ModerationActionKind.EDIT });
    // Screening only ever takes a comment further from the public: PUBLISHED -> PENDING -> REJECTED.
    if (verdict && statusRank(verdict.status) > statusRank(comment.status)) {
      await changeStatus(manager, comment, verdict.status);
      await recordAction(manager, null, rules.clock(), { commentId: id, ...screenedAction(verdict) });
    }
    const edited = await manager.findOneByOrFail(Comment, { id });
    // Screening may have taken it to another queue.
    return { edited, before, moves: await queuesChanged(manager, [queueMove(comment, comment, edited)]) };
  });
  publishCommentEvent(events, "EDITED", edited, before);
  publishQueueMoves(events, moves, [edited]);
  return edited;
}

function statusRank(status: CommentStatus): number {
  return status === CommentStatus.PUBLISHED ? 0 : status === CommentStatus.PENDING ? 1 : 2;
}

/**
 * Soft delete. The row stays, so its replies keep their parent; lists show it as a tombstone while
 * it has replies, and the counts leave it out. The text is kept in the row (moderators may need
 * it) and is no longer served. Deleting a deleted comment changes nothing and returns it again, so
 * a retried request is harmless. Who may delete is who may edit (see editComment).
 */
export async function deleteComment(db: DataSource, events: CommentEvents, caller: Caller, rules: WriteRules, id: number): Promise<Comment> {
  const writer = requireWriterCaller(caller, "deleteComment");
  const { deleted, before, moves } = await inTransaction(db, async (manager) => {
    const comment = (await lockComment(manager, id))?.comment;
    if (!comment) throw notFound(`no comment with that id`);
    const right = await requireChangeRight(manager, writer, rules, comment, "delete");
    // before: its state before this call deleted it (null: it was deleted already).
    if (comment.isDeleted) return { deleted: comment, before: null, moves: [] as QueueMove[] };
    const before = stateOf(comment);
    await manager.update(Comment, { id }, { isDeleted: true });
    // An unpublished comment was counted nowhere already.
    if (isPublic(comment)) await commentsChanged(manager, { hidden: [comment] });
    await unindexComments(manager, [id]);
    if (right === "moderator") await recordAction(manager, writer, rules.clock(), { commentId: id, action: ModerationActionKind.DELETE });
    const deleted = await manager.findOneByOrFail(Comment, { id });
    return { deleted, before, moves: await queuesChanged(manager, [queueMove(comment, comment, deleted)]) };
  });
  if (before !== null) publishCommentEvent(events, "DELETED", deleted, before);
  publishQueueMoves(events, moves, [deleted]);
  return deleted;
}

/**
 * One past the highest sibling position, deleted siblings included, so a new comment always sorts
 * after everything already in its thread.
 */
async function nextPosition(manager: EntityManager, articleId: number, parentId: number | null): Promise<number> {
  const query = manager.createQueryBuilder(Comment, "c").select("MAX(c.position)", "max").where("c.articleId = :articleId", { articleId });
  if (parentId === null) query.andWhere("c.parentId IS NULL");
  else query.andWhere("c.parentId = :parentId", { parentId });
  const row = await query.getRawOne<{ max: number | string | null }>();
  return Number(row?.max ?? 0) + 1;
}

/**
 * Commenters are shared by display name, as the importer shares them: insert-or-ignore then select
 * works alike on both engines and when another writer adds the same name at the same moment.
 */
async function authorIdByName(manager: EntityManager, name: string): Promise<number> {
  await manager
    .createQueryBuilder()
    .insert()
    .into(Author)
    .values({ name, nameKey: foldKey(name) })
    .orIgnore()
    .updateEntity(false)
    .execute();
  const author = await manager.findOneByOrFail(Author, { name, sub: IsNull() });
  return author.id;
}

/**
 * The signed-in reader's author row, created with their first comment and renamed when their
 * token brings another display name (see followReaderName for their other writes). Keyed by sub:
 * two readers with one name are two authors. A reader never takes a commenter's name (see
 * refuseCommentersName).
 */
export async function readerAuthorId(manager: EntityManager, reader: Reader): Promise<number> {
  const own = await manager.findOneBy(Author, { sub: reader.sub });
  if (own) {
    await renameReader(manager, reader, own);
    return own.id;
  }
  await refuseCommentersName(manager, reader);
  await manager
    .createQueryBuilder()
    .insert()
    .into(Author)
    .values({ name: reader.name, nameKey: foldKey(reader.name), sub: reader.sub, isModerator: reader.role === "MODERATOR" })
    .orIgnore()
    .updateEntity(false)
    .execute();
  return (await manager.findOneByOrFail(Author, { sub: reader.sub })).id;
}

/**
 * Brings a signed-in reader's author name (and whether they moderate, which sanctions ask) in line
 * with their token, if they have an author row (one look-up when it already matches): every write
 * by a reader does, so both follow the latest token.
 */
export async function followReaderName(manager: EntityManager, reader: Reader): Promise<void> {
  const own = await manager.findOneBy(Author, { sub: reader.sub });
  if (own) await renameReader(manager, reader, own);
}

async function renameReader(manager: EntityManager, reader: Reader, own: Author): Promise<void> {
  const isModerator = reader.role === "MODERATOR";
  if (own.name === reader.name && Boolean(own.isModerator) === isModerator) return;
  if (own.name === reader.name) {
    await manager.update(Author, { id: own.id }, { isModerator });
    return;
  }
  const nameKey = foldKey(reader.name);
  // Another spelling of the reader's own name ("ted" for "Ted") takes nobody's.
  if (nameKey !== own.nameKey) await refuseCommentersName(manager, reader);
  await manager.update(Author, { id: own.id }, { name: reader.name, nameKey, isModerator });
}

/**
 * Commenters without a reader behind them (from imported dumps, or named by the service token)
 * are known by their name alone, so a reader whose token carries one of their names, in any
 * case or spacing, would pass for them: the write is FORBIDDEN. A reader who already holds a name
 * keeps it.
 */
async function refuseCommentersName(manager: EntityManager, reader: Reader): Promise<void> {
  const commenter = await manager.findOne(Author, { where: { nameKey: foldKey(reader.name), sub: IsNull() }, select: { id: true } });
  if (commenter) {
    throw forbidden(
      `the name "${reader.name}" in your token is another commenter's (from imported comments); a signed-in reader cannot take it: ask the host site for another display name`,
    );
  }
}

/**
 * Refuses (FORBIDDEN) a change the caller has no right to, inside the transaction that would make
 * it, after the row is locked: what is checked is what is changed.
 */
async function requireChangeRight(
  manager: EntityManager,
  writer: Writer,
  rules: WriteRules,
  comment: Comment,
  action: "edit" | "delete",
): Promise<ChangeRight> {
  const viewerAuthorId = writer.kind === "reader" ? ((await manager.findOneBy(Author, { sub: writer.sub }))?.id ?? null) : null;
  const verdict = changeRight(writer, comment, viewerAuthorId, rules.clock(), rules.editWindowSeconds);
  if ("right" in verdict) {
    if (writer.kind === "reader") await followReaderName(manager, writer);
    return verdict.right;
  }
  if (verdict.refusal === "window-closed") {
    const ended = verdict.until ? `ended at ${verdict.until.toISOString()}` : "never began: the comment was imported";
    throw forbidden(`you can no longer ${action} this comment: the time to ${action} it (EDIT_WINDOW_SECONDS after posting) ${ended}`);
  }
  throw forbidden(`you may only ${action} your own comments`);
}

/**
 * The comment is committed whatever happens to the notification: a failing event bus must not
 * turn a successful write into an error the client would retry (and post twice).
 */
export function publishAdded(events: CommentEvents, comment: Comment): void {
  try {
    events.publish(commentAddedTopic(comment.articleId), { commentId: comment.id, articleId: comment.articleId, comment: snapshotOf(comment) });
  } catch (error) {
    console.error(`[threadline] could not publish commentAdded for comment ${comment.id}:`, error);
  }
}
