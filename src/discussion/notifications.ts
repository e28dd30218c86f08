/**
 * Readers' notifications: what concerns one signed-in reader (a reply to their comment, a
 * moderator's decision on it, a sanction), kept per reader by their `sub`, so only a reader with a
 * token can have any: a commenter from a dump or named by the service token has no one to tell.
 *
 * A notification is written by notify(), inside the transaction of the write it tells of, with the
 * reader's unread count (notification_inbox) in the same transaction; it goes live to the reader
 * (Subscription.notificationAdded, on the event bus, in-process or Redis) by publishNotifications()
 * once that transaction has committed. Nobody is told of their own doing: `actorSub` names the
 * reader who acted, if one did.
 *
 * Lock order: a notification's writer already holds its article and comments (db/lock-order.ts);
 * the inbox row comes after them, and markNotificationsRead takes the inbox row first and nothing
 * else, so the two never wait on each other in a cycle.
 */
import { EntityManager } from "typeorm";
import type { Caller } from "../auth/caller";
import type { Database } from "../db/data-source";
import { isPostgres } from "../db/data-source";
import { run, sql } from "../db/sql";
import { inTransaction } from "../db/transaction";
import { Author, Comment, Notification, NotificationKind } from "../entities";
import { forbidden, notFound, unauthenticated } from "../errors";
import type { CommentEvents } from "../events/comment-events";

export { NotificationKind };

/** What a notification tells, and to whom. */
export interface NotificationInput {
  /** The author row of the reader to tell; nobody is told when it has no reader (`sub`) behind it. */
  authorId: number | null;
  kind: NotificationKind;
  /** The comment it is about (the reply, for REPLY); null for a sanction. */
  commentId?: number | null;
  /** Why, when a moderator said. */
  reason?: string | null;
  at: Date;
  /** The reader who acted (a moderator, the replier); a reader is not told of their own doing. */
  actorSub?: string | null;
}

/**
 * Writes one notification in the caller's transaction and counts it unread. Returns it, for
 * publishNotifications after the commit, or null when there is nobody to tell. A REPLY is written
 * once per reply, however often the reply is published again.
 */
export async function notify(manager: EntityManager, input: NotificationInput): Promise<Notification | null> {
  if (input.authorId === null) return null;
  const author = await manager.findOne(Author, { where: { id: input.authorId }, select: { id: true, sub: true } });
  const readerSub = author?.sub ?? null;
  if (readerSub === null || readerSub === input.actorSub) return null;
  const commentId = input.commentId ?? null;
  if (input.kind === NotificationKind.REPLY && commentId !== null) {
    if (await manager.findOne(Notification, { where: { commentId, kind: NotificationKind.REPLY }, select: { id: true } })) return null;
  }
  // The count first: a concurrent markNotificationsRead, which takes the inbox row first, then
  // waits for this transaction and sees the notification when it recounts.
  await run(
    manager,
    sql`INSERT INTO notification_inbox ("readerSub", "unread") VALUES (${readerSub}, 1) ON CONFLICT ("readerSub") DO UPDATE SET "unread" = notification_inbox."unread" + 1`,
  );
  const inserted = await manager.insert(Notification, {
    readerSub,
    kind: input.kind,
    commentId,
    reason: input.reason ?? null,
    createdAt: input.at,
    read: false,
  });
  return manager.findOneByOrFail(Notification, { id: Number(inserted.identifiers[0].id) });
}

/** REPLY: tells the author of a published reply's parent, unless they replied to themself. */
export async function notifyReply(manager: EntityManager, reply: Comment, at: Date): Promise<Notification | null> {
  if (reply.parentId === null) return null;
  const parent = await manager.findOne(Comment, { where: { id: reply.parentId }, select: { id: true, authorId: true } });
  if (!parent || parent.authorId === null || parent.authorId === reply.authorId) return null;
  return notify(manager, { authorId: parent.authorId, kind: NotificationKind.REPLY, commentId: reply.id, at });
}

/** The topic a reader's notifications travel on. */
export function notificationTopic(readerSub: string): `notificationAdded:${string}` {
  return `notificationAdded:${readerSub}`;
}

/**
 * Tells each notification's reader live, after the commit that wrote them. The write stands
 * whatever happens to the notice: a failing bus must not turn it into an error the client retries.
 */
export function publishNotifications(events: CommentEvents, notifications: (Notification | null)[]): void {
  for (const notification of notifications) {
    if (notification === null) continue;
    try {
      events.publish(notificationTopic(notification.readerSub), {
        readerSub: notification.readerSub,
        notification: JSON.parse(JSON.stringify(notification)) as Record<string, unknown>,
      });
    } catch (error) {
      console.error(`[threadline] could not publish notification ${notification.id}:`, error);
    }
  }
}

/** The signed-in reader whose notifications these are: UNAUTHENTICATED when anonymous, FORBIDDEN for the service token. */
export function requireReaderSub(caller: Caller, what: string): string {
  if (caller.kind === "anonymous") throw unauthenticated(`${what} needs a signed-in reader ("Authorization: Bearer <JWT>")`);
  if (caller.kind !== "reader") throw forbidden(`${what} is a signed-in reader's: the service token has no notifications`);
  return caller.sub;
}

/**
 * markNotificationsRead: marks the reader's notifications read, all of them or those up to and
 * including `upToId` (one of theirs: NOT_FOUND otherwise), and sets their unread count from the
 * rows. Marking read what is read changes nothing.
 */
export async function markNotificationsRead(db: Database, caller: Caller, upToId: number | null): Promise<void> {
  const readerSub = requireReaderSub(caller, "markNotificationsRead");
  await inTransaction(db, async (manager) => {
    // The inbox row first (see the lock order above); SQLite runs one write at a time anyway.
    if (isPostgres(manager.connection)) await run(manager, sql`SELECT "unread" FROM notification_inbox WHERE "readerSub" = ${readerSub} FOR UPDATE`);
    if (upToId !== null) {
      const own = await manager.findOne(Notification, { where: { id: upToId, readerSub }, select: { id: true } });
      if (!own) throw notFound(`no notification of yours with the id given as "upTo"`);
    }
    const upTo = upToId === null ? sql`` : sql` AND "id" <= ${upToId}`;
    await run(manager, sql`UPDATE notification SET "read" = ${true} WHERE "readerSub" = ${readerSub} AND "read" = ${false}${upTo}`);
    await run(
      manager,
      sql`UPDATE notification_inbox SET "unread" = (SELECT COUNT(*) FROM notification n WHERE n."readerSub" = ${readerSub} AND n."read" = ${false}) WHERE "readerSub" = ${readerSub}`,
    );
  });
}
