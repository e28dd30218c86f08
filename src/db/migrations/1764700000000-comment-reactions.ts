import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Readers' reactions to comments: one row per reader and comment (the primary key makes a second
 * one impossible), keyed by the reader's `sub`, so reacting creates no author row for a reader who
 * never commented. Comment.reactionCount is stored in the comment row and kept by the writers in
 * the same transaction (as replyCount is); the reader's index answers viewerHasReacted for a page
 * of comments in one look-up. Plain SQL, the same on both engines.
 */
export class CommentReactions1764700000000 implements MigrationInterface {
  name = "CommentReactions1764700000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = queryRunner.connection.driver.options.type === "postgres" ? "timestamptz" : "datetime";
    await queryRunner.query(`ALTER TABLE "comment" ADD COLUMN "reactionCount" integer NOT NULL DEFAULT 0`);
    await queryRunner.query(
      `CREATE TABLE "comment_reaction" (` +
        `"commentId" integer NOT NULL REFERENCES "comment" ("id") ON DELETE CASCADE, ` +
        `"readerSub" varchar(255) NOT NULL, ` +
        `"createdAt" ${timestamp} NOT NULL, ` +
        `PRIMARY KEY ("commentId", "readerSub"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_comment_reaction_reader" ON "comment_reaction" ("readerSub", "commentId")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "comment_reaction"`);
    await queryRunner.query(`ALTER TABLE "comment" DROP COLUMN "reactionCount"`);
  }
}
