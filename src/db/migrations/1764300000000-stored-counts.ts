import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Counts stored beside the rows they describe (see read/stored-counts.ts), filled in from the rows
 * (and stored_count, for the counts of whole tables) by the statements recountStoredCounts ran when
 * this was written (commit 76b658a), copied here, and
 * the indexes that let every list seek to a cursor instead of walking up to it:
 * - article_tag gets the article's publishedAt, so a tag's articles are read newest first from
 *   ("tagId", "publishedAt", "articleId") alone;
 * - COMMENT_COUNT_DESC gets an index of its own;
 * - every order ends with the row's id, and so must its index for a cursor's row value
 *   `(a, id) > (?, ?)` to seek. A SQLite index ends with the rowid (id) already, and names it
 *   better left implicit: SQLite matches a row value against the implicit rowid but not against an
 *   explicit id column. PostgreSQL's indexes name it.
 * Plain ALTER TABLE ADD COLUMN runs the same on both engines and, unlike TypeORM's SQLite table
 * rebuild, never drops a table that others cascade from.
 */
export class StoredCounts1764300000000 implements MigrationInterface {
  name = "StoredCounts1764300000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.driver.options.type === "postgres";
    const timestamp = postgres ? "timestamptz" : "datetime";
    await queryRunner.query(`ALTER TABLE "article" ADD COLUMN "commentCount" integer NOT NULL DEFAULT 0`);
    await queryRunner.query(`ALTER TABLE "author" ADD COLUMN "commentCount" integer NOT NULL DEFAULT 0`);
    await queryRunner.query(`ALTER TABLE "tag" ADD COLUMN "articleCount" integer NOT NULL DEFAULT 0`);
    await queryRunner.query(`ALTER TABLE "comment" ADD COLUMN "replyCount" integer NOT NULL DEFAULT 0`);
    await queryRunner.query(`ALTER TABLE "article_tag" ADD COLUMN "publishedAt" ${timestamp}`);
    await queryRunner.query(`CREATE TABLE "stored_count" ("name" varchar(40) PRIMARY KEY, "value" integer NOT NULL)`);
    await queryRunner.query(`INSERT INTO "stored_count" ("name", "value") VALUES ('articles', 0)`);
    await queryRunner.query(`UPDATE "article_tag" SET "publishedAt" = (SELECT a."publishedAt" FROM "article" a WHERE a."id" = "article_tag"."articleId")`);
    // Visible as the schema stood then: comments had no status yet (see the moderation migration).
    const visible = `"isDeleted" = ${postgres ? "false" : "0"}`;
    await queryRunner.query(`UPDATE "stored_count" SET "value" = (SELECT COUNT(*) FROM "article") WHERE "name" = 'articles'`);
    await queryRunner.query(`UPDATE "article" SET "commentCount" = (SELECT COUNT(*) FROM "comment" c WHERE c."articleId" = "article"."id" AND c.${visible})`);
    await queryRunner.query(`UPDATE "author" SET "commentCount" = (SELECT COUNT(*) FROM "comment" c WHERE c."authorId" = "author"."id" AND c.${visible})`);
    await queryRunner.query(`UPDATE "tag" SET "articleCount" = (SELECT COUNT(*) FROM "article_tag" t WHERE t."tagId" = "tag"."id")`);
    await queryRunner.query(`UPDATE "comment" SET "replyCount" = 0 WHERE "replyCount" <> 0`);
    await queryRunner.query(
      `WITH RECURSIVE listed("id", "parentId") AS (SELECT "id", "parentId" FROM "comment" WHERE ${visible} ` +
        `UNION SELECT p."id", p."parentId" FROM "comment" p JOIN listed ON p."id" = listed."parentId") ` +
        `UPDATE "comment" SET "replyCount" = counted.n FROM (SELECT "parentId", COUNT(*) AS n FROM listed WHERE "parentId" IS NOT NULL GROUP BY "parentId") counted ` +
        `WHERE counted."parentId" = "comment"."id"`,
    );

    await queryRunner.query(`DROP INDEX "IDX_article_tag_tag"`);
    await queryRunner.query(`CREATE INDEX "IDX_article_tag_tag" ON "article_tag" ("tagId", "publishedAt", "articleId")`);
    const thenId = postgres ? `, "id"` : "";
    await queryRunner.query(`CREATE INDEX "IDX_article_comment_count" ON "article" ("commentCount"${thenId})`);
    if (postgres) {
      await queryRunner.query(`DROP INDEX "IDX_article_published_at"`);
      await queryRunner.query(`CREATE INDEX "IDX_article_published_at" ON "article" ("publishedAt", "id")`);
      await queryRunner.query(`DROP INDEX "IDX_comment_author"`);
      await queryRunner.query(`CREATE INDEX "IDX_comment_author" ON "comment" ("authorId", "id")`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type === "postgres") {
      await queryRunner.query(`DROP INDEX "IDX_comment_author"`);
      await queryRunner.query(`CREATE INDEX "IDX_comment_author" ON "comment" ("authorId")`);
      await queryRunner.query(`DROP INDEX "IDX_article_published_at"`);
      await queryRunner.query(`CREATE INDEX "IDX_article_published_at" ON "article" ("publishedAt")`);
    }
    await queryRunner.query(`DROP INDEX "IDX_article_comment_count"`);
    await queryRunner.query(`DROP INDEX "IDX_article_tag_tag"`);
    await queryRunner.query(`CREATE INDEX "IDX_article_tag_tag" ON "article_tag" ("tagId", "articleId")`);
    await queryRunner.query(`DROP TABLE "stored_count"`);
    await queryRunner.query(`ALTER TABLE "article_tag" DROP COLUMN "publishedAt"`);
    await queryRunner.query(`ALTER TABLE "comment" DROP COLUMN "replyCount"`);
    await queryRunner.query(`ALTER TABLE "tag" DROP COLUMN "articleCount"`);
    await queryRunner.query(`ALTER TABLE "author" DROP COLUMN "commentCount"`);
    await queryRunner.query(`ALTER TABLE "article" DROP COLUMN "commentCount"`);
  }
}
