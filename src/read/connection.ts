/**
 * Relay connections, from a client's arguments to a served page. This is the one place that knows
 * what a cursor holds: it checks the arguments (page sizes, cursors), turns a list's definition
 * into keyset SQL, and turns rows into edges, nodes and pageInfo. The noun modules beside it
 * (article.loader.ts, comment.loader.ts, ...) only define their lists: which rows, in which orders.
 *
 * A cursor names its list, the parent the list belongs to (0 for a top-level list), the order, and
 * the row's sort-key values. Decoding checks each of them against the list it is given to, and
 * each value against its key's type, so nothing a client sends reaches SQL unchecked.
 */
import DataLoader from "dataloader";
import { DataSource } from "typeorm";
import { join, list, raw, readDate, run, Sql, sql } from "../db/sql";
import { userError } from "../errors";
import { CountSource, MAX_BATCH, noteList, RowLoader } from "./batch.loader";
import { MAX_SELECTED_COLUMNS, RowShape } from "./rows";

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** Pagination arguments as a client sent them. */
export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/**
 * What a sort key's values are, checked when a cursor comes back: `int` for integer columns (ids,
 * positions: 32-bit on PostgreSQL), `count` for COUNT(*) (never negative), `date` for timestamps
 * (served as ISO-8601 UTC with milliseconds), `score` for a relevance computed in SQL (a finite
 * double, which JSON carries exactly, so the row it came from compares equal to it).
 */
export type KeyType = "int" | "count" | "date" | "score";

/** One key of a list's order. The last key of every order is the row id, so the order is total. */
export interface SortKey {
  expr: Sql;
  dir: "ASC" | "DESC";
  type: KeyType;
}

/** Rows that can be counted: those of `from` that pass `where`, one group per `partition` value. */
export interface RowSet {
  from: Sql;
  partition?: Sql;
  where: Sql[];
  /**
   * Whether `where` holds values a client filters by (a section, a search, dates), whose best
   * plan depends on the value: then its statements are not kept prepared on PostgreSQL
   * (db/prepared-statements.ts). Absent: its parameters are keys (parents, cursors, ids).
   */
  filtered?: boolean;
}

/**
 * A list that can be paged, in any of its named orders. With `partition`, there is one list per
 * parent (an article's comments, a tag's articles), and one statement serves many parents.
 * Column names are quoted because PostgreSQL folds unquoted ones to lower case.
 */
export interface ListDef<O extends string> extends RowSet {
  /** The list's name in its cursors: a cursor is only taken by the list that gave it. */
  name: string;
  id: Sql;
  orders: Record<O, SortKey[]>;
}

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface Edge<T> {
  readonly cursor: string;
  node: T;
}

/**
 * How a list is counted, only when a client asks: `total` counts every item (a stored count
 * answers at once). `upTo`, for a list whose count is a look at every item (a search's matches),
 * stops after `limit + 1` of them: enough to say "more than `limit`" (BoundedCount). Without it,
 * a bounded count is taken from the total.
 */
export interface ListCount {
  total(): number | Promise<number>;
  upTo?(limit: number): Promise<number>;
}

/** What a connection field resolves to. */
export interface Connection<T> {
  readonly edges: Edge<T>[];
  readonly nodes: T[];
  readonly pageInfo: PageInfo;
  /** A getter, so the count is only queried when a client asks for totalCount; a stored count comes at once. */
  readonly totalCount: number | Promise<number>;
  /** The list's size if it is at most `limit`, else a number above `limit` (see ListCount). */
  countUpTo(limit: number): Promise<number>;
}

/** The count of a list known to be empty. */
export const NONE: ListCount = { total: () => 0 };

async function countUpTo(count: ListCount, limit: number): Promise<number> {
  return count.upTo ? count.upTo(limit) : count.total();
}

export type KeyValue = string | number;

/** A list in one order, for one parent: what a cursor is made for and checked against. */
interface CursorScope {
  list: string;
  parent: number;
  order: string;
  sort: SortKey[];
}

/** Validated pagination: a direction, a size and the sort-key values of the cursors given. */
interface PageWindow {
  forward: boolean;
  size: number;
  /** Values of the `after` (forward) or `before` (backward) cursor. */
  cursor: KeyValue[] | null;
  /** The cursor on the far side, when the client sent both after and before. */
  bound: KeyValue[] | null;
}

// ---------------------------------------------------------------------------------------------
// Cursors

const MAX_CURSOR_LENGTH = 512;
const MAX_INT = 2 ** 31 - 1;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function encodeCursor(scope: CursorScope, values: KeyValue[]): string {
  return Buffer.from(JSON.stringify([scope.list, scope.parent, scope.order, values]), "utf8").toString("base64url");
}

/** Whether a value read from a cursor can stand for a key of this type in SQL. */
function fitsKey(type: KeyType, value: unknown): boolean {
  switch (type) {
    case "int":
      return Number.isInteger(value) && Math.abs(value as number) <= MAX_INT;
    case "count":
      return Number.isSafeInteger(value) && (value as number) >= 0;
    case "date":
      // Only the form cursors are made in: a real instant that reads back the same.
      return typeof value === "string" && ISO_INSTANT.test(value) && !Number.isNaN(Date.parse(value)) && new Date(value).toISOString() === value;
    case "score":
      return typeof value === "number" && Number.isFinite(value);
  }
}

/**
 * The sort-key values of a cursor made for `scope`. Anything else (not a cursor, a cursor of
 * another list or order, values of the wrong type) is the client's mistake: BAD_USER_INPUT
 * naming the argument.
 */
function decodeCursor(cursor: string, scope: CursorScope, argument: "after" | "before"): KeyValue[] {
  const refuse = (why: string) => userError(`"${argument}" ${why}`, { argumentName: argument });
  const invalid = () => refuse("is not a valid cursor");
  if (cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 4) throw invalid();
  const [listName, parent, order, values] = parsed as unknown[];
  if (listName !== scope.list || parent !== scope.parent) {
    throw refuse("is a cursor of another list; a cursor only works on the list that gave it");
  }
  if (order !== scope.order) {
    const given = typeof order === "string" && /^[A-Z_]{1,40}$/.test(order) ? ` ${order}` : "";
    throw refuse(`was given by another order${given}; send it with that order, or start again without a cursor`);
  }
  if (!Array.isArray(values) || values.length !== scope.sort.length || !scope.sort.every((key, i) => fitsKey(key.type, values[i]))) {
    throw invalid();
  }
  return values as KeyValue[];
}

// ---------------------------------------------------------------------------------------------
// Page windows

function checkSize(value: number | null | undefined, argument: "first" | "last"): number | null {
  if (value === null || value === undefined) return null;
  if (value < 0 || value > MAX_PAGE_SIZE) {
    throw userError(`"${argument}" must be between 0 and ${MAX_PAGE_SIZE}, got ${value}`, { argumentName: argument });
  }
  return value;
}

/** Turns client arguments into a page window for `scope`, rejecting what cannot be served. */
function pageWindow(args: PageArgs, scope: CursorScope): PageWindow {
  const first = checkSize(args.first, "first");
  const last = checkSize(args.last, "last");
  if (first !== null && last !== null) {
    throw userError(`pass "first" or "last", not both`, { argumentName: "last" });
  }
  const after = args.after != null ? decodeCursor(args.after, scope, "after") : null;
  const before = args.before != null ? decodeCursor(args.before, scope, "before") : null;
  if (last !== null || (before !== null && first === null && after === null)) {
    return { forward: false, size: last ?? DEFAULT_PAGE_SIZE, cursor: before, bound: after };
  }
  return { forward: true, size: first ?? DEFAULT_PAGE_SIZE, cursor: after, bound: before };
}

// ---------------------------------------------------------------------------------------------
// SQL

/**
 * A page of ids for one parent, with the sort-key values their cursors are made from, as the
 * engine returned them: they are read (dates parsed) only when a client asks for a cursor.
 */
interface IdPage {
  ids: number[];
  keys: unknown[][];
  /** The rows themselves, when the page statement read them (see `fetchIdPages`). */
  rows: Record<string, unknown>[] | null;
  /** The nodes built from `rows`, once a connection has been made of the page. */
  nodes?: unknown[];
  /** The parent's whole list's size, when the page statement counted it too (see `fetchIdPages`). */
  total?: number;
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

function keyParam(key: SortKey, value: KeyValue): Sql {
  // Checked by decodeCursor: a date is a valid ISO instant, a number fits its column.
  return key.type === "date" ? sql`${new Date(value as string)}` : sql`${value as number}`;
}

/** Consecutive sort keys that share a direction, with the cursor's values for them. */
interface KeyRun {
  keys: SortKey[];
  values: KeyValue[];
}

function keyRuns(sort: SortKey[], values: KeyValue[]): KeyRun[] {
  const runs: KeyRun[] = [];
  sort.forEach((key, index) => {
    const last = runs[runs.length - 1];
    if (last && last.keys[0].dir === key.dir) {
      last.keys.push(key);
      last.values.push(values[index]);
    } else {
      runs.push({ keys: [key], values: [values[index]] });
    }
  });
  return runs;
}

/** `(a, b) > (?, ?)`, or `a > ?` for a single key. */
function compareRun(run: KeyRun, op: string): Sql {
  if (run.keys.length === 1) return sql`${run.keys[0].expr} ${raw(op)} ${keyParam(run.keys[0], run.values[0])}`;
  const columns = join(
    run.keys.map((key) => key.expr),
    ", ",
  );
  const params = join(
    run.keys.map((key, i) => keyParam(key, run.values[i])),
    ", ",
  );
  return sql`(${columns}) ${raw(op)} (${params})`;
}

/**
 * Rows strictly after (`later`) or before the cursor in the list's order; with `inclusive`, the
 * cursor's own row too. Keys that share a direction compare as one row value, `(a, b) > (?, ?)`,
 * which both engines turn into a seek on an index that holds those keys in that order, where the
 * equivalent `a > ? OR (a = ? AND b > ?)` walks the index up to the cursor. An order that changes
 * direction (MOST_REPLIES) takes one alternative per change.
 */
function beyond(sort: SortKey[], values: KeyValue[], later: boolean, inclusive = false): Sql {
  const runs = keyRuns(sort, values);
  const alternatives = runs.map((run, index) => {
    const equalities = runs.slice(0, index).flatMap((prior) => prior.keys.map((key, i) => sql`${key.expr} = ${keyParam(key, prior.values[i])}`));
    const op = ((run.keys[0].dir === "ASC") === later ? ">" : "<") + (inclusive && index === runs.length - 1 ? "=" : "");
    return join([...equalities, compareRun(run, op)], " AND ");
  });
  return sql`(${join(
    alternatives.map((alt) => sql`(${alt})`),
    " OR ",
  )})`;
}

function orderBy(sort: SortKey[], reverse: boolean): Sql {
  return join(
    sort.map((key) => sql`${key.expr} ${raw((key.dir === "ASC") !== reverse ? "ASC" : "DESC")}`),
    ", ",
  );
}

function whereClause(conditions: Sql[]): Sql {
  return conditions.length === 0
    ? sql``
    : sql` WHERE ${join(
        conditions.map((c) => sql`(${c})`),
        " AND ",
      )}`;
}

function readKey(key: SortKey, value: unknown): KeyValue {
  return key.type === "date" ? readDate(value).toISOString() : Number(value);
}

/**
 * One page of ids per parent (or one page for an unpartitioned list), in two statements at most
 * whatever the number of parents: the page itself, and when a cursor was given, whether anything
 * lies on its other side.
 *
 * One list (unpartitioned, or one parent's) is read with ORDER BY ... LIMIT, which seeks the index
 * to the cursor and stops after the page, so its cost does not grow with the list. Several
 * parents' lists are read together, numbered per parent with ROW_NUMBER(); that reads each of
 * their lists whole, which is what per-parent lists (an article's comments, a comment's replies)
 * can afford. The other side of a cursor is probed with LIMIT 1.
 */
async function fetchIdPages<O extends string>(
  db: DataSource,
  def: ListDef<O>,
  order: O,
  window: PageWindow,
  parents: number[] | null,
  shape: Pick<RowShape<unknown>, "columns" | "width" | "named"> | null = null,
  withCount = false,
): Promise<Map<number, IdPage>> {
  const columns = shape?.columns ?? null;
  const pages = new Map<number, IdPage>();
  const sort = def.orders[order];
  const partition = def.partition ?? sql`0`;
  const conditions = [...def.where];
  if (parents) {
    if (parents.length === 0) return pages;
    conditions.push(sql`${partition} IN ${list(parents)}`);
  }
  const { forward, size, cursor, bound } = window;
  const pageConditions = [...conditions];
  if (cursor) pageConditions.push(beyond(sort, cursor, forward));
  if (bound) pageConditions.push(beyond(sort, bound, !forward));

  const ordering = orderBy(sort, !forward);
  const windowed = def.partition && parents && parents.length > 1;
  // With `columns`, the page's rows are read too. One list's LIMIT page (a top-level list, or one
  // parent's) reads them itself. Several parents' lists, numbered whole with ROW_NUMBER() on ids
  // and sort keys only, are followed by one statement for the rows of every parent's page by id:
  // joined back into the numbering in one statement, PostgreSQL hashed the whole table for it.
  // Either way the nodes come without a by-id load each.
  // A page that reads its rows takes its sort keys and parent from the row's own columns where it
  // has them (a comment's position and id), and selects the others after the row; it reads its
  // rows itself only while that keeps within MAX_SELECTED_COLUMNS (rows.ts). An unpartitioned
  // list's rows all belong to parent 0, so it selects no partition column.
  const own = (expr: Sql) => (shape?.named && expr.params.length === 0 ? shape.named.get(expr.text) : undefined);
  const ownKeys = sort.map((key) => own(key.expr));
  const ownPartition = def.partition ? own(def.partition) : undefined;
  const added = ownKeys.filter((name) => name === undefined).length + (def.partition && ownPartition === undefined ? 1 : 0);
  // One parent's page that reads its rows can count the parent's whole list too, in a subquery
  // that names no outer column, which both engines run once: a statement fewer for a page that
  // shows its totalCount (an article page's comments).
  const counts = withCount && parents !== null && parents.length === 1 && def.partition !== undefined;
  const rowsInPage = shape !== null && !windowed && shape.width + added + (counts ? 1 : 0) <= MAX_SELECTED_COLUMNS;
  const counted = counts && rowsInPage;
  const countColumn = counted ? sql`, (SELECT COUNT(*) FROM ${def.from}${whereClause(conditions)}) AS "totalCount"` : sql``;
  const keyColumns = sort.map((_key, index) => (rowsInPage ? ownKeys[index] : undefined) ?? `k${index}`);
  const pkColumn = (rowsInPage ? ownPartition : undefined) ?? "pk";
  const keyAs = (key: SortKey, index: number) => sql`${key.expr} AS ${raw(`k${index}`)}`;
  const keys = join(sort.map(keyAs), ", ");
  const addedKeys = join(
    sort.flatMap((key, index) => (ownKeys[index] === undefined ? [sql`, ${keyAs(key, index)}`] : [])),
    "",
  );
  const addedPartition = def.partition && ownPartition === undefined ? sql`, ${partition} AS pk` : sql``;
  const query = windowed
    ? sql`SELECT * FROM (SELECT ${def.id} AS id, ${partition} AS pk, ${keys}, ROW_NUMBER() OVER (PARTITION BY ${partition} ORDER BY ${ordering}) AS rn FROM ${def.from}${whereClause(pageConditions)}) ranked WHERE rn <= ${size + 1} ORDER BY pk, rn`
    : rowsInPage
      ? sql`SELECT ${columns!}${addedPartition}${addedKeys}${countColumn} FROM ${def.from}${whereClause(pageConditions)} ORDER BY ${ordering} LIMIT ${size + 1}`
      : sql`SELECT ${def.id} AS id, ${partition} AS pk, ${keys} FROM ${def.from}${whereClause(pageConditions)} ORDER BY ${ordering} LIMIT ${size + 1}`;
  const prepare = { prepare: !def.filtered };
  const rows = await run(db, query, prepare);

  const grouped = new Map<number, Record<string, unknown>[]>();
  for (const row of rows) {
    const pk = def.partition ? Number(row[pkColumn]) : 0;
    const group = grouped.get(pk) ?? [];
    group.push(row);
    grouped.set(pk, group);
  }

  // Whether rows exist on the far side of the cursor: the cursor's own row counts. The nearest
  // such row is asked for, so the engine seeks the index to the cursor and reads one entry, where
  // "any row" may be planned as a scan that hopes to meet one early. A cursor names its parent,
  // so a page after one has a single parent, unless a client made cursors up.
  let pastCursor = new Set<number>();
  if (cursor) {
    const behind = whereClause([...conditions, beyond(sort, cursor, !forward, true)]);
    const existence =
      parents && parents.length > 1
        ? sql`SELECT DISTINCT ${partition} AS pk FROM ${def.from}${behind}`
        : sql`SELECT ${partition} AS pk FROM ${def.from}${behind} ORDER BY ${orderBy(sort, forward)} LIMIT 1`;
    pastCursor = new Set((await run(db, existence, prepare)).map((row) => Number(row.pk)));
  }

  const listed = (parents ?? [0]).map((pk) => {
    const group = grouped.get(pk) ?? [];
    const page = group.slice(0, size);
    return { pk, group, page: forward ? page : page.reverse() };
  });
  const byId =
    columns && !rowsInPage
      ? await rowsById(
          db,
          def,
          columns,
          listed.flatMap(({ page }) => page.map((row) => Number(row.id))),
        )
      : null;
  for (const { pk, group, page } of listed) {
    // A row deleted between the two statements is left out.
    const taken = byId ? page.filter((row) => byId.has(Number(row.id))) : page;
    pages.set(pk, {
      ids: taken.map((row) => Number(row.id)),
      keys: taken.map((row) => keyColumns.map((column) => row[column])),
      rows: byId ? taken.map((row) => byId.get(Number(row.id))!) : columns ? taken : null,
      // An empty page has no row to carry the count.
      total: counted && group.length > 0 ? Number(group[0].totalCount) : undefined,
      hasNextPage: forward ? group.length > size : pastCursor.has(pk),
      hasPreviousPage: forward ? pastCursor.has(pk) : group.length > size,
    });
  }
  return pages;
}

/** The rows of `ids` by id, in statements of at most MAX_BATCH ids. */
async function rowsById<O extends string>(db: DataSource, def: ListDef<O>, columns: Sql, ids: number[]): Promise<Map<number, Record<string, unknown>>> {
  const found = new Map<number, Record<string, unknown>>();
  for (let at = 0; at < ids.length; at += MAX_BATCH) {
    const rows = await run(db, sql`SELECT ${columns} FROM ${def.from} WHERE ${def.id} IN ${list(ids.slice(at, at + MAX_BATCH))}`, { prepare: true });
    for (const row of rows) found.set(Number(row.id), row);
  }
  return found;
}

/** How many rows the set holds, per parent (or under key 0 for an unpartitioned set). */
async function countRows(db: DataSource, rows: RowSet, parents: number[] | null): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  if (parents && parents.length === 0) return counts;
  const partition = rows.partition ?? sql`0`;
  const conditions = parents ? [...rows.where, sql`${partition} IN ${list(parents)}`] : rows.where;
  const result = rows.partition
    ? await run(db, sql`SELECT ${partition} AS pk, COUNT(*) AS n FROM ${rows.from}${whereClause(conditions)} GROUP BY ${partition}`, {
        prepare: !rows.filtered,
      })
    : await run(db, sql`SELECT 0 AS pk, COUNT(*) AS n FROM ${rows.from}${whereClause(conditions)}`, { prepare: !rows.filtered });
  for (const row of result) counts.set(Number(row.pk), Number(row.n));
  return counts;
}

// ---------------------------------------------------------------------------------------------
// Connections

/** The cursor of a row, from its sort-key values as the engine returned them. */
function cursorOf(scope: CursorScope, keys: unknown[]): string {
  return encodeCursor(
    scope,
    scope.sort.map((key, index) => readKey(key, keys[index])),
  );
}

/** An edge whose cursor is only encoded if a client selects it. */
class LazyEdge<T> implements Edge<T> {
  constructor(
    readonly node: T,
    private readonly scope: CursorScope,
    private readonly keys: unknown[],
  ) {}

  get cursor(): string {
    return cursorOf(this.scope, this.keys);
  }
}

/**
 * A served page. Only the nodes are made up front: edges, cursors and the count are made when a
 * client selects them, so a list of nodes alone costs none of that.
 */
class PageConnection<T> implements Connection<T> {
  constructor(
    readonly nodes: T[],
    /** Sort-key values of each node as the engine returned them, for its cursor. */
    private readonly keys: unknown[][],
    private readonly scope: CursorScope,
    private readonly idPage: IdPage,
    private readonly count: ListCount,
  ) {}

  get edges(): Edge<T>[] {
    return this.nodes.map((node, index) => new LazyEdge(node, this.scope, this.keys[index]));
  }

  get pageInfo(): PageInfo {
    const { keys, scope } = this;
    return {
      hasNextPage: this.idPage.hasNextPage,
      hasPreviousPage: this.idPage.hasPreviousPage,
      get startCursor() {
        return keys.length > 0 ? cursorOf(scope, keys[0]) : null;
      },
      get endCursor() {
        return keys.length > 0 ? cursorOf(scope, keys[keys.length - 1]) : null;
      },
    };
  }

  get totalCount(): number | Promise<number> {
    return this.count.total();
  }

  countUpTo(limit: number): Promise<number> {
    return countUpTo(this.count, limit);
  }
}

/**
 * Wraps a page as a connection: its nodes built from the rows the page statement read (and primed
 * into the by-id loader, which serves any later lookup of them), or else loaded by id.
 */
async function toConnection<T>(
  idPage: IdPage,
  scope: CursorScope,
  byId: DataLoader<number, T | null>,
  totalCount: ListCount,
  shape: RowShape<T> | null = null,
): Promise<Connection<T>> {
  if (idPage.rows && shape) {
    // Built once per page (a parent's list asked for twice in a request is one page), and a row
    // the loader holds already keeps its object, so a comment is one object wherever it appears.
    const held = byId instanceof RowLoader ? (byId as RowLoader<T & { id: number }>) : null;
    // A partial row (a narrowed shape) serves this page alone: it is recorded as read (a cached
    // answer depends on it) but never primed, as its object lacks the columns it was not read with.
    const nodes = (idPage.nodes ??= idPage.rows.map((row, index) => {
      const id = idPage.ids[index];
      const node = held?.peek(id) ?? shape.build(row);
      if (shape.partial) held?.noteRead(id);
      else byId.prime(id, node);
      return node;
    })) as T[];
    return new PageConnection(nodes, idPage.keys, scope, idPage, totalCount);
  }
  // Not loadMany, which wraps every key's promise in one more to collect errors one by one.
  const loaded = await Promise.all(idPage.ids.map((id) => byId.load(id)));
  const nodes: T[] = [];
  const keys: unknown[][] = [];
  for (let index = 0; index < loaded.length; index++) {
    const node = loaded[index];
    // A row deleted between the two statements is simply left out.
    if (node === null) continue;
    nodes.push(node);
    keys.push(idPage.keys[index]);
  }
  return new PageConnection(nodes, keys, scope, idPage, totalCount);
}

/** Whether an order sorts by a stored count, which comments change (a cached answer then records `counts`). */
function byStoredCount(scope: CursorScope): boolean {
  return scope.sort.some((key) => key.type === "count");
}

function scopeOf<O extends string>(def: ListDef<O>, order: O, parent: number): CursorScope {
  return { list: def.name, parent, order, sort: def.orders[order] };
}

/**
 * The count of what `rows` (a SELECT) gives: all of it, or `upTo` a bound, as `COUNT(*)` over a
 * `LIMIT` of `limit + 1`, which stops reading there. `prepare`: as run()'s option.
 */
export function selectedCount(db: DataSource, rows: Sql, prepare = false): { total(): Promise<number>; upTo(limit: number): Promise<number> } {
  const count = async (limit: number | null) => {
    const counted = limit === null ? rows : sql`SELECT 1 FROM (${rows}) r LIMIT ${limit + 1}`;
    const [row] = await run(db, sql`SELECT COUNT(*) AS n FROM (${counted}) s`, { prepare });
    return Number(row?.n ?? 0);
  };
  return { total: () => count(null), upTo: (limit) => count(limit) };
}

/**
 * A top-level list (articles, tags, authors): one statement for the page, and a count only if
 * asked: `count` when the list has a cheaper one (a stored count), else its rows counted. With
 * `shape` (whose FROM must be the list's own table and alias), that statement reads the rows too;
 * without it, they are loaded by id.
 */
export async function listConnection<T, O extends string>(
  db: DataSource,
  def: ListDef<O>,
  order: O,
  args: PageArgs,
  byId: DataLoader<number, T | null>,
  count?: ListCount,
  shape: RowShape<T> | null = null,
): Promise<Connection<T>> {
  const scope = scopeOf(def, order, 0);
  noteList(byId, def.name, 0, byStoredCount(scope));
  const idPage = (await fetchIdPages(db, def, order, pageWindow(args, scope), null, shape ?? null)).get(0)!;
  // Written only when a field asks for it: a page of titles asks for no count.
  const counted: ListCount = count ?? {
    total: async () => (await countRows(db, def, null)).get(0) ?? 0,
    upTo: (limit) => selectedCount(db, sql`SELECT 1 FROM ${def.from}${whereClause(def.where)}`, !def.filtered).upTo(limit),
  };
  return toConnection(idPage, scope, byId, counted, shape);
}

/** How many rows a per-parent set holds, for many parents in one statement. */
function countLoader(db: DataSource, rows: RowSet) {
  return new DataLoader<number, number>(
    async (parents) => {
      const counts = await countRows(db, rows, [...parents]);
      return parents.map((parent) => counts.get(parent) ?? 0);
    },
    { maxBatchSize: MAX_BATCH },
  );
}

interface PageKey<O extends string> {
  parent: number;
  order: O;
  window: PageWindow;
  /** Whether the page statement should count the parent's list too (its totalCount is shown). */
  withCount: boolean;
  /** The order, window and count as text: parents that share them are served by one statement. */
  group: string;
}

/**
 * The connections of a per-parent list (an article's comments, a comment's replies...). Parents
 * asking for the same window and order are served by one statement. `count` is the list's
 * totalCount, shared with any count field that must equal it: a stored count, or "counted", the
 * rows of the list counted per parent (countLoader). A counted list's page for a single parent
 * counts in its own statement when the caller says the totalCount is shown (`withCount`).
 */
export function perParentConnections<T, O extends string>(
  db: DataSource,
  def: ListDef<O>,
  byId: DataLoader<number, T | null>,
  count: CountSource | "counted",
  shape: RowShape<T> | null = null,
): (parent: number, order: O, args: PageArgs, withCount?: boolean) => Promise<Connection<T>> {
  const counter = count === "counted" ? countLoader(db, def) : null;
  const totals: CountSource = counter ?? (count as CountSource);
  const pages = new DataLoader<PageKey<O>, IdPage, string>(
    async (keys) => {
      const groups = new Map<string, PageKey<O>[]>();
      for (const key of keys) {
        const members = groups.get(key.group);
        if (members) members.push(key);
        else groups.set(key.group, [key]);
      }
      const results = new Map<PageKey<O>, IdPage>();
      for (const members of groups.values()) {
        const { order, window, withCount } = members[0];
        const fetched = await fetchIdPages(db, def, order, window, [...new Set(members.map((key) => key.parent))], shape ?? null, withCount);
        for (const key of members) {
          const page = fetched.get(key.parent)!;
          if (page.total !== undefined) counter?.prime(key.parent, page.total);
          results.set(key, page);
        }
      }
      return keys.map((key) => results.get(key)!);
    },
    { cacheKeyFn: (key) => `${key.parent} ${key.group}`, maxBatchSize: MAX_BATCH },
  );
  return async (parent, order, args, withCount = false) => {
    const scope = scopeOf(def, order, parent);
    noteList(byId, def.name, parent);
    const window = pageWindow(args, scope);
    const counts = withCount && counter !== null;
    const idPage = await pages.load({ parent, order, window, withCount: counts, group: JSON.stringify([order, window, counts]) });
    return toConnection(idPage, scope, byId, { total: () => totals.load(parent) }, shape);
  };
}

/**
 * The cursor of one row in the list of `parent` in `order`, made from the row as it is stored now:
 * it pages on from that row exactly as a cursor the list served would. For a row no page has read
 * (a comment just posted, for its place in a client's list); one statement, run when the cursor
 * is asked for. Null when the row is gone.
 */
export async function cursorOfRow<O extends string>(db: DataSource, def: ListDef<O>, order: O, parent: number, id: number): Promise<string | null> {
  const scope = scopeOf(def, order, parent);
  const keys = join(
    scope.sort.map((key, index) => sql`${key.expr} AS ${raw(`k${index}`)}`),
    ", ",
  );
  const [row] = await run(db, sql`SELECT ${keys} FROM ${def.from} WHERE ${def.id} = ${id}`, { prepare: true });
  return row
    ? cursorOf(
        scope,
        scope.sort.map((_key, index) => row[`k${index}`]),
      )
    : null;
}

/**
 * A page window for a list that runs its own statements (search, which reads its list in
 * segments): the checked arguments, the keyset SQL over its sort keys, and its cursors. The list
 * still names itself and its order, and `parent` ties its cursors to more than that: a search
 * passes a fingerprint of its query, so a cursor of one search is refused by another.
 */
export interface KeysetWindow {
  forward: boolean;
  size: number;
  /** Sort-key values of the `after` (forward) or `before` (backward) cursor. */
  cursor: KeyValue[] | null;
  /** The cursor on the far side, when both after and before were sent. */
  bound: KeyValue[] | null;
  /** Rows strictly after (`later`) or before `values` in the list's order. */
  beyond(values: KeyValue[], later: boolean): Sql;
  /** ORDER BY the list's keys, or their reverse. */
  orderBy(reverse: boolean): Sql;
  cursorFor(key: KeyValue[]): string;
}

export function keysetWindow(list: string, order: string, sort: SortKey[], args: PageArgs, parent = 0): KeysetWindow {
  const scope: CursorScope = { list, parent, order, sort };
  return {
    ...pageWindow(args, scope),
    beyond: (values, later) => beyond(sort, values, later),
    orderBy: (reverse) => orderBy(sort, reverse),
    cursorFor: (key) => encodeCursor(scope, key),
  };
}

/** A connection of edges already built, with the count run only if asked. */
export function edgesConnection<T, E extends Edge<T>>(
  edges: E[],
  page: { hasNextPage: boolean; hasPreviousPage: boolean },
  count: ListCount,
): Connection<T> & { edges: E[] } {
  return {
    edges,
    nodes: edges.map((edge) => edge.node),
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      get startCursor() {
        return edges[0]?.cursor ?? null;
      },
      get endCursor() {
        return edges[edges.length - 1]?.cursor ?? null;
      },
    },
    get totalCount() {
      return count.total();
    },
    countUpTo: (limit) => countUpTo(count, limit),
  };
}
