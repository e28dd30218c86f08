/**
 * PostgreSQL reads as named prepared statements, the pool's counterpart of the SQLite readers'
 * statement cache (execution/statement-cache.ts, docs/decisions/0006-postgres-prepared-statements.md).
 *
 * Why: TypeORM sends every statement unnamed, so PostgreSQL parses, analyses and plans its text
 * on every run. For the read path's small statements that is most of their cost: pgbench on the
 * bench database ran an article's tags 9,900 times a second unnamed and 33,700 prepared, and the
 * title list 15,700 and 35,500 (`pgbench -M extended` against `-M prepared`, 4 clients).
 *
 * A statement is named once its text has been run twice (a one-off text, an IN list of an odd
 * length, is not worth a name), when it has at most MAX_PREPARED_PARAMETERS parameters (a long
 * IN list reads many rows, next to which its planning is cheap), and at most
 * PREPARED_STATEMENT_LIMIT texts are named per pool. Each connection keeps a plan for each name
 * it ran, about 50-90 KB for a comment page's statement (pg_backend_memory_contexts), so a
 * connection holds at most about 9 MB of them. node-postgres prepares a name on each connection
 * the first time that connection runs it, and only sends Bind and Execute after.
 *
 * Only statements whose parameters are keys (ids, slugs, parents, cursors) are named: callers opt
 * in (`run(db, query, { prepare: true })`). After five runs PostgreSQL may plan a named statement
 * once for any parameters, which suits a lookup by key, but not a search or a filter whose best
 * plan depends on how common the value is (a rare word, a small section): those stay unnamed.
 */
import { CustomTypesConfig, types } from "pg";
import { DataSource, QueryFailedError } from "typeorm";

/** The most texts one pool names; past it, statements run unnamed. */
export const PREPARED_STATEMENT_LIMIT = 100;

/** The most parameters a named statement has. */
export const MAX_PREPARED_PARAMETERS = 32;

/** The most texts seen once that are remembered while they wait for a second run. */
const SEEN_ONCE_LIMIT = 10 * PREPARED_STATEMENT_LIMIT;

interface PgPool {
  query(config: { name?: string; text: string; values: unknown[]; types?: CustomTypesConfig }): Promise<{ rows: unknown[] }>;
}

/**
 * Every type as node-postgres reads it, but `timestamptz`, which stays text until a field reads it
 * (readDate, db/sql.ts): a list's sort keys are dates that only a cursor shows, and parsing them
 * cost 4% of a list of titles' CPU (q4 of `bench:compare`, `--profile`).
 */
export const TIMESTAMPS_AS_TEXT: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === types.builtins.TIMESTAMPTZ ? (text: string) => text : types.getTypeParser(oid, format)) as CustomTypesConfig["getTypeParser"],
};

/** The names one pool has given its statements' texts. */
export class PreparedStatements {
  private readonly names = new Map<string, string>();
  private readonly seenOnce = new Set<string>();

  constructor(
    private readonly pool: PgPool,
    private readonly limit = PREPARED_STATEMENT_LIMIT,
  ) {}

  /** The texts named so far (for tests). */
  namedTexts(): string[] {
    return [...this.names.keys()];
  }

  /** The name of `text`, or undefined while it runs unnamed. */
  nameFor(text: string): string | undefined {
    const named = this.names.get(text);
    if (named !== undefined || this.names.size >= this.limit) return named;
    if (!this.seenOnce.has(text)) {
      if (this.seenOnce.size < SEEN_ONCE_LIMIT) this.seenOnce.add(text);
      return undefined;
    }
    this.seenOnce.delete(text);
    const name = `threadline_${this.names.size + 1}`;
    this.names.set(text, name);
    return name;
  }

  /**
   * Runs `text` on the pool, named when its turn has come. The statement is logged (and so counted
   * for extensions.sqlQueries) and its failure wrapped as TypeORM does its own.
   */
  async run(dataSource: DataSource, text: string, values: unknown[]): Promise<unknown[]> {
    dataSource.logger.logQuery(text, values);
    try {
      const name = values.length <= MAX_PREPARED_PARAMETERS ? this.nameFor(text) : undefined;
      try {
        return (await this.pool.query({ name, text, values, types: TIMESTAMPS_AS_TEXT })).rows;
      } catch (error) {
        if (name === undefined || !isStalePlan(error)) throw error;
        // The connection has dropped its stale plan with the failure and prepares the name afresh
        // next time; this run is made again unnamed, which is always planned anew.
        return (await this.pool.query({ text, values, types: TIMESTAMPS_AS_TEXT })).rows;
      }
    } catch (error) {
      dataSource.logger.logQueryError(error as Error, text, values);
      throw new QueryFailedError(text, values, error as Error);
    }
  }
}

/**
 * Whether PostgreSQL refused a named statement because the schema changed under it: a migration
 * (another instance's, in a rolling deploy) changed the type of a column it reads, and a statement
 * prepared before cannot answer rows of another shape. It does so once per connection that had
 * prepared the statement, and a read run again answers as if nothing had happened.
 */
function isStalePlan(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === "0A000" && typeof message === "string" && message.includes("cached plan must not change result type");
}

const byDataSource = new WeakMap<DataSource, PreparedStatements>();

/** Names `dataSource`'s read statements from now on (a PostgreSQL DataSource, once initialized). */
export function prepareStatements(dataSource: DataSource, limit = PREPARED_STATEMENT_LIMIT): PreparedStatements {
  const pool = (dataSource.driver as unknown as { master: PgPool }).master;
  const statements = new PreparedStatements(pool, limit);
  byDataSource.set(dataSource, statements);
  return statements;
}

/** The named statements of `dataSource`, or undefined when it names none. */
export function preparedStatementsOf(dataSource: DataSource): PreparedStatements | undefined {
  return byDataSource.get(dataSource);
}
