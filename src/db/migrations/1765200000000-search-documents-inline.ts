import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * PostgreSQL: search documents are kept in their table's own pages (compressed), not in its TOAST
 * table. An article's tsvector is several kilobytes, so by default it went out of line, and
 * search_article's pages held little but ids: 7 MB for 100,000 articles, where the documents took
 * 400 MB beside them. The planner costs a scan by those pages, so it read the whole table, fetching
 * every document from TOAST to test it, rather than use the GIN index: a rare word took a second
 * at 100,000 articles, and 0.7 ms through the index once the pages held the documents. STORAGE MAIN
 * keeps a document inline unless it cannot fit a page at all. Entries already stored out of line are
 * written again to move them (the same documents), and the table's statistics refreshed so the planner
 * sees its real size.
 *
 * The statistics also keep the frequencies of 10,000 lexemes instead of 1,000 (statistics target
 * 1,000). A word missing from them is estimated at half the rarest kept one's frequency: 0.5% of
 * 100,000 articles with the default, so for a rare word (66 articles) an article list walked the
 * newest first, testing 30,000 articles before it had a page (700 ms); estimated at about 100 rows,
 * it reads the matches through the index and sorts them (under 40 ms).
 *
 * SQLite's FTS5 tables have no such choices: nothing to do there.
 */
export class SearchDocumentsInline1765200000000 implements MigrationInterface {
  name = "SearchDocumentsInline1765200000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type !== "postgres") return;
    for (const table of ["search_article", "search_comment"]) {
      await queryRunner.query(`ALTER TABLE "${table}" ALTER COLUMN "document" SET STORAGE MAIN`);
      await queryRunner.query(`ALTER TABLE "${table}" ALTER COLUMN "document" SET STATISTICS 1000`);
      // A new value is stored by the column's storage now; an unchanged one would stay where it is.
      // Only a document of over 2,000 bytes once compressed can have been moved out (PostgreSQL
      // moves values out of a row of over about 2 kB): most comments' never were.
      await queryRunner.query(`UPDATE "${table}" SET "document" = "document" || ''::tsvector WHERE pg_column_size("document") > 2000`);
      await queryRunner.query(`ANALYZE "${table}"`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type !== "postgres") return;
    for (const table of ["search_article", "search_comment"]) {
      await queryRunner.query(`ALTER TABLE "${table}" ALTER COLUMN "document" SET STORAGE EXTENDED`);
      await queryRunner.query(`ALTER TABLE "${table}" ALTER COLUMN "document" SET STATISTICS -1`);
    }
  }
}
