import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from "typeorm";

/**
 * The first schema. Written with TypeORM's Table API rather than raw SQL so the
 * same migration runs on SQLite and PostgreSQL; only the timestamp type differs.
 */
export class InitialSchema1764133200000 implements MigrationInterface {
  name = "InitialSchema1764133200000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = queryRunner.connection.driver.options.type === "postgres" ? "timestamptz" : "datetime";
    const id: TableColumnOptions = { name: "id", type: "integer", isPrimary: true, isGenerated: true, generationStrategy: "increment" };
    const fk = (from: string, column: string, to: string, onDelete: "CASCADE" | "SET NULL") => ({
      name: `FK_${from}_${to}`,
      columnNames: [column],
      referencedTableName: to,
      referencedColumnNames: ["id"],
      onDelete,
    });

    await queryRunner.createTable(
      new Table({
        name: "article",
        columns: [
          id,
          { name: "slug", type: "varchar", length: "300" },
          { name: "title", type: "varchar", length: "1000" },
          { name: "section", type: "varchar", length: "200", isNullable: true },
          { name: "publishedAt", type: timestamp },
          { name: "imageCaption", type: "text", isNullable: true },
          { name: "imageCredit", type: "varchar", length: "500", isNullable: true },
          { name: "dateline", type: "varchar", length: "200", isNullable: true },
          { name: "paragraphs", type: "text" },
          { name: "wordCount", type: "integer" },
          { name: "searchText", type: "text" },
          { name: "contentHash", type: "varchar", length: "64" },
        ],
        indices: [
          { name: "UQ_article_slug", columnNames: ["slug"], isUnique: true },
          { name: "UQ_article_title_published", columnNames: ["title", "publishedAt"], isUnique: true },
          { name: "IDX_article_section", columnNames: ["section"] },
          { name: "IDX_article_published_at", columnNames: ["publishedAt"] },
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: "tag",
        columns: [id, { name: "name", type: "varchar", length: "200" }, { name: "slug", type: "varchar", length: "200" }],
        indices: [{ name: "UQ_tag_slug", columnNames: ["slug"], isUnique: true }],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: "article_tag",
        columns: [
          { name: "articleId", type: "integer", isPrimary: true },
          { name: "tagId", type: "integer", isPrimary: true },
          { name: "position", type: "integer" },
        ],
        foreignKeys: [fk("article_tag", "articleId", "article", "CASCADE"), fk("article_tag", "tagId", "tag", "CASCADE")],
        indices: [{ name: "IDX_article_tag_tag", columnNames: ["tagId", "articleId"] }],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: "related_link",
        columns: [id, { name: "articleId", type: "integer" }, { name: "title", type: "varchar", length: "1000" }, { name: "position", type: "integer" }],
        foreignKeys: [fk("related_link", "articleId", "article", "CASCADE")],
        indices: [{ name: "IDX_related_link_article", columnNames: ["articleId", "position"] }],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: "author",
        columns: [id, { name: "name", type: "varchar", length: "200" }],
        indices: [{ name: "UQ_author_name", columnNames: ["name"], isUnique: true }],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: "comment",
        columns: [
          id,
          { name: "articleId", type: "integer" },
          { name: "parentId", type: "integer", isNullable: true },
          { name: "authorId", type: "integer", isNullable: true },
          { name: "body", type: "text" },
          { name: "hasAvatar", type: "boolean", default: false },
          { name: "depth", type: "integer", default: 0 },
          { name: "position", type: "integer" },
          { name: "imported", type: "boolean", default: false },
          { name: "createdAt", type: timestamp, isNullable: true },
          { name: "editedAt", type: timestamp, isNullable: true },
          { name: "isDeleted", type: "boolean", default: false },
        ],
        foreignKeys: [
          fk("comment", "articleId", "article", "CASCADE"),
          fk("comment", "parentId", "comment", "CASCADE"),
          fk("comment", "authorId", "author", "SET NULL"),
        ],
        indices: [
          { name: "IDX_comment_thread", columnNames: ["articleId", "parentId", "position"] },
          { name: "IDX_comment_parent", columnNames: ["parentId", "position"] },
          { name: "IDX_comment_author", columnNames: ["authorId"] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ["comment", "author", "related_link", "article_tag", "tag", "article"]) {
      await queryRunner.dropTable(table);
    }
  }
}
