import "reflect-metadata";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import sqlite3 from "sqlite3";
import { DataSource, DataSourceOptions, EntityManager } from "typeorm";
import { DatabaseConfig } from "../config";
import { engineEntities } from "../entities";
import { InitialSchema1764133200000 } from "./migrations/1764133200000-initial-schema";
import { FoldedKeys1764200000000 } from "./migrations/1764200000000-folded-keys";
import { CommentImportKeys1764260000000 } from "./migrations/1764260000000-comment-import-keys";
import { StoredCounts1764300000000 } from "./migrations/1764300000000-stored-counts";
import { SearchIndex1764400000000 } from "./migrations/1764400000000-search-index";
import { ReaderIdentity1764500000000 } from "./migrations/1764500000000-reader-identity";
import { Moderation1764600000000 } from "./migrations/1764600000000-moderation";
import { CommentReactions1764700000000 } from "./migrations/1764700000000-comment-reactions";
import { ArticleUrls1764800000000 } from "./migrations/1764800000000-article-urls";
import { NamedConstraints1764900000000 } from "./migrations/1764900000000-named-constraints";
import { ModerationDesk1765000000000 } from "./migrations/1765000000000-moderation-desk";
import { WordListsAndNotifications1765100000000 } from "./migrations/1765100000000-word-lists-and-notifications";
import { SearchDocumentsInline1765200000000 } from "./migrations/1765200000000-search-documents-inline";
import { SearchTitles1765300000000 } from "./migrations/1765300000000-search-titles";
import { SearchTitleList1765400000000 } from "./migrations/1765400000000-search-title-list";
import { fitEntitiesToEngine } from "./engine-schema";
import { CountingLogger } from "./query-counter";
import { StatementCache } from "../execution/statement-cache";
import { prepareStatements } from "./prepared-statements";

export const migrations = [
  InitialSchema1764133200000,
  FoldedKeys1764200000000,
  CommentImportKeys1764260000000,
  StoredCounts1764300000000,
  SearchIndex1764400000000,
  ReaderIdentity1764500000000,
  Moderation1764600000000,
  CommentReactions1764700000000,
  ArticleUrls1764800000000,
  NamedConstraints1764900000000,
  ModerationDesk1765000000000,
  WordListsAndNotifications1765100000000,
  SearchDocumentsInline1765200000000,
  SearchTitles1765300000000,
  SearchTitleList1765400000000,
];

/**
 * Read-only connections a SQLite database opens besides its writer. sqlite3 runs one statement
 * at a time per connection, on libuv's pool of four threads; two readers let two reads run at
 * once without crowding the writer out of that pool.
 */
export const DEFAULT_SQLITE_READERS = 2;

/** How long a SQLite connection waits for a lock (another process writing, a checkpoint) before failing. */
const BUSY_TIMEOUT_MS = 5000;

export interface DataSourceExtras {
  /** PostgreSQL schema to use instead of `public` (tests give each suite its own). */
  pgSchema?: string;
  /**
   * SQLite only: how many read-only connections to open for reads (default DEFAULT_SQLITE_READERS).
   * 0 sends reads to the writer's connection, where a read that arrives during a write
   * transaction runs inside it and sees the write half done; only the read-under-write
   * benchmark asks for that, to measure against it.
   */
  readers?: number;
  /**
   * The longest one statement of the service's may run, in ms (0 or absent: no limit). On
   * PostgreSQL every session of the pool gets it as statement_timeout; on SQLite the read-only
   * connections interrupt a statement that runs longer. Writes on SQLite are bounded by the write
   * limits instead: interrupting one would abort its whole transaction. Migrations run without it.
   */
  statementTimeoutMs?: number;
  /**
   * Whether reads keep their prepared statements (default true): SQLite's read connections
   * (execution/statement-cache.ts), PostgreSQL's pool for reads by key (db/prepared-statements.ts).
   * GRAPHQL_EXECUTOR=graphql-js turns it off, with the rest of the fast path.
   */
  statementCache?: boolean;
}

/**
 * sqlite3 as TypeORM should load it. TypeORM calls `verbose()` on the driver, which makes every
 * sqlite3 call build an Error for its stack trace; this copy answers `verbose()` with itself.
 */
const quietSqlite3 = Object.create(sqlite3, { verbose: { value: () => quietSqlite3 } }) as typeof sqlite3;

function commonOptions(engine: "sqlite" | "postgres") {
  return {
    entities: engineEntities(engine),
    migrations,
    synchronize: false,
    migrationsRun: false,
    logger: new CountingLogger(),
    logging: ["query", "error", "warn"] as ("query" | "error" | "warn")[],
  };
}

export function dataSourceOptions(database: DatabaseConfig, extras: DataSourceExtras = {}): DataSourceOptions {
  if (database.type === "postgres") {
    const extra: Record<string, unknown> = {};
    if (extras.pgSchema) extra.options = `-c search_path=${extras.pgSchema}`;
    if (extras.statementTimeoutMs) extra.statement_timeout = extras.statementTimeoutMs;
    return { ...commonOptions("postgres"), type: "postgres", url: database.url, schema: extras.pgSchema, extra };
  }
  if (database.path !== ":memory:") mkdirSync(dirname(database.path), { recursive: true });
  return { ...commonOptions("sqlite"), type: "sqlite", database: database.path, busyTimeout: BUSY_TIMEOUT_MS, driver: quietSqlite3 };
}

function readerOptions(path: string): DataSourceOptions {
  return { ...commonOptions("sqlite"), type: "sqlite", database: path, flags: sqlite3.OPEN_READONLY, busyTimeout: BUSY_TIMEOUT_MS, driver: quietSqlite3 };
}

/**
 * The database as the service uses it: this DataSource is the writer (SQLite's one connection,
 * or PostgreSQL's pool), and it owns the queue that write transactions wait in and the
 * connections that reads go to.
 *
 * On SQLite (in WAL mode) reads run on read-only connections of their own, so a read never
 * runs inside a write transaction: it sees the last commit, never a write half done nor one
 * that will roll back. PostgreSQL gives every statement its own snapshot of committed data
 * already, so reads go to the pool.
 */
export class Database extends DataSource {
  /** Settles when the last queued write transaction has. */
  private lastWrite: Promise<unknown> = Promise.resolve();
  private readers: DataSource[] = [];
  private statementCaches: StatementCache[] = [];
  private nextReader = 0;
  /** SQLite: a write failed, so the writer's connection may still be inside a transaction. */
  private writerSuspect = false;
  /** Write transactions run again after a conflict, and writes given up after the last try (db/transaction.ts). */
  readonly writeConflicts = { retried: 0, gaveUp: 0 };

  /**
   * `readerCount`: read-only connections to open on SQLite. `scratchDir`: the folder of the
   * temporary file that stands in for `:memory:`, removed on destroy.
   */
  constructor(
    options: DataSourceOptions,
    private readonly readerCount = 0,
    private readonly scratchDir: string | null = null,
    private readonly readTimeoutMs = 0,
    private readonly keepStatements = true,
  ) {
    super(options);
  }

  /** The entities' metadata, with what differs between the engines settled (see engine-schema.ts). */
  protected async buildMetadatas(): Promise<void> {
    await super.buildMetadatas();
    fitEntitiesToEngine(this);
  }

  /** Connects the writer and, on SQLite, puts the file in WAL mode and opens the readers. */
  async initialize(): Promise<this> {
    await super.initialize();
    if (this.options.type !== "sqlite") {
      if (this.keepStatements) prepareStatements(this);
      return this;
    }
    try {
      // WAL: readers read the last commit while the writer writes, and nobody waits on a journal.
      await this.query("PRAGMA journal_mode = WAL");
      // With WAL, NORMAL is still crash-safe (a power cut may lose the last commits, never
      // corrupt); FULL fsyncs every commit. A scratch database need not survive a crash at all.
      await this.query(this.scratchDir ? "PRAGMA synchronous = OFF" : "PRAGMA synchronous = NORMAL");
      for (let i = 0; i < this.readerCount; i++) {
        const reader = await new DataSource(readerOptions(this.options.database as string)).initialize();
        if (this.keepStatements) {
          const statements = new StatementCache(sqliteConnection(reader));
          statements.install();
          this.statementCaches.push(statements);
        }
        if (this.readTimeoutMs > 0) interruptAfter(reader, this.readTimeoutMs);
        this.readers.push(reader);
      }
    } catch (error) {
      await this.destroy();
      throw error;
    }
    return this;
  }

  /**
   * Runs `work` in a transaction once every write queued before it has finished. TypeORM's
   * SQLite driver has one connection, so two transactions at once would nest (and a failing one
   * would roll back the other's writes). PostgreSQL has a pool, but serialising writes per
   * process costs little at this scale and keeps both engines alike.
   */
  write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const run = this.lastWrite.then(() => this.transactionOnCleanWriter(work));
    this.lastWrite = run.catch(() => undefined);
    return run;
  }

  /**
   * Whether the writer can write now: it takes a turn in the write queue (so a stuck queue
   * times out the caller) and, on SQLite, rewrites the file's header, which needs room on the disk
   * for the log. For /health.
   */
  async probeWrite(): Promise<void> {
    await this.write(async (manager) => {
      if (this.options.type !== "sqlite") return void (await manager.query("SELECT 1"));
      // Setting the header's user version (unused here) to what it is writes page 1 through the
      // log, on any database, with or without tables.
      const [{ user_version: version }] = await manager.query("PRAGMA user_version");
      await manager.query(`PRAGMA user_version = ${Number(version)}`);
    });
  }

  /**
   * One write transaction, on a writer that is known to be outside any transaction.
   *
   * On SQLite, a failed COMMIT, or a disk-full or I/O error inside the transaction, may make SQLite
   * roll the transaction back itself. TypeORM's ROLLBACK then fails, its query runner still counts
   * a transaction as open, and every later "transaction" would be a savepoint inside one that
   * nobody commits: acknowledged, never stored. So after any failure the writer is put back in
   * autocommit mode (or reopened) before the next write runs.
   */
  private async transactionOnCleanWriter<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.options.type !== "sqlite") return this.transaction(work);
    if (this.writerSuspect) await this.recoverWriter();
    try {
      return await this.transaction(work);
    } catch (error) {
      this.writerSuspect = true;
      await this.recoverWriter().catch(() => undefined);
      throw error;
    }
  }

  /**
   * Ends whatever transaction SQLite may still hold on the writer's connection, and resets
   * TypeORM's count of open transactions to match. Reopens the connection when even that fails.
   */
  private async recoverWriter(): Promise<void> {
    // A closed database has nothing to recover; initialize() opens a fresh connection.
    if (!this.isInitialized) return;
    const driver = this.driver as unknown as SqliteDriverState;
    try {
      await rollbackIfOpen(driver.databaseConnection);
    } catch {
      await driver.disconnect().catch(() => undefined);
      driver.queryRunner = undefined;
      await driver.connect();
      await this.query("PRAGMA journal_mode = WAL");
      await this.query(this.scratchDir ? "PRAGMA synchronous = OFF" : "PRAGMA synchronous = NORMAL");
    }
    const runner = driver.queryRunner;
    if (runner) {
      runner.isTransactionActive = false;
      runner.transactionDepth = 0;
    }
    this.writerSuspect = false;
  }

  /** Where one request's reads go: the read-only connections in turn, or this pool on PostgreSQL. */
  reader(): DataSource {
    if (this.readers.length === 0) return this;
    this.nextReader = (this.nextReader + 1) % this.readers.length;
    return this.readers[this.nextReader];
  }

  /** The writer, then every reader: what a statement on this database may run on. */
  dataSources(): DataSource[] {
    return [this, ...this.readers];
  }

  /**
   * Lets queued writes finish, then closes the readers and the writer (which, last to leave,
   * folds the WAL back into the file).
   */
  async destroy(): Promise<void> {
    await this.lastWrite;
    const readers = this.readers;
    this.readers = [];
    const statementCaches = this.statementCaches;
    this.statementCaches = [];
    await Promise.all(statementCaches.map((statements) => statements.clear()));
    await Promise.all(readers.map((reader) => reader.destroy()));
    try {
      if (this.isInitialized) await super.destroy();
    } finally {
      if (this.scratchDir) rmSync(this.scratchDir, { recursive: true, force: true });
    }
  }
}

/** What recovering SQLite's writer touches of TypeORM's driver and its one query runner. */
interface SqliteDriverState {
  databaseConnection: sqlite3.Database;
  queryRunner?: { isTransactionActive: boolean; transactionDepth: number };
  connect(): Promise<void>;
  disconnect(): Promise<void>;
}

/**
 * Rolls back the transaction open on a sqlite3 connection, if any. "no transaction is active"
 * means there was none: the connection is already in autocommit mode. Any other failure rejects.
 */
function rollbackIfOpen(connection: sqlite3.Database): Promise<void> {
  return new Promise((resolve, reject) => {
    connection.run("ROLLBACK", (error: Error | null) => {
      if (!error || /no transaction is active/i.test(error.message)) resolve();
      else reject(error);
    });
  });
}

/** The sqlite3 connection under a SQLite DataSource. */
function sqliteConnection(dataSource: DataSource): sqlite3.Database {
  return (dataSource.driver as unknown as { databaseConnection: sqlite3.Database }).databaseConnection;
}

/**
 * Makes a SQLite connection interrupt any statement still running after `ms` (it then fails with
 * SQLITE_INTERRUPT). sqlite3's interrupt() stops whatever that connection is running, so a
 * statement queued behind a runaway one on the same reader may be stopped with it.
 */
function interruptAfter(reader: DataSource, ms: number): void {
  const connection = sqliteConnection(reader);
  for (const method of ["all", "run"] as const) {
    const original = connection[method].bind(connection) as (...args: unknown[]) => sqlite3.Database;
    (connection as unknown as Record<string, unknown>)[method] = (query: string, parameters: unknown, callback: (...results: unknown[]) => void) => {
      const timer = setTimeout(() => connection.interrupt(), ms);
      // sqlite3 calls back with the Statement as `this` (TypeORM reads this.changes), so no arrow.
      return original(query, parameters, function (this: unknown, ...results: unknown[]) {
        clearTimeout(timer);
        callback.apply(this, results);
      });
    };
  }
}

/**
 * Opens the database and brings its schema up to date with the migrations.
 *
 * `sqlite::memory:` gets a private file in the temporary folder instead, removed when the
 * database is destroyed: an in-memory SQLite database lives inside one connection, and readers
 * need connections of their own.
 */
export async function openDataSource(database: DatabaseConfig, extras: DataSourceExtras = {}): Promise<Database> {
  const scratchDir = database.type === "sqlite" && database.path === ":memory:" ? mkdtempSync(join(tmpdir(), "threadline-memory-")) : null;
  const actual: DatabaseConfig = scratchDir ? { type: "sqlite", path: join(scratchDir, "threadline.sqlite") } : database;
  const readers = actual.type === "sqlite" ? (extras.readers ?? DEFAULT_SQLITE_READERS) : 0;
  if (actual.type === "postgres" && extras.statementTimeoutMs) {
    // Migrations may rewrite whole tables; they run on a pool of their own without the timeout.
    const migrator = await new DataSource(dataSourceOptions(actual, { ...extras, statementTimeoutMs: 0 })).initialize();
    try {
      await migrator.runMigrations({ transaction: "each" });
    } finally {
      await migrator.destroy();
    }
  }
  const db = new Database(dataSourceOptions(actual, extras), readers, scratchDir, extras.statementTimeoutMs ?? 0, extras.statementCache ?? true);
  try {
    await db.initialize();
    await db.runMigrations({ transaction: "each" });
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return db;
}

export function isPostgres(dataSource: DataSource): boolean {
  return dataSource.options.type === "postgres";
}
