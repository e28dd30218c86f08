import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Names for the constraints that were created without one, so that the entities can name them on
 * both engines (TypeORM matches foreign keys by name): the foreign keys of comment_reaction and,
 * on PostgreSQL, of the search index's tables, which PostgreSQL had named `<table>_<column>_fkey`
 * and SQLite not at all. SQLite also gets stored_count's key NOT NULL, which a non-integer
 * PRIMARY KEY there is not unless it says so. PostgreSQL renames in place; SQLite cannot alter a
 * constraint, so it copies each of the two small tables into one declared anew (nothing refers to
 * either). Plain SQL, written for this migration alone.
 */
export class NamedConstraints1764900000000 implements MigrationInterface {
  name = "NamedConstraints1764900000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type === "postgres") {
      await queryRunner.query(`ALTER TABLE "comment_reaction" RENAME CONSTRAINT "comment_reaction_commentId_fkey" TO "FK_comment_reaction_comment"`);
      await queryRunner.query(`ALTER TABLE "search_article" RENAME CONSTRAINT "search_article_articleId_fkey" TO "FK_search_article_article"`);
      await queryRunner.query(`ALTER TABLE "search_comment" RENAME CONSTRAINT "search_comment_commentId_fkey" TO "FK_search_comment_comment"`);
      return;
    }
    await rebuildSqliteTable(
      queryRunner,
      "comment_reaction",
      `"commentId" integer NOT NULL, "readerSub" varchar(255) NOT NULL, "createdAt" datetime NOT NULL, ` +
        `CONSTRAINT "FK_comment_reaction_comment" FOREIGN KEY ("commentId") REFERENCES "comment" ("id") ON DELETE CASCADE, ` +
        `PRIMARY KEY ("commentId", "readerSub")`,
      `"commentId", "readerSub", "createdAt"`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_comment_reaction_reader" ON "comment_reaction" ("readerSub", "commentId")`);
    await rebuildSqliteTable(queryRunner, "stored_count", `"name" varchar(40) PRIMARY KEY NOT NULL, "value" integer NOT NULL`, `"name", "value"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type === "postgres") {
      await queryRunner.query(`ALTER TABLE "search_comment" RENAME CONSTRAINT "FK_search_comment_comment" TO "search_comment_commentId_fkey"`);
      await queryRunner.query(`ALTER TABLE "search_article" RENAME CONSTRAINT "FK_search_article_article" TO "search_article_articleId_fkey"`);
      await queryRunner.query(`ALTER TABLE "comment_reaction" RENAME CONSTRAINT "FK_comment_reaction_comment" TO "comment_reaction_commentId_fkey"`);
      return;
    }
    await rebuildSqliteTable(queryRunner, "stored_count", `"name" varchar(40) PRIMARY KEY, "value" integer NOT NULL`, `"name", "value"`);
    await rebuildSqliteTable(
      queryRunner,
      "comment_reaction",
      `"commentId" integer NOT NULL REFERENCES "comment" ("id") ON DELETE CASCADE, "readerSub" varchar(255) NOT NULL, ` +
        `"createdAt" datetime NOT NULL, PRIMARY KEY ("commentId", "readerSub")`,
      `"commentId", "readerSub", "createdAt"`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_comment_reaction_reader" ON "comment_reaction" ("readerSub", "commentId")`);
  }
}

/** Replaces a SQLite table that no other table refers to by one declared as `definition`, rows kept (its indexes go with it). */
async function rebuildSqliteTable(queryRunner: QueryRunner, table: string, definition: string, columns: string): Promise<void> {
  await queryRunner.query(`CREATE TABLE "${table}_rebuilt" (${definition})`);
  await queryRunner.query(`INSERT INTO "${table}_rebuilt" (${columns}) SELECT ${columns} FROM "${table}"`);
  await queryRunner.query(`DROP TABLE "${table}"`);
  await queryRunner.query(`ALTER TABLE "${table}_rebuilt" RENAME TO "${table}"`);
}
