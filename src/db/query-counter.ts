import { AsyncLocalStorage } from "node:async_hooks";
import { AbstractLogger, LogLevel, LogMessage, QueryRunner } from "typeorm";

/** Per-request tally of SQL statements, carried through async calls. */
export interface QueryTally {
  count: number;
}

const tallies = new AsyncLocalStorage<QueryTally>();

/** Runs `fn` with a fresh tally; every statement TypeORM sends inside it is counted. */
export function withQueryTally<T>(tally: QueryTally, fn: () => T): T {
  return tallies.run(tally, fn);
}

export function currentQueryTally(): QueryTally | undefined {
  return tallies.getStore();
}

/**
 * TypeORM logger that counts statements for `extensions.sqlQueries`, and
 * reports failed and slow queries on stderr.
 */
export class CountingLogger extends AbstractLogger {
  constructor(private readonly verbose = process.env.THREADLINE_LOG_SQL === "1") {
    super(["query", "error", "warn"]);
  }

  logQuery(query: string, parameters?: unknown[], queryRunner?: QueryRunner): void {
    const tally = tallies.getStore();
    if (tally) tally.count += 1;
    if (this.verbose) super.logQuery(query, parameters, queryRunner);
  }

  protected writeLog(level: LogLevel, logMessage: LogMessage | LogMessage[]): void {
    const messages = this.prepareLogMessages(logMessage, { highlightSql: false });
    for (const message of messages) {
      if (level === "query" && !this.verbose) continue;
      process.stderr.write(`[db ${message.type ?? level}] ${message.prefix ?? ""} ${clipped(String(message.message))}\n`);
    }
  }
}

/** The longest log line a failed statement gets: its text and parameters may hold whole comment bodies. */
const LOG_LINE_LIMIT = 500;

function clipped(text: string): string {
  return text.length <= LOG_LINE_LIMIT ? text : `${text.slice(0, LOG_LINE_LIMIT)}… (${text.length - LOG_LINE_LIMIT} more characters)`;
}
