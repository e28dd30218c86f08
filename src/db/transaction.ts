import { DataSource, EntityManager } from "typeorm";
import { isWriteConflict } from "../errors";
import { Database } from "./data-source";

/** Tries a write transaction gets when PostgreSQL rolls it back for a conflict; after the last, 503. */
export const WRITE_ATTEMPTS = 4;

/** The wait before the first retry is up to this many ms, a random part of it; it doubles with each retry. */
const RETRY_WAIT_MS = 20;

/**
 * Runs `work` in a write transaction, after every write queued before it on the same database
 * (see Database.write). Takes the DataSource type so that write functions can keep asking for
 * one; the queue lives on the Database that openDataSource made.
 *
 * A transaction PostgreSQL rolls back for a deadlock or a serialization failure (isWriteConflict)
 * runs again, whole, after a random wait (so two that met do not meet again), up to WRITE_ATTEMPTS
 * times; then its error is answered 503 with Retry-After (errors.ts). `work` must therefore only
 * write through `manager` and return what the caller needs: events go out after this resolves,
 * that is after the commit that succeeded. Every retry is counted on the Database and logged.
 */
export async function inTransaction<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  if (!(dataSource instanceof Database)) {
    // A bare DataSource has no queue: on SQLite its transactions would nest and roll back each other.
    throw new TypeError("inTransaction needs a database opened by openDataSource, which owns the write queue");
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await dataSource.write(work);
    } catch (error) {
      if (!isWriteConflict(error)) throw error;
      if (attempt >= WRITE_ATTEMPTS) {
        dataSource.writeConflicts.gaveUp += 1;
        throw error;
      }
      dataSource.writeConflicts.retried += 1;
      console.warn(`[threadline] write conflict (${(error as Error).message}): retrying the transaction, try ${attempt + 1} of ${WRITE_ATTEMPTS}`);
      // Out of the write queue while it waits, so this process's other writes go on.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * RETRY_WAIT_MS * 2 ** (attempt - 1)));
    }
  }
}
