import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * PostgreSQL: an article's title words also go in a narrow table of their own, search_title
 * ("articleId", title: the same tsvector as search_article.title), with a GIN index.
 *
 * `Query.search` ranks the newest 1,000 title matches first, and finding them read one page of
 * search_article per title match, as a row there holds its article's whole document: 14,020 pages
 * for the 15,312 title matches of "minister said" at 100,000 articles (56 of the statement's 62
 * ms). search_title holds those 100,000 titles in 19 MB against search_article's 371 MB, so the
 * title matches' ids come from small rows, newest first (ranked-matches.ts, `titleWalk`).
 * search_article keeps its title column: the statements that read its rows test it there.
 *
 * search_title follows search_article by triggers, whatever writes it: the indexer, a rebuild, an
 * instance of the version before this one during a rolling upgrade, or SQL by hand. Creating them
 * holds off writes to search_article until the migration commits (about 2 s per 100,000 articles
 * on 2 cores), so the copy misses none; reads go on.
 *
 * SQLite's FTS5 table has a title column that its index reads by itself: nothing to do there.
 */
export class SearchTitleList1765400000000 implements MigrationInterface {
  name = "SearchTitleList1765400000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type !== "postgres") return;
    await queryRunner.query(
      `CREATE TABLE "search_title" ("articleId" integer NOT NULL, "title" tsvector NOT NULL, CONSTRAINT "PK_search_title" PRIMARY KEY ("articleId"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "search_title" ADD CONSTRAINT "FK_search_title_article" FOREIGN KEY ("articleId") REFERENCES "article"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    // One statement-level trigger per kind of write, each with the rows it wrote (transition tables).
    await queryRunner.query(`CREATE FUNCTION "search_title_follow"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      BEGIN
        IF TG_OP <> 'INSERT' THEN
          DELETE FROM "search_title" t USING "removed" r WHERE t."articleId" = r."articleId";
        END IF;
        IF TG_OP <> 'DELETE' THEN
          INSERT INTO "search_title" ("articleId", "title") SELECT "articleId", "title" FROM "added";
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER "search_title_insert" AFTER INSERT ON "search_article" REFERENCING NEW TABLE AS "added" FOR EACH STATEMENT EXECUTE FUNCTION "search_title_follow"()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "search_title_update" AFTER UPDATE ON "search_article" REFERENCING OLD TABLE AS "removed" NEW TABLE AS "added" FOR EACH STATEMENT EXECUTE FUNCTION "search_title_follow"()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "search_title_delete" AFTER DELETE ON "search_article" REFERENCING OLD TABLE AS "removed" FOR EACH STATEMENT EXECUTE FUNCTION "search_title_follow"()`,
    );
    await queryRunner.query(`INSERT INTO "search_title" ("articleId", "title") SELECT "articleId", "title" FROM "search_article"`);
    await queryRunner.query(`CREATE INDEX "IDX_search_title_title" ON "search_title" USING GIN ("title")`);
    await queryRunner.query(`ANALYZE "search_title"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type !== "postgres") return;
    for (const trigger of ["search_title_insert", "search_title_update", "search_title_delete"]) {
      await queryRunner.query(`DROP TRIGGER "${trigger}" ON "search_article"`);
    }
    await queryRunner.query(`DROP FUNCTION "search_title_follow"()`);
    await queryRunner.query(`DROP TABLE "search_title"`);
  }
}
