/**
 * Sanctions on readers: bans, suspensions and pre-moderation, by moderators and the service token.
 * A sanction is kept on the author row (Author.standing reads it, permissions.ts enforces it on
 * every write) and recorded as a ModerationAction on the author, with who did it and why; a ban or
 * a suspension tells the reader (a SANCTIONED notification, with the reason). Only a
 * signed-in reader can be sanctioned: not a moderator (as their last token said), and not a
 * commenter without a reader behind them (imported, or named by the service token). Doing what is
 * already so (banning a banned reader with no comments to reject, lifting nothing) records nothing.
 */
import { DataSource, EntityManager } from "typeorm";
import { Caller, requireModerator } from "../auth/caller";
import { lockArticle } from "../db/lock-order";
import { queuesChanged } from "../read/queue-counts";
import { run, sql } from "../db/sql";
import { inTransaction } from "../db/transaction";
import { Author, AuthorSanction, Comment, CommentStatus, ModerationActionKind } from "../entities";
import { forbidden, notFound, userError } from "../errors";
import type { CommentEvents } from "../events/comment-events";
import { isPublic } from "../policy";
import type { WriteRules } from "./comments";
import { cleanNote, Decision, decideStatus, publishDecisions } from "./moderation";
import { recordAction } from "./moderation-log";
import { notify, NotificationKind, publishNotifications } from "./notifications";
import { standingOf } from "./permissions";

/** The author a sanction is for, refused (FORBIDDEN) when they may not be sanctioned. */
async function sanctionable(manager: EntityManager, authorId: number): Promise<Author> {
  const author = await manager.findOneBy(Author, { id: authorId });
  if (!author) throw notFound(`no author with that id`);
  if (author.sub === null) {
    throw forbidden(`this commenter has no reader account (imported, or named by the service token): only signed-in readers can be sanctioned`);
  }
  if (author.isModerator) throw forbidden(`a moderator cannot be sanctioned`);
  return author;
}

/** Sets the author's sanction columns; the row is taken last, after any article and comment (db/lock-order.ts). */
async function setSanction(
  manager: EntityManager,
  authorId: number,
  sanction: AuthorSanction | null,
  until: Date | null,
  reason: string | null,
): Promise<void> {
  await manager.update(Author, { id: authorId }, { sanction, sanctionedUntil: until, sanctionReason: reason });
}

/**
 * banAuthor: the reader may no longer comment, edit, react or flag, until unbanAuthor. With
 * `rejectExisting`, their published comments are rejected too, each with a SET_STATUS in its
 * history (the ban's reason): the counts, the queues and live threads follow, and a rejected
 * comment with visible replies stays as a tombstone. Articles, then comments, are locked first,
 * in the one order, before any shared row.
 */
export async function banAuthor(
  db: DataSource,
  events: CommentEvents,
  caller: Caller,
  rules: WriteRules,
  authorId: number,
  reason: string | null | undefined,
  rejectExisting: boolean,
): Promise<void> {
  requireModerator(caller, "banAuthor");
  const cleaned = cleanNote(reason, "reason");
  const { decisions, moves, note } = await inTransaction(db, async (manager) => {
    await sanctionable(manager, authorId);
    const now = rules.clock();
    const decisions: Decision[] = [];
    if (rejectExisting) {
      const rows = await run<{ id: number | string; articleId: number | string }>(
        manager,
        sql`SELECT "id", "articleId" FROM "comment" WHERE "authorId" = ${authorId} AND "isDeleted" = ${false} AND "status" = ${CommentStatus.PUBLISHED}`,
      );
      const byArticle = new Map<number, number[]>();
      for (const row of rows) byArticle.set(Number(row.articleId), [...(byArticle.get(Number(row.articleId)) ?? []), Number(row.id)]);
      const locked: Comment[] = [];
      for (const [articleId, ids] of [...byArticle].sort(([a], [b]) => a - b)) {
        const taken = await lockArticle(manager, articleId, ids);
        if (taken) locked.push(...taken.comments.values());
      }
      for (const comment of locked) {
        // Read again: an earlier rejection in this loop may have changed its replyCount.
        const current = await manager.findOneByOrFail(Comment, { id: comment.id });
        if (isPublic(current)) decisions.push(await decideStatus(manager, caller, now, current, CommentStatus.REJECTED, cleaned));
      }
    }
    const author = await manager.findOneByOrFail(Author, { id: authorId });
    let note = null;
    if (author.sanction !== "BANNED" || author.sanctionReason !== cleaned || decisions.length > 0) {
      await setSanction(manager, authorId, "BANNED", null, cleaned);
      await recordAction(manager, caller, now, { authorId, action: ModerationActionKind.BAN, reason: cleaned });
      note = await notify(manager, { authorId, kind: NotificationKind.SANCTIONED, reason: cleaned, at: now, actorSub: actorSubOf(caller) });
    }
    return {
      note,
      decisions,
      moves: await queuesChanged(
        manager,
        decisions.map((decision) => decision.move),
      ),
    };
  });
  publishDecisions(events, decisions, moves);
  publishNotifications(events, [note]);
}

function actorSubOf(caller: Caller): string | null {
  return caller.kind === "reader" ? caller.sub : null;
}

/** unbanAuthor: lifts a ban, or a suspension that has not ended; a reader in good standing stays so, and nothing is recorded. */
export async function unbanAuthor(db: DataSource, caller: Caller, rules: WriteRules, authorId: number): Promise<void> {
  requireModerator(caller, "unbanAuthor");
  await inTransaction(db, async (manager) => {
    const author = await sanctionable(manager, authorId);
    const now = rules.clock();
    if (standingOf(author, now).status === "ACTIVE") return;
    await setSanction(manager, authorId, null, null, null);
    await recordAction(manager, caller, now, { authorId, action: ModerationActionKind.UNBAN });
  });
}

/** suspendAuthor: the reader may not write until `until` (in the future), then may again. Replaces a ban or an earlier suspension. */
export async function suspendAuthor(
  db: DataSource,
  events: CommentEvents,
  caller: Caller,
  rules: WriteRules,
  authorId: number,
  until: Date,
  reason: string | null | undefined,
): Promise<void> {
  requireModerator(caller, "suspendAuthor");
  const cleaned = cleanNote(reason, "reason");
  if (Number.isNaN(until.getTime())) throw userError(`"until" is not a valid date`, { argumentName: "until" });
  const note = await inTransaction(db, async (manager) => {
    await sanctionable(manager, authorId);
    const now = rules.clock();
    if (until.getTime() <= now.getTime()) {
      throw userError(`"until" must be in the future (it is ${until.toISOString()}, and now is ${now.toISOString()})`, { argumentName: "until" });
    }
    await setSanction(manager, authorId, "SUSPENDED", until, cleaned);
    await recordAction(manager, caller, now, { authorId, action: ModerationActionKind.SUSPEND, reason: cleaned, until });
    return notify(manager, { authorId, kind: NotificationKind.SANCTIONED, reason: cleaned, at: now, actorSub: actorSubOf(caller) });
  });
  publishNotifications(events, [note]);
}

/** setAuthorPremoderation: whether the reader's new comments are PENDING until a moderator publishes them. Comments already posted keep their status. */
export async function setAuthorPremoderation(db: DataSource, caller: Caller, rules: WriteRules, authorId: number, on: boolean): Promise<void> {
  requireModerator(caller, "setAuthorPremoderation");
  await inTransaction(db, async (manager) => {
    const author = await sanctionable(manager, authorId);
    if (Boolean(author.premoderated) === on) return;
    await manager.update(Author, { id: authorId }, { premoderated: on });
    await recordAction(manager, caller, rules.clock(), { authorId, action: on ? ModerationActionKind.PREMODERATE : ModerationActionKind.UNPREMODERATE });
  });
}
