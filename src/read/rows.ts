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
  /** How many columns `columns` names. */
  width: number;
  /**
   * The columns as `columns` writes them (`c."position"`), each with the name it is answered
   * under: a list that sorts by them reads their values from the row instead of selecting them
   * again (read/connection.ts).
   */
  named?: ReadonlyMap<string, string>;
  /**
   * The shape leaves out columns a field may read (see `narrowed`): its rows serve the fields
   * asked for and nothing else, so they are never primed into a by-id loader.
   */
  partial?: boolean;
  build(row: Row): T;
}

/**
 * The most columns a statement of the read path selects. sqlite3 builds each row by setting one
 * property per column; from the 20th on, V8 turns the object into a dictionary, and every row of
 * the answer is then slower to build, to read and to collect (docs/benchmarks.md, "Against
 * db0beb5"). tests/read/row-width.test.ts checks the limit
 * against the installed sqlite3 and V8. A shape has at most this many columns; a list that would
 * add its sort keys beyond it reads its rows by id instead (read/connection.ts).
 */
export const MAX_SELECTED_COLUMNS = 19;

/**
 * How a column's value, as either engine's driver answers it, becomes the entity's: a JavaScript
 * expression of `value` (see compileBuild).
 */
function readerFor(entity: string, column: ColumnMetadataArgs): string {
  const type = column.options.type;
  let read: string;
  if (type === Date) read = "readDate(value)";
  // SQLite answers booleans as 0 and 1.
  else if (type === "boolean") read = "Boolean(value)";
  // PostgreSQL answers COUNT(*) and bigint as strings; every integer here fits a number.
  else if (type === "integer" || type === Number) read = "Number(value)";
  else if (type === "varchar" || type === "text") read = "String(value)";
  else throw new TypeError(`rows.ts cannot read ${entity}.${column.propertyName} (type ${String(type)}): add its type to readerFor`);
  return column.options.nullable ? `value === null || value === undefined ? null : ${read}` : read;
}

/**
 * `build` for one shape, written out once as code: each property is read and stored under its
 * own constant name, in one order, so every row of a table takes the same path (a loop over the
 * column names stores by computed key, and cost as much as the rest of a list of titles). The
 * names come from the entities' decorators, never from a request.
 */
function compileBuild<T>(entity: new () => T, readers: { name: string; read: string }[]): (row: Row) => T {
  const name = (text: string) => JSON.stringify(text);
  const body = readers.map(({ name: field, read }) => `  value = row[${name(field)}];\n  built[${name(field)}] = ${read};`).join("\n");
  const make = new Function("Entity", "readDate", `return function build(row) {\n  const built = new Entity();\n  let value;\n${body}\n  return built;\n};`);
  return make(entity, readDate) as (row: Row) => T;
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
  if (columns.length > MAX_SELECTED_COLUMNS) {
    throw new Error(
      `rows.ts: ${entity.name} has ${columns.length} columns, more than the ${MAX_SELECTED_COLUMNS} a row may have (MAX_SELECTED_COLUMNS): leave out those no field reads`,
    );
  }
  const readers = columns.map((column) => ({ name: column.propertyName, read: readerFor(entity.name, column) }));
  const named = new Map(columns.map((column) => [`${alias}."${column.options.name ?? column.propertyName}"`, column.options.name ?? column.propertyName]));
  return {
    from: new Sql(`${from} ${alias}`, []),
    columns: new Sql([...named.keys()].join(", "), []),
    width: columns.length,
    named,
    build: compileBuild(entity, readers),
  };
}

/**
 * Narrowed shapes (null: that narrowing reads the whole row), by the properties they keep: a page's
 * selection, so a handful per table. Looked up first, as every list of titles asks.
 */
const narrowedShapes = new Map<string, RowShape<unknown> | null>();
const MAX_NARROWED_SHAPES = 64;

/**
 * `shape` with only `id` and `properties` of its columns, for a list whose nodes are asked for
 * those alone (a list of titles): fewer values to read, send and build per row. Null when that
 * would leave out nothing, when a property is not a column of the shape, or past
 * MAX_NARROWED_SHAPES kinds of narrowing (then the whole row is read, as always).
 */
function narrowed<T extends object>(shape: RowShape<T>, entity: new () => T, from: string, alias: string, properties: Iterable<string>): RowShape<T> | null {
  const kept = new Set(["id", ...properties]);
  const key = `${entity.name} ${[...kept].sort().join(" ")}`;
  const known = narrowedShapes.get(key);
  if (known !== undefined) return known as RowShape<T> | null;
  if (narrowedShapes.size >= MAX_NARROWED_SHAPES) return null;
  const named = new Set(shape.named?.values() ?? []);
  const narrow =
    [...kept].every((property) => named.has(property)) && kept.size < named.size
      ? {
          ...rowShape(
            entity,
            from,
            alias,
            getMetadataArgsStorage()
              .filterColumns(entity)
              .map((column) => column.propertyName)
              .filter((property) => !kept.has(property)) as (keyof T & string)[],
          ),
          partial: true,
        }
      : null;
  narrowedShapes.set(key, narrow as RowShape<unknown> | null);
  return narrow;
}

/** Article rows with only the columns of `properties` (and the id), or null for the whole row (see `narrowed`). */
export function articleRowsOf(properties: Iterable<string>): RowShape<Article> | null {
  return narrowed(articleRows, Article, "article", "a", properties);
}

/**
 * The body (paragraphs) is read by Article.paragraphs' own loader; the moderation queues' stored
 * counts by moderationCounts (read/queue-counts.ts); the rest serves no field.
 */
export const articleRows = rowShape(Article, "article", "a", [
  "paragraphs",
  "searchText",
  "sectionKey",
  "contentHash",
  "upsertHash",
  "pendingCount",
  "reportedCount",
  "unmoderatedCount",
  "rejectedCount",
]);

/** What only re-imports read (ingest/reconcile.ts). */
export const commentRows = rowShape(Comment, "comment", "c", ["imported", "importKey", "removedByImport"]);

export const authorRows = rowShape(Author, "author", "au");

export const tagRows = rowShape(Tag, "tag", "t");

export const relatedLinkRows = rowShape(RelatedLink, "related_link", "rl");

export const moderationActionRows = rowShape(ModerationAction, "moderation_action", "ma");
export const notificationRows = rowShape(Notification, "notification", "n");

export const commentFlagRows = rowShape(CommentFlag, "comment_flag", "cf");

/**
 * The rows of `shape` that pass `where`, in `orderBy` order when given. Callers look rows up by
 * key (ids, slugs, parents), so the statement may be kept prepared (db/prepared-statements.ts).
 */
export async function readRows<T>(db: DataSource, shape: RowShape<T>, where: Sql, orderBy?: Sql): Promise<T[]> {
  const order = orderBy ? sql` ORDER BY ${orderBy}` : sql``;
  const rows = await run(db, sql`SELECT ${shape.columns} FROM ${shape.from} WHERE ${where}${order}`, { prepare: true });
  return rows.map(shape.build);
}
