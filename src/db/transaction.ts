import { DataSource, EntityManager } from "typeorm";
import { Database } from "./data-source";

/**
 * Runs `work` in a write transaction, after every write queued before it on the same database
 * (see Database.write). Takes the DataSource type so that write functions can keep asking for
 * one; the queue lives on the Database that openDataSource made.
 */
export function inTransaction<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  if (!(dataSource instanceof Database)) {
    // A bare DataSource has no queue: on SQLite its transactions would nest and roll back each other.
    return Promise.reject(new TypeError("inTransaction needs a database opened by openDataSource, which owns the write queue"));
  }
  return dataSource.write(work);
}
