import { MigrationInterface, QueryRunner, Table } from "typeorm";

/**
 * The moderators' word lists and readers' notifications.
 * - word_list: one row per list (BANNED, SUSPECT), its entries as a JSON array of strings, and a
 *   version that every change raises, so an instance can tell that its copy is stale.
 * - notification: what concerns one reader (by their `sub`), newest last by id; the reader's
 *   index serves their list and "mark read up to". A comment's row going away leaves the
 *   notification without its comment.
 * - notification_inbox: each reader's unread count, kept by the writers in the same transaction as
 *   the notifications, so it is read in one look-up.
 * New tables with TypeORM's Table API, as the earlier ones were.
 */
export class WordListsAndNotifications1765100000000 implements MigrationInterface {
  name = "WordListsAndNotifications1765100000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.driver.options.type === "postgres";
    const timestamp = postgres ? "timestamptz" : "datetime";
    await queryRunner.createTable(
      new Table({
        name: "word_list",
        columns: [
          { name: "kind", type: "varchar", length: "16", isPrimary: true },
          { name: "words", type: "text" },
          { name: "version", type: "integer" },
          { name: "updatedAt", type: timestamp },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "notification",
        columns: [
          { name: "id", type: "integer", isPrimary: true, isGenerated: true, generationStrategy: "increment" },
          { name: "readerSub", type: "varchar", length: "255" },
          { name: "kind", type: "varchar", length: "16" },
          { name: "commentId", type: "integer", isNullable: true },
          { name: "reason", type: "text", isNullable: true },
          { name: "createdAt", type: timestamp },
          { name: "read", type: "boolean", default: false },
        ],
        foreignKeys: [
          { name: "FK_notification_comment", columnNames: ["commentId"], referencedTableName: "comment", referencedColumnNames: ["id"], onDelete: "SET NULL" },
        ],
        indices: [
          // SQLite's indexes end with the rowid already (see the stored-counts migration).
          { name: "IDX_notification_reader", columnNames: postgres ? ["readerSub", "id"] : ["readerSub"] },
          { name: "IDX_notification_comment", columnNames: ["commentId"] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "notification_inbox",
        columns: [
          { name: "readerSub", type: "varchar", length: "255", isPrimary: true },
          { name: "unread", type: "integer", default: 0 },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable("notification_inbox");
    await queryRunner.dropTable("notification");
    await queryRunner.dropTable("word_list");
  }
}
