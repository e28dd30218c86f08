/**
 * Multi-row statements, for the importer and the search index. Seeding writes thousands of dumps,
 * so rows go in, are looked up and change in chunks rather than one statement per row; every chunk
 * stays under the bound-parameter limit of the oldest SQLite builds.
 */
import { EntityManager, EntityTarget, In, ObjectLiteral } from "typeorm";

/**
 * SQLite builds before 3.32 cap bound parameters at 999 per statement; staying under that keeps
 * any sqlite3 build working, at the cost of a few more statements per batch.
 */
export const MAX_PARAMETERS = 900;

/** Rows per CASE update: each row adds two integer literals and one id to the statement text. */
const CASE_ROWS = 500;

export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** One multi-row INSERT per chunk; `ignoreDuplicates` makes it INSERT OR IGNORE / ON CONFLICT DO NOTHING. */
export async function insertRows<T extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<T>,
  rows: T[] | Record<string, unknown>[],
  ignoreDuplicates = false,
): Promise<void> {
  if (rows.length === 0) return;
  const perRow = Object.keys(rows[0]).length;
  for (const chunk of chunks(rows, Math.max(1, Math.floor(MAX_PARAMETERS / perRow)))) {
    const query = manager
      .createQueryBuilder()
      .insert()
      .into(target)
      .values(chunk as T[])
      // Nothing reads the generated ids back from these rows; skipping that saves a SELECT per row on SQLite.
      .updateEntity(false);
    if (ignoreDuplicates) query.orIgnore();
    await query.execute();
  }
}

/** Id per key for the rows whose `column` holds one of the keys; missing keys are absent. */
export async function selectIds<T extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<T>,
  column: "slug" | "name" | "nameKey",
  keys: string[],
  /** A further condition on the rows, on alias `t`. */
  andWhere?: string,
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const chunk of chunks(keys, MAX_PARAMETERS)) {
    const query = manager.createQueryBuilder(target, "t").select("t.id", "id").addSelect(`t.${column}`, "key").where(`t.${column} IN (:...chunk)`, { chunk });
    if (andWhere) query.andWhere(andWhere);
    const rows = await query.getRawMany<{ id: number; key: string }>();
    for (const row of rows) ids.set(row.key, Number(row.id));
  }
  return ids;
}

/** Sets the same values on every row with one of the ids. */
export async function updateByIds<T extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<T>, ids: number[], values: Partial<T>): Promise<void> {
  for (const chunk of chunks(ids, MAX_PARAMETERS)) {
    await manager
      .createQueryBuilder()
      .update(target)
      .set(values)
      .where({ id: In(chunk) })
      .execute();
  }
}

/**
 * Gives each row its own value of an integer column: one `CASE "id" WHEN ... END` statement per
 * chunk instead of one UPDATE per row. The values are integers the importer computed, written as
 * literals, so PostgreSQL has no untyped parameters in the CASE to guess a type for.
 */
export async function updateIntegerColumn(manager: EntityManager, table: string, column: string, values: Map<number, number>): Promise<void> {
  const entries = [...values];
  for (const [id, value] of entries) {
    if (!Number.isSafeInteger(id) || !Number.isSafeInteger(value)) throw new Error(`not an integer: ${id} -> ${value}`);
  }
  for (const chunk of chunks(entries, CASE_ROWS)) {
    const cases = chunk.map(([id, value]) => `WHEN ${id} THEN ${value}`).join(" ");
    const ids = chunk.map(([id]) => id).join(", ");
    await manager.query(`UPDATE "${table}" SET "${column}" = CASE "id" ${cases} END WHERE "id" IN (${ids})`);
  }
}

export async function deleteByIds<T extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<T>, ids: number[]): Promise<void> {
  for (const chunk of chunks(ids, MAX_PARAMETERS)) {
    await manager
      .createQueryBuilder()
      .delete()
      .from(target)
      .where({ id: In(chunk) })
      .execute();
  }
}

export function mustGet(ids: Map<string, number>, key: string, what: string): number {
  const id = ids.get(key);
  // Only reachable if the row vanished between the insert and the select inside one transaction.
  if (id === undefined) throw new Error(`${what} "${key}" was neither inserted nor found`);
  return id;
}

/** The new row's id: PostgreSQL returns it through RETURNING, SQLite through the last insert id. */
export function insertedId(raw: unknown, identifiers: ObjectLiteral[]): number {
  const fromIdentifiers: unknown = identifiers[0]?.id;
  if (fromIdentifiers !== undefined) return Number(fromIdentifiers);
  if (Array.isArray(raw) && raw.length > 0) return Number((raw[0] as { id: unknown }).id);
  if (typeof raw === "number") return raw;
  throw new Error("the database did not report the new row's id");
}
