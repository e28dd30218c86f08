import sqlite3 from "sqlite3";

/**
 * How many prepared statements each SQLite read connection keeps. The read path sends a few dozen
 * distinct texts (a batch's IN list has one text per batch size), so the busy ones stay prepared.
 */
export const STATEMENT_CACHE_SIZE = 200;

type RowsCallback = (this: sqlite3.Statement, error: Error | null, rows: unknown[]) => void;

/**
 * Prepared statements of one read-only SQLite connection, kept by their SQL text in a bounded LRU.
 *
 * sqlite3's `Database.all(sql, ...)` prepares the text, runs it and finalizes it: three trips
 * through libuv's thread pool and a fresh parse of the SQL for every statement. Kept statements
 * run in one trip. sqlite3 queues the calls on one Statement, so requests that send the same text
 * at once take their turn, as they would on the connection anyway.
 *
 * A statement that ran to the end holds no read transaction, so a kept one never pins an old
 * snapshot. One that failed (interrupted by the statement timeout, or a lock it waited on too
 * long) is finalized and prepared again next time. Only read connections use this: a writer's
 * statement inside a transaction must not outlive it.
 */
export class StatementCache {
  /** In use order: the first entry is the least recently used. */
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly connection: sqlite3.Database,
    private readonly size = STATEMENT_CACHE_SIZE,
  ) {}

  /** Makes `connection.all` run kept statements. TypeORM sends every read through `all`. */
  install(): void {
    this.connection.all = ((text: string, params: unknown, callback: RowsCallback) => {
      this.all(text, params, callback);
      return this.connection;
    }) as sqlite3.Database["all"];
  }

  all(text: string, params: unknown, callback: RowsCallback): void {
    const entry = this.entry(text);
    entry.ready.then(
      (statement) =>
        statement.all(params, (error: Error | null, rows: unknown[]) => {
          if (error) this.drop(text, entry);
          callback.call(statement, error, rows);
        }),
      (error: Error) => callback.call(undefined as unknown as sqlite3.Statement, error, []),
    );
  }

  /** How many statements are kept (for tests). */
  get count(): number {
    return this.entries.size;
  }

  /** Finalizes every kept statement; sqlite3 cannot close a connection that still has some. */
  async clear(): Promise<void> {
    const kept = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(kept.map((entry) => finalize(entry)));
  }

  private entry(text: string): Entry {
    const kept = this.entries.get(text);
    if (kept) {
      this.entries.delete(text);
      this.entries.set(text, kept);
      return kept;
    }
    const entry: Entry = { ready: null as unknown as Promise<sqlite3.Statement>, finalized: false };
    entry.ready = new Promise<sqlite3.Statement>((resolve, reject) => {
      // sqlite3 reports a failed prepare only to this callback, never to calls queued on the statement.
      const statement = this.connection.prepare(text, (error: Error | null) => {
        if (!error) return resolve(statement);
        entry.finalized = true;
        if (this.entries.get(text) === entry) this.entries.delete(text);
        reject(error);
      });
    });
    this.entries.set(text, entry);
    if (this.entries.size > this.size) {
      const [oldest, dropped] = this.entries.entries().next().value as [string, Entry];
      this.drop(oldest, dropped);
    }
    return entry;
  }

  private drop(text: string, entry: Entry): void {
    if (this.entries.get(text) === entry) this.entries.delete(text);
    void finalize(entry);
  }
}

interface Entry {
  ready: Promise<sqlite3.Statement>;
  finalized: boolean;
}

/** sqlite3 runs a finalize after the calls already queued on the statement. */
async function finalize(entry: Entry): Promise<void> {
  if (entry.finalized) return;
  entry.finalized = true;
  const statement = await entry.ready.catch(() => null);
  if (statement) await new Promise<void>((resolve) => statement.finalize(() => resolve()));
}
