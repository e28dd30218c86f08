import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from "typeorm";

/**
 * Moderation: a status per comment (every existing comment is PUBLISHED, so nothing readers see
 * changes), the flags readers raise, featured comments, a moderation mode per article (null: the
 * MODERATION setting), and the log of moderators' actions. Columns are added with plain ALTER
 * TABLE, the same on both engines; new tables with TypeORM's Table API, as the first schema was.
 *
 * The moderation queue is read by status in id order: ("status", "id") on PostgreSQL, ("status")
 * on SQLite, whose indexes end with the rowid already (see the stored-counts migration). Featured
 * comments are few: a partial index holds only them.
 */
export class Moderation1764600000000 implements MigrationInterface {
  name = "Moderation1764600000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.driver.options.type === "postgres";
    const timestamp = postgres ? "timestamptz" : "datetime";
    await queryRunner.query(`ALTER TABLE "comment" ADD COLUMN "status" varchar(16) NOT NULL DEFAULT 'PUBLISHED'`);
    await queryRunner.query(`ALTER TABLE "comment" ADD COLUMN "flagCount" integer NOT NULL DEFAULT 0`);
    await queryRunner.query(`ALTER TABLE "comment" ADD COLUMN "featuredAt" ${timestamp}`);
    await queryRunner.query(`ALTER TABLE "article" ADD COLUMN "moderation" varchar(8)`);
    await queryRunner.query(`CREATE INDEX "IDX_comment_status" ON "comment" ("status"${postgres ? `, "id"` : ""})`);
    await queryRunner.query(`CREATE INDEX "IDX_comment_featured" ON "comment" ("articleId") WHERE "featuredAt" IS NOT NULL`);

    const id: TableColumnOptions = { name: "id", type: "integer", isPrimary: true, isGenerated: true, generationStrategy: "increment" };
    const toComment = {
      name: "FK_moderation_comment",
      columnNames: ["commentId"],
      referencedTableName: "comment",
      referencedColumnNames: ["id"],
      onDelete: "CASCADE",
    };
    await queryRunner.createTable(
      new Table({
        name: "moderation_action",
        columns: [
          id,
          { name: "commentId", type: "integer" },
          { name: "action", type: "varchar", length: "20" },
          { name: "status", type: "varchar", length: "16", isNullable: true },
          { name: "reason", type: "text", isNullable: true },
          { name: "actorRole", type: "varchar", length: "16", isNullable: true },
          { name: "actorSub", type: "varchar", length: "255", isNullable: true },
          { name: "actorName", type: "varchar", length: "200", isNullable: true },
          { name: "createdAt", type: timestamp },
        ],
        foreignKeys: [toComment],
        indices: [{ name: "IDX_moderation_action_comment", columnNames: ["commentId"] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: "comment_flag",
        columns: [
          id,
          { name: "commentId", type: "integer" },
          { name: "readerSub", type: "varchar", length: "255" },
          { name: "reason", type: "varchar", length: "16" },
          { name: "note", type: "text", isNullable: true },
          { name: "createdAt", type: timestamp },
        ],
        foreignKeys: [{ ...toComment, name: "FK_comment_flag_comment" }],
        indices: [{ name: "UQ_comment_flag_reader", columnNames: ["commentId", "readerSub"], isUnique: true }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable("comment_flag");
    await queryRunner.dropTable("moderation_action");
    await queryRunner.query(`DROP INDEX "IDX_comment_featured"`);
    await queryRunner.query(`DROP INDEX "IDX_comment_status"`);
    await queryRunner.query(`ALTER TABLE "article" DROP COLUMN "moderation"`);
    await queryRunner.query(`ALTER TABLE "comment" DROP COLUMN "featuredAt"`);
    await queryRunner.query(`ALTER TABLE "comment" DROP COLUMN "flagCount"`);
    await queryRunner.query(`ALTER TABLE "comment" DROP COLUMN "status"`);
  }
}
