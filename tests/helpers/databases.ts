import { randomBytes } from "node:crypto";
import { DataSource } from "typeorm";
import { DatabaseConfig, parseGraphqlExecutor } from "../../src/config";
import { Database, DataSourceExtras, openDataSource } from "../../src/db/data-source";

/**
 * The engines every database test runs on: SQLite always (`:memory:`, which is a scratch file
 * removed on close, with the same read-only reader connections as any SQLite file), and
 * PostgreSQL when TEST_DATABASE_URL is set (global-setup says when it is not).
 */
export const engines: ("sqlite" | "postgres")[] = process.env.TEST_DATABASE_URL ? ["sqlite", "postgres"] : ["sqlite"];

export interface TestDatabase {
  dataSource: Database;
  config: DatabaseConfig;
  close(): Promise<void>;
}

/**
 * A fresh, migrated database. On PostgreSQL each one lives in its own schema,
 * so test files can run side by side in one database and leave nothing behind.
 */
export async function openTestDatabase(
  engine: "sqlite" | "postgres",
  sqlitePath = ":memory:",
  extras: Omit<DataSourceExtras, "pgSchema"> = {},
): Promise<TestDatabase> {
  if (engine === "sqlite") {
    const config: DatabaseConfig = { type: "sqlite", path: sqlitePath };
    // GRAPHQL_EXECUTOR=graphql-js npm test: the read connections keep no statements either.
    const statementCache = parseGraphqlExecutor(process.env.GRAPHQL_EXECUTOR) === "jit";
    const dataSource = await openDataSource(config, { statementCache, ...extras });
    return { dataSource, config, close: () => dataSource.destroy() };
  }
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error("TEST_DATABASE_URL is not set");
  const schema = `t_${randomBytes(6).toString("hex")}`;
  const admin = new DataSource({ type: "postgres", url });
  await admin.initialize();
  await admin.query(`CREATE SCHEMA "${schema}"`);
  const config: DatabaseConfig = { type: "postgres", url };
  let dataSource: Database;
  try {
    // GRAPHQL_EXECUTOR=graphql-js: reads are not kept prepared either.
    const statementCache = parseGraphqlExecutor(process.env.GRAPHQL_EXECUTOR) === "jit";
    dataSource = await openDataSource(config, { statementCache, ...extras, pgSchema: schema });
  } catch (error) {
    await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
    await admin.destroy();
    throw error;
  }
  return {
    dataSource,
    config,
    async close() {
      await dataSource.destroy();
      await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
      await admin.destroy();
    },
  };
}
