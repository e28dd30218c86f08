import { MigrationInterface, QueryRunner } from "typeorm";
import { commentImportKey } from "./frozen/comment-import-key";

/** Rows per backfill statement: one parameter each (ids are integer literals), under SQLite's oldest limit of 999. */
const BACKFILL_ROWS = 400;

/**
 * What the dump said, beside each imported comment, so that a re-import matches comments by
 * content rather than by position, also after a moderator edited one: `importKey` is
 * commentImportKey(author name, body). Existing rows get the key of their current text (an
 * earlier edit cannot be told from the dump's text any more). `removedByImport` tells a comment
 * that a re-import deleted, which may come back, from one a moderator deleted, which may not; no
 * existing row is known to be one. Plain ALTER TABLE ADD COLUMN runs the same on both engines
 * and, unlike TypeORM's SQLite table rebuild, never drops a table that others cascade from.
 */
export class CommentImportKeys1764260000000 implements MigrationInterface {
  name = "CommentImportKeys1764260000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "comment" ADD COLUMN "importKey" text`);
    await queryRunner.query(`ALTER TABLE "comment" ADD COLUMN "removedByImport" boolean NOT NULL DEFAULT false`);

    const postgres = queryRunner.connection.driver.options.type === "postgres";
    const rows: { id: number; body: string; name: string | null }[] = await queryRunner.query(
      `SELECT c."id", c."body", a."name" FROM "comment" c LEFT JOIN "author" a ON a."id" = c."authorId"
       WHERE c."imported" = ${postgres ? "true" : "1"} ORDER BY c."id"`,
    );
    for (let start = 0; start < rows.length; start += BACKFILL_ROWS) {
      const chunk = rows.slice(start, start + BACKFILL_ROWS);
      const params: string[] = [];
      const p = (value: string) => {
        params.push(value);
        return postgres ? `$${params.length}` : "?";
      };
      const cases = chunk.map((row) => `WHEN ${Math.trunc(Number(row.id))} THEN ${p(commentImportKey(row.name, row.body))}`).join(" ");
      const ids = chunk.map((row) => Math.trunc(Number(row.id))).join(", ");
      await queryRunner.query(`UPDATE "comment" SET "importKey" = CASE "id" ${cases} END WHERE "id" IN (${ids})`, params);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "comment" DROP COLUMN "removedByImport"`);
    await queryRunner.query(`ALTER TABLE "comment" DROP COLUMN "importKey"`);
  }
}
