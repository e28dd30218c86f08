import "reflect-metadata";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DataSource, DataSourceOptions } from "typeorm";
import { DatabaseConfig } from "../config";
import { entities } from "../entities";
import { InitialSchema1764133200000 } from "./migrations/1764133200000-initial-schema";
import { FoldedKeys1764200000000 } from "./migrations/1764200000000-folded-keys";
import { CommentImportKeys1764260000000 } from "./migrations/1764260000000-comment-import-keys";
import { CountingLogger } from "./query-counter";

export const migrations = [InitialSchema1764133200000, FoldedKeys1764200000000, CommentImportKeys1764260000000];

export interface DataSourceExtras {
  /** PostgreSQL schema to use instead of `public` (tests give each suite its own). */
  pgSchema?: string;
}

export function dataSourceOptions(database: DatabaseConfig, extras: DataSourceExtras = {}): DataSourceOptions {
  const common = {
    entities,
    migrations,
    synchronize: false,
    migrationsRun: false,
    logger: new CountingLogger(),
    logging: ["query", "error", "warn"] as ("query" | "error" | "warn")[],
  };
  if (database.type === "postgres") {
    return {
      ...common,
      type: "postgres",
      url: database.url,
      schema: extras.pgSchema,
      extra: extras.pgSchema ? { options: `-c search_path=${extras.pgSchema}` } : undefined,
    };
  }
  if (database.path !== ":memory:") mkdirSync(dirname(database.path), { recursive: true });
  return { ...common, type: "sqlite", database: database.path };
}

/** Opens the database and brings its schema up to date with the migrations. */
export async function openDataSource(database: DatabaseConfig, extras: DataSourceExtras = {}): Promise<DataSource> {
  const dataSource = new DataSource(dataSourceOptions(database, extras));
  await dataSource.initialize();
  if (database.type === "sqlite") {
    // One shared connection: make readers never wait on the journal, and let
    // cascades and SET NULL work (SQLite leaves foreign keys off by default).
    await dataSource.query("PRAGMA foreign_keys = ON");
    if (database.path !== ":memory:") await dataSource.query("PRAGMA journal_mode = WAL");
    // With WAL, NORMAL is still crash-safe (a power cut may lose the last commits, never corrupt); FULL fsyncs every commit.
    if (database.path !== ":memory:") await dataSource.query("PRAGMA synchronous = NORMAL");
  }
  await dataSource.runMigrations({ transaction: "each" });
  return dataSource;
}

export function isPostgres(dataSource: DataSource): boolean {
  return dataSource.options.type === "postgres";
}
