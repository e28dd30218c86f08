import { DataSource } from "typeorm";
import { CursorValues, encodeCursor, PageWindow } from "../schema/connection";
import { join, list, raw, readDate, run, Sql, sql } from "./sql";

/** One key of a list's order. The last key of every list is the row id, so the order is total. */
export interface SortKey {
  expr: Sql;
  dir: "ASC" | "DESC";
  kind: "int" | "date";
}

/**
 * A list that can be paged: rows of `from` that pass `where`, in `sort`
 * order. With `partition`, the list is one per parent (an article's comments,
 * a tag's articles), and one statement serves many parents at once.
 */
export interface ListSpec {
  from: Sql;
  id: Sql;
  partition?: Sql;
  where: Sql[];
  sort: SortKey[];
}

export interface IdPage {
  ids: number[];
  cursors: string[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

function cursorParam(key: SortKey, value: string | number): Sql {
  if (key.kind === "date") {
    const date = new Date(String(value));
    return sql`${Number.isNaN(date.getTime()) ? new Date(0) : date}`;
  }
  return sql`${Number(value)}`;
}

/** Rows strictly after (`later`) or before the cursor in the list's order. */
function beyond(sort: SortKey[], values: CursorValues, later: boolean): Sql {
  const alternatives = sort.map((key, index) => {
    const equalities = sort.slice(0, index).map((prior, i) => sql`${prior.expr} = ${cursorParam(prior, values[i])}`);
    const ascending = key.dir === "ASC";
    const op = ascending === later ? ">" : "<";
    return join([...equalities, sql`${key.expr} ${raw(op)} ${cursorParam(key, values[index])}`], " AND ");
  });
  return sql`(${join(alternatives.map((alt) => sql`(${alt})`), " OR ")})`;
}

function orderBy(sort: SortKey[], reverse: boolean): Sql {
  return join(
    sort.map((key) => sql`${key.expr} ${raw((key.dir === "ASC") !== reverse ? "ASC" : "DESC")}`),
    ", ",
  );
}

function whereClause(conditions: Sql[]): Sql {
  return conditions.length === 0 ? sql`` : sql` WHERE ${join(conditions.map((c) => sql`(${c})`), " AND ")}`;
}

function cursorOf(sort: SortKey[], row: Record<string, unknown>): string {
  return encodeCursor(
    sort.map((key, index) => {
      const value = row[`k${index}`];
      return key.kind === "date" ? readDate(value).toISOString() : Number(value);
    }),
  );
}

/**
 * One page of ids per parent (or one page for an unpartitioned list), in two
 * statements at most whatever the number of parents: the page itself, and
 * when a cursor was given, whether anything lies on its other side.
 */
export async function fetchIdPages(
  dataSource: DataSource,
  spec: ListSpec,
  window: PageWindow,
  parents: number[] | null,
): Promise<Map<number, IdPage>> {
  const pages = new Map<number, IdPage>();
  const partition = spec.partition ?? sql`0`;
  const conditions = [...spec.where];
  if (parents) {
    if (parents.length === 0) return pages;
    conditions.push(sql`${partition} IN ${list(parents)}`);
  }
  const { forward, size, cursor, bound } = window;
  const pageConditions = [...conditions];
  if (cursor) pageConditions.push(beyond(spec.sort, cursor, forward));
  if (bound) pageConditions.push(beyond(spec.sort, bound, !forward));

  const keys = join(spec.sort.map((key, index) => sql`${key.expr} AS ${raw(`k${index}`)}`), ", ");
  const order = orderBy(spec.sort, !forward);
  const query = spec.partition
    ? sql`SELECT * FROM (SELECT ${spec.id} AS id, ${partition} AS pk, ${keys}, ROW_NUMBER() OVER (PARTITION BY ${partition} ORDER BY ${order}) AS rn FROM ${spec.from}${whereClause(pageConditions)}) ranked WHERE rn <= ${size + 1} ORDER BY pk, rn`
    : sql`SELECT ${spec.id} AS id, 0 AS pk, ${keys} FROM ${spec.from}${whereClause(pageConditions)} ORDER BY ${order} LIMIT ${size + 1}`;
  const rows = await run(dataSource, query);

  const grouped = new Map<number, Record<string, unknown>[]>();
  for (const row of rows) {
    const pk = Number(row.pk);
    const group = grouped.get(pk) ?? [];
    group.push(row);
    grouped.set(pk, group);
  }

  // Whether rows exist on the far side of the cursor: the cursor's own row counts.
  let pastCursor = new Set<number>();
  if (cursor) {
    const existence = sql`SELECT DISTINCT ${partition} AS pk FROM ${spec.from}${whereClause([
      ...conditions,
      sql`NOT ${beyond(spec.sort, cursor, forward)}`,
    ])}`;
    pastCursor = new Set((await run(dataSource, existence)).map((row) => Number(row.pk)));
  }

  for (const pk of parents ?? [0]) {
    const group = grouped.get(pk) ?? [];
    const more = group.length > size;
    const taken = group.slice(0, size);
    if (!forward) taken.reverse();
    const page: IdPage = {
      ids: taken.map((row) => Number(row.id)),
      cursors: taken.map((row) => cursorOf(spec.sort, row)),
      hasNextPage: forward ? more : pastCursor.has(pk),
      hasPreviousPage: forward ? pastCursor.has(pk) : more,
    };
    pages.set(pk, page);
  }
  return pages;
}

/** How many rows the list holds, per parent (or under key 0 for an unpartitioned list). */
export async function countRows(dataSource: DataSource, spec: ListSpec, parents: number[] | null): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  if (parents && parents.length === 0) return counts;
  const partition = spec.partition ?? sql`0`;
  const conditions = parents ? [...spec.where, sql`${partition} IN ${list(parents)}`] : spec.where;
  const rows = spec.partition
    ? await run(dataSource, sql`SELECT ${partition} AS pk, COUNT(*) AS n FROM ${spec.from}${whereClause(conditions)} GROUP BY ${partition}`)
    : await run(dataSource, sql`SELECT 0 AS pk, COUNT(*) AS n FROM ${spec.from}${whereClause(conditions)}`);
  for (const row of rows) counts.set(Number(row.pk), Number(row.n));
  return counts;
}
