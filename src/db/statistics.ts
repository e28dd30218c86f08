import { DataSource } from "typeorm";
import { entities } from "../entities";
import { Database } from "./data-source";
import { inTransaction } from "./transaction";

/**
 * Brings the planner's statistics up to date after a bulk import, so that plans chosen for a
 * handful of rows (or for none, on a fresh PostgreSQL schema, where a join on 200,000 rows would
 * be planned as a sequential scan) do not outlive the data they were chosen for.
 *
 * PostgreSQL: ANALYZE of the service's tables only (a bare ANALYZE would visit every schema of
 * the database). Every session plans with the new statistics at once.
 *
 * SQLite: PRAGMA optimize, asked to look at every table (0x10000) and to analyze those that need
 * it (0x02), within its own time limit. A read-only connection keeps the statistics it loaded
 * with the schema until the schema changes, and ANALYZE does not count as a change; so each of
 * the database's readers reloads its schema (PRAGMA writable_schema = RESET, which SQLite defers
 * until that connection has no statement running). Readers of other processes (a server running
 * beside the seed command) see the new statistics when their schema next reloads.
 *
 * Runs in the write queue, so it never lands inside another writer's transaction.
 */
export async function refreshStatistics(db: DataSource): Promise<void> {
  if (db.options.type === "postgres") {
    const tables = entities.map((entity) => `"${db.getMetadata(entity).tableName}"`).join(", ");
    await inTransaction(db, (manager) => manager.query(`ANALYZE ${tables}`));
    return;
  }
  await inTransaction(db, (manager) => manager.query(`PRAGMA optimize = 0x10002`));
  if (db instanceof Database) {
    for (const reader of db.dataSources().slice(1)) await reader.query(`PRAGMA writable_schema = RESET`);
  }
}
