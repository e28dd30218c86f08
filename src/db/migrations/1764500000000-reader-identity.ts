import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Signed-in readers are authors linked by their `sub` claim. Their names are not unique (two
 * readers may both be "Anna"), so the unique name index now holds among authors without a reader
 * behind them only: commenters from dumps and from the service token, which are still shared by
 * exact name. Both engines take a partial unique index, and INSERT OR IGNORE / ON CONFLICT DO
 * NOTHING honour it. Existing rows are all such commenters: sub stays null for them.
 */
export class ReaderIdentity1764500000000 implements MigrationInterface {
  name = "ReaderIdentity1764500000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "author" ADD COLUMN "sub" varchar(255)`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_author_sub" ON "author" ("sub")`);
    await queryRunner.query(`DROP INDEX "UQ_author_name"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_author_name" ON "author" ("name") WHERE "sub" IS NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Readers' authors would break the name's uniqueness: they go, and their comments turn anonymous.
    await queryRunner.query(`DELETE FROM "author" WHERE "sub" IS NOT NULL`);
    await queryRunner.query(`DROP INDEX "UQ_author_name"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_author_name" ON "author" ("name")`);
    await queryRunner.query(`DROP INDEX "UQ_author_sub"`);
    await queryRunner.query(`ALTER TABLE "author" DROP COLUMN "sub"`);
  }
}
