import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The moderators' desk: queues, their stored counts, and sanctions on readers.
 * - comment."needsReviewSince": set while a reader's comment waits for a human to see it (it is in
 *   the REPORTED and UNMODERATED queues while published); null once a moderator approved, rejected
 *   or featured it, and for comments that never needed one (imported, the service token's). Existing
 *   readers' comments that no moderator acted on get their createdAt. A partial index holds only
 *   the comments that wait, in id order.
 * - article."pendingCount", "reportedCount", "unmoderatedCount", "rejectedCount", and stored_count
 *   "queue.*" for the whole site: the queues' sizes, kept by the writers, counted here once.
 * - author: a sanction (BANNED or SUSPENDED, until when, why), pre-moderation, and whether the
 *   reader's last token was a moderator's.
 * - moderation_action: a sanction is an action on an author, not a comment: "commentId" becomes
 *   nullable, "authorId" and "until" are added. SQLite cannot drop a NOT NULL, so it copies the table
 *   into one declared anew (nothing refers to it).
 * Plain SQL, written for this migration alone; the queue conditions are copied, not imported.
 */
export class ModerationDesk1765000000000 implements MigrationInterface {
  name = "ModerationDesk1765000000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.driver.options.type === "postgres";
    const timestamp = postgres ? "timestamptz" : "datetime";
    await queryRunner.query(`ALTER TABLE "comment" ADD COLUMN "needsReviewSince" ${timestamp}`);
    await queryRunner.query(
      `UPDATE "comment" SET "needsReviewSince" = COALESCE("createdAt", CURRENT_TIMESTAMP)
       WHERE "imported" = false AND "authorId" IN (SELECT "id" FROM "author" WHERE "sub" IS NOT NULL)
       AND "id" NOT IN (SELECT "commentId" FROM "moderation_action" WHERE "actorRole" IS NOT NULL AND "action" IN ('SET_STATUS', 'FEATURE'))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_comment_needs_review" ON "comment" ("id") WHERE "needsReviewSince" IS NOT NULL`);

    for (const column of ["pendingCount", "reportedCount", "unmoderatedCount", "rejectedCount"]) {
      await queryRunner.query(`ALTER TABLE "article" ADD COLUMN "${column}" integer NOT NULL DEFAULT 0`);
    }
    const queues: Record<string, string> = {
      pending: `c."status" = 'PENDING'`,
      reported: `c."status" = 'PUBLISHED' AND c."needsReviewSince" IS NOT NULL AND c."flagCount" > 0`,
      unmoderated: `c."status" = 'PUBLISHED' AND c."needsReviewSince" IS NOT NULL`,
      rejected: `c."status" = 'REJECTED'`,
    };
    for (const [queue, condition] of Object.entries(queues)) {
      const where = `c."isDeleted" = false AND ${condition}`;
      await queryRunner.query(`UPDATE "article" SET "${queue}Count" = (SELECT COUNT(*) FROM "comment" c WHERE c."articleId" = "article"."id" AND ${where})`);
      await queryRunner.query(`INSERT INTO "stored_count" ("name", "value") SELECT 'queue.${queue}', COUNT(*) FROM "comment" c WHERE ${where}`);
    }

    await queryRunner.query(`ALTER TABLE "author" ADD COLUMN "sanction" varchar(16)`);
    await queryRunner.query(`ALTER TABLE "author" ADD COLUMN "sanctionedUntil" ${timestamp}`);
    await queryRunner.query(`ALTER TABLE "author" ADD COLUMN "sanctionReason" text`);
    await queryRunner.query(`ALTER TABLE "author" ADD COLUMN "premoderated" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "author" ADD COLUMN "isModerator" boolean NOT NULL DEFAULT false`);

    if (postgres) {
      await queryRunner.query(`ALTER TABLE "moderation_action" ALTER COLUMN "commentId" DROP NOT NULL`);
      await queryRunner.query(`ALTER TABLE "moderation_action" ADD COLUMN "authorId" integer`);
      await queryRunner.query(`ALTER TABLE "moderation_action" ADD COLUMN "until" timestamptz`);
      await queryRunner.query(
        `ALTER TABLE "moderation_action" ADD CONSTRAINT "FK_moderation_author" FOREIGN KEY ("authorId") REFERENCES "author" ("id") ON DELETE CASCADE`,
      );
    } else {
      await queryRunner.query(
        `CREATE TABLE "moderation_action_rebuilt" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "commentId" integer, "action" varchar(20) NOT NULL, ` +
          `"status" varchar(16), "reason" text, "actorRole" varchar(16), "actorSub" varchar(255), "actorName" varchar(200), "createdAt" datetime NOT NULL, ` +
          `"authorId" integer, "until" datetime, ` +
          `CONSTRAINT "FK_moderation_comment" FOREIGN KEY ("commentId") REFERENCES "comment" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, ` +
          `CONSTRAINT "FK_moderation_author" FOREIGN KEY ("authorId") REFERENCES "author" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
      );
      const columns = `"id", "commentId", "action", "status", "reason", "actorRole", "actorSub", "actorName", "createdAt"`;
      await queryRunner.query(`INSERT INTO "moderation_action_rebuilt" (${columns}) SELECT ${columns} FROM "moderation_action"`);
      await queryRunner.query(`DROP TABLE "moderation_action"`);
      await queryRunner.query(`ALTER TABLE "moderation_action_rebuilt" RENAME TO "moderation_action"`);
      await queryRunner.query(`CREATE INDEX "IDX_moderation_action_comment" ON "moderation_action" ("commentId")`);
    }
    await queryRunner.query(`CREATE INDEX "IDX_moderation_action_author" ON "moderation_action" ("authorId")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.driver.options.type === "postgres";
    await queryRunner.query(`DROP INDEX "IDX_moderation_action_author"`);
    await queryRunner.query(`DELETE FROM "moderation_action" WHERE "commentId" IS NULL`);
    if (postgres) {
      await queryRunner.query(`ALTER TABLE "moderation_action" DROP CONSTRAINT "FK_moderation_author"`);
      await queryRunner.query(`ALTER TABLE "moderation_action" DROP COLUMN "until"`);
      await queryRunner.query(`ALTER TABLE "moderation_action" DROP COLUMN "authorId"`);
      await queryRunner.query(`ALTER TABLE "moderation_action" ALTER COLUMN "commentId" SET NOT NULL`);
    } else {
      await queryRunner.query(
        `CREATE TABLE "moderation_action_rebuilt" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "commentId" integer NOT NULL, "action" varchar(20) NOT NULL, ` +
          `"status" varchar(16), "reason" text, "actorRole" varchar(16), "actorSub" varchar(255), "actorName" varchar(200), "createdAt" datetime NOT NULL, ` +
          `CONSTRAINT "FK_moderation_comment" FOREIGN KEY ("commentId") REFERENCES "comment" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
      );
      const columns = `"id", "commentId", "action", "status", "reason", "actorRole", "actorSub", "actorName", "createdAt"`;
      await queryRunner.query(`INSERT INTO "moderation_action_rebuilt" (${columns}) SELECT ${columns} FROM "moderation_action"`);
      await queryRunner.query(`DROP TABLE "moderation_action"`);
      await queryRunner.query(`ALTER TABLE "moderation_action_rebuilt" RENAME TO "moderation_action"`);
      await queryRunner.query(`CREATE INDEX "IDX_moderation_action_comment" ON "moderation_action" ("commentId")`);
    }
    for (const column of ["isModerator", "premoderated", "sanctionReason", "sanctionedUntil", "sanction"]) {
      await queryRunner.query(`ALTER TABLE "author" DROP COLUMN "${column}"`);
    }
    await queryRunner.query(`DELETE FROM "stored_count" WHERE "name" LIKE 'queue.%'`);
    for (const column of ["rejectedCount", "unmoderatedCount", "reportedCount", "pendingCount"]) {
      await queryRunner.query(`ALTER TABLE "article" DROP COLUMN "${column}"`);
    }
    await queryRunner.query(`DROP INDEX "IDX_comment_needs_review"`);
    await queryRunner.query(`ALTER TABLE "comment" DROP COLUMN "needsReviewSince"`);
  }
}
