import { MigrationInterface, QueryRunner } from "typeorm";
import { foldKey } from "./frozen/fold-key";

/**
 * Folded keys beside the names that clients match on (article sections, tag names, author
 * names), filled in for existing rows. Tags were shared by slug, which folded "C++" and "C#"
 * into one tag; they are now shared by folded name. Rows that the old rule kept apart but the new
 * one joins (two spellings that differ only in case) are merged into the older tag, so the unique
 * key can be created. The keys are NOT NULL with an empty default only because SQLite cannot add
 * a NOT NULL column without one; every writer sets them. Plain ALTER TABLE ADD COLUMN runs the same on both engines and, unlike
 * TypeORM's SQLite table rebuild, never drops a table that others cascade from.
 */
export class FoldedKeys1764200000000 implements MigrationInterface {
  name = "FoldedKeys1764200000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "article" ADD COLUMN "sectionKey" text`);
    await queryRunner.query(`ALTER TABLE "tag" ADD COLUMN "nameKey" text NOT NULL DEFAULT ''`);
    await queryRunner.query(`ALTER TABLE "author" ADD COLUMN "nameKey" text NOT NULL DEFAULT ''`);
    const p = (n: number) => (queryRunner.connection.driver.options.type === "postgres" ? `$${n}` : "?");

    const sections: { section: string }[] = await queryRunner.query(`SELECT DISTINCT "section" FROM "article" WHERE "section" IS NOT NULL`);
    for (const { section } of sections) {
      await queryRunner.query(`UPDATE "article" SET "sectionKey" = ${p(1)} WHERE "section" = ${p(2)}`, [foldKey(section), section]);
    }

    const authors: { id: number; name: string }[] = await queryRunner.query(`SELECT "id", "name" FROM "author"`);
    for (const { id, name } of authors) {
      await queryRunner.query(`UPDATE "author" SET "nameKey" = ${p(1)} WHERE "id" = ${p(2)}`, [foldKey(name), id]);
    }

    const tags: { id: number; name: string }[] = await queryRunner.query(`SELECT "id", "name" FROM "tag" ORDER BY "id"`);
    const keeper = new Map<string, number>();
    for (const { id, name } of tags) {
      const key = foldKey(name);
      const kept = keeper.get(key);
      if (kept === undefined) {
        keeper.set(key, id);
        await queryRunner.query(`UPDATE "tag" SET "nameKey" = ${p(1)} WHERE "id" = ${p(2)}`, [key, id]);
        continue;
      }
      // Same tag under the new rule: move its articles to the older row, then drop it.
      await queryRunner.query(
        `UPDATE "article_tag" SET "tagId" = ${p(1)} WHERE "tagId" = ${p(2)}
           AND "articleId" NOT IN (SELECT "articleId" FROM "article_tag" WHERE "tagId" = ${p(3)})`,
        [kept, id, kept],
      );
      await queryRunner.query(`DELETE FROM "article_tag" WHERE "tagId" = ${p(1)}`, [id]);
      await queryRunner.query(`DELETE FROM "tag" WHERE "id" = ${p(1)}`, [id]);
    }

    await queryRunner.query(`CREATE INDEX "IDX_article_section_key" ON "article" ("sectionKey")`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_tag_name_key" ON "tag" ("nameKey")`);
    await queryRunner.query(`CREATE INDEX "IDX_author_name_key" ON "author" ("nameKey")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_author_name_key"`);
    await queryRunner.query(`DROP INDEX "UQ_tag_name_key"`);
    await queryRunner.query(`DROP INDEX "IDX_article_section_key"`);
    await queryRunner.query(`ALTER TABLE "author" DROP COLUMN "nameKey"`);
    await queryRunner.query(`ALTER TABLE "tag" DROP COLUMN "nameKey"`);
    await queryRunner.query(`ALTER TABLE "article" DROP COLUMN "sectionKey"`);
  }
}
