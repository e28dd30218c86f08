import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Articles of a newsroom's own site: `url` (where the article is published) and `externalId` (the
 * publisher's own id), each unique when set. Existing articles get neither; upsertArticle attaches
 * one later. `upsertHash` is the digest of the input that last wrote the article through
 * upsertArticle, beside the dump's contentHash, so that each source recognises its own repeats. Both engines allow any number of NULLs under a unique index. The lengths are written
 * out, not taken from COLUMN_LENGTHS, so that this migration keeps doing what it did.
 */
export class ArticleUrls1764800000000 implements MigrationInterface {
  name = "ArticleUrls1764800000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "article" ADD COLUMN "url" varchar(2000)`);
    await queryRunner.query(`ALTER TABLE "article" ADD COLUMN "externalId" varchar(200)`);
    await queryRunner.query(`ALTER TABLE "article" ADD COLUMN "upsertHash" varchar(64)`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_article_url" ON "article" ("url")`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_article_external_id" ON "article" ("externalId")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "UQ_article_external_id"`);
    await queryRunner.query(`DROP INDEX "UQ_article_url"`);
    await queryRunner.query(`ALTER TABLE "article" DROP COLUMN "upsertHash"`);
    await queryRunner.query(`ALTER TABLE "article" DROP COLUMN "externalId"`);
    await queryRunner.query(`ALTER TABLE "article" DROP COLUMN "url"`);
  }
}
