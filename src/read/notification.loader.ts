/**
 * Notifications as their reader reads them: only ever their own, found by the `sub` of the token.
 * Another reader's notification is not there for them (node(id) answers null), as for an unknown id.
 */
import { DataSource } from "typeorm";
import type { Caller } from "../auth/caller";
import { list, run, sql } from "../db/sql";
import type { Notification } from "../entities";
import { byIdLoader } from "./batch.loader";
import { Connection, listConnection, ListDef, PageArgs } from "./connection";
import { notificationRows, readRows } from "./rows";

/** A reader's notifications, newest first. */
function inboxOf(readerSub: string): ListDef<"NEWEST"> {
  return {
    name: "notifications",
    from: sql`notification n`,
    id: sql`n."id"`,
    where: [sql`n."readerSub" = ${readerSub}`],
    orders: { NEWEST: [{ expr: sql`n."id"`, dir: "DESC", type: "int" }] },
  };
}

export function notificationLoaders(db: DataSource, caller: Caller) {
  const readerSub = caller.kind === "reader" ? caller.sub : null;
  const byId = byIdLoader((ids) => readRows(db, notificationRows, sql`n."id" IN ${list(ids)}`));
  return {
    /** node(id): the notification when it is the calling reader's; null otherwise. */
    async found(id: number): Promise<Notification | null> {
      const notification = await byId.load(id);
      return notification !== null && readerSub !== null && notification.readerSub === readerSub ? notification : null;
    },
    /** Viewer.notifications: the calling reader's, newest first; an empty list for anyone else. */
    list(args: PageArgs): Promise<Connection<Notification>> {
      const def = inboxOf(readerSub ?? "");
      if (readerSub === null) def.where.push(sql`1 = 0`);
      return listConnection(db, def, "NEWEST", args, byId, undefined, notificationRows);
    },
    /** Viewer.unreadNotificationCount: the stored count, one row. */
    async unread(): Promise<number> {
      if (readerSub === null) return 0;
      const [row] = await run<{ unread: number | string }>(db, sql`SELECT "unread" FROM notification_inbox WHERE "readerSub" = ${readerSub}`);
      return row ? Number(row.unread) : 0;
    },
  };
}
