/**
 * Rows as GraphQL reads them: for each table, its entity's columns but those no field needs, and
 * how a row of them becomes an entity. Loaders read through here with plain SQL instead of TypeORM's repositories:
 * entity hydration cost more than the statements themselves, and a repository loads every column,
 * an article's whole text (paragraphs, searchText: about 6 KB) for a list of titles.
 *
 * An article row leaves its body out; Article.paragraphs reads it through its own loader. Rows
 * become instances of the entity classes, so type-graphql takes them as they are (it would copy
 * any other object into a new instance at every field) and Node's type is told by class.
 */
import { DataSource, getMetadataArgsStorage } from "typeorm";
import type { ColumnMetadataArgs } from "typeorm/metadata-args/ColumnMetadataArgs";
import { readDate, run, Sql, sql } from "../db/sql";
import { Article, Author, Comment, CommentFlag, ModerationAction, Notification, RelatedLink, Tag } from "../entities";

type Row = Record<string, unknown>;

/** One table as loaders read it: FROM with an alias, the columns, and the entity a row becomes. */
export interface RowShape<T> {
  from: Sql;
  columns: Sql;
  build(row: Row): T;
}

/** How a column's value, as either engine's driver answers it, becomes the entity's. */
function readerFor(entity: string, column: ColumnMetadataArgs): (value: unknown) => unknown {
  const type = column.options.type;
  let read: (value: unknown) => unknown;
  if (type === Date) read = readDate;
  // SQLite answers booleans as 0 and 1.
  else if (type === "boolean") read = Boolean;
  // PostgreSQL answers COUNT(*) and bigint as strings; every integer here fits a number.
  else if (type === "integer" || type === Number) read = Number;
  else if (type === "varchar" || type === "text") read = String;
  else throw new TypeError(`rows.ts cannot read ${entity}.${column.propertyName} (type ${String(type)}): add its type to readerFor`);
  return column.options.nullable ? (value) => (value === null || value === undefined ? null : read(value)) : read;
}

/**
 * The shape of `entity`'s table, every column of the entity's but those left out, so that a new
 * column is read without another edit here. Built once, when this module loads, from the
 * entities' decorators: the statement text is the same on every request.
 */
function rowShape<T extends object>(entity: new () => T, from: string, alias: string, leftOut: (keyof T & string)[] = []): RowShape<T> {
  const columns = getMetadataArgsStorage()
    .filterColumns(entity)
    .filter((column) => !leftOut.includes(column.propertyName as keyof T & string));
  const readers = columns.map((column) => ({ name: column.propertyName, read: readerFor(entity.name, column) }));
  return {
    from: new Sql(`${from} ${alias}`, []),
    columns: new Sql(columns.map((column) => `${alias}."${column.options.name ?? column.propertyName}"`).join(", "), []),
    build(row) {
      const built = new entity() as Record<string, unknown>;
      for (const { name, read } of readers) built[name] = read(row[name]);
      return built as T;
    },
  };
}

/** The body (paragraphs) is read by Article.paragraphs' own loader; the rest serves no field. */
export const articleRows = rowShape(Article, "article", "a", ["paragraphs", "searchText", "sectionKey", "contentHash", "upsertHash"]);

/** What only re-imports read (ingest/reconcile.ts). */
export const commentRows = rowShape(Comment, "comment", "c", ["imported", "importKey", "removedByImport"]);

export const authorRows = rowShape(Author, "author", "au");

export const tagRows = rowShape(Tag, "tag", "t");

export const relatedLinkRows = rowShape(RelatedLink, "related_link", "rl");

export const moderationActionRows = rowShape(ModerationAction, "moderation_action", "ma");
export const notificationRows = rowShape(Notification, "notification", "n");

export const commentFlagRows = rowShape(CommentFlag, "comment_flag", "cf");

/** The rows of `shape` that pass `where`, in `orderBy` order when given. */
export async function readRows<T>(db: DataSource, shape: RowShape<T>, where: Sql, orderBy?: Sql): Promise<T[]> {
  const order = orderBy ? sql` ORDER BY ${orderBy}` : sql``;
  const rows = await run(db, sql`SELECT ${shape.columns} FROM ${shape.from} WHERE ${where}${order}`);
  return rows.map(shape.build);
}
