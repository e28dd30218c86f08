import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * PostgreSQL: an article's title words get a tsvector of their own (`title`: the document's
 * weight-A entries, at the same positions), with a GIN index. `Query.search` ranks the newest
 * matches in a title first, and asking the document for them (`'word':A`) made PostgreSQL fetch
 * and test the document of every article with the word, as a GIN index does not hold weights: 116-138 ms
 * for a common word at 100,000 articles, where the title's own index answers the same in 22-27 ms.
 * Existing rows are filled from their documents, in one rewrite of the table (about 40 s per
 * 100,000 articles on 2 cores).
 *
 * SQLite's FTS5 table has a title column already: nothing to do there.
 */
export class SearchTitles1765300000000 implements MigrationInterface {
  name = "SearchTitles1765300000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type !== "postgres") return;
    await queryRunner.query(`ALTER TABLE "search_article" ADD COLUMN "title" tsvector`);
    // Filled by rewriting the table (a USING clause rewrites it whole, and its indexes), not by an
    // UPDATE: that would leave a dead copy of every row behind, and a count of a common word
    // reads the table's pages (230 against 83 ms for "election" at 100,000 articles).
    await queryRunner.query(`ALTER TABLE "search_article" ALTER COLUMN "title" TYPE tsvector USING ts_filter("document", '{a}')`);
    // In the row, as the document is (SearchDocumentsInline): with a long document, a row would
    // otherwise send its few title words to TOAST, to be fetched from there to test a title. The
    // rewrite above resets a column's storage to its type's and moved such titles out, so the
    // table is written once more (CLUSTER brings values back from TOAST and places them by the
    // column's storage), and left unmarked for later CLUSTERs.
    await queryRunner.query(`ALTER TABLE "search_article" ALTER COLUMN "title" SET STORAGE MAIN`);
    await queryRunner.query(`CLUSTER "search_article" USING "search_article_pkey"`);
    await queryRunner.query(`ALTER TABLE "search_article" SET WITHOUT CLUSTER`);
    await queryRunner.query(`ALTER TABLE "search_article" ALTER COLUMN "title" SET NOT NULL`);
    await queryRunner.query(`CREATE INDEX "IDX_search_article_title" ON "search_article" USING GIN ("title")`);
    await queryRunner.query(`ANALYZE "search_article"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type !== "postgres") return;
    await queryRunner.query(`DROP INDEX "IDX_search_article_title"`);
    await queryRunner.query(`ALTER TABLE "search_article" DROP COLUMN "title"`);
  }
}
