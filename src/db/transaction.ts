import { DataSource, EntityManager } from "typeorm";

/**
 * Tail of the queue of write transactions, per data source. TypeORM's SQLite
 * driver shares one connection, so two transactions at once would nest (and a
 * failing one would roll back the other's writes); every write goes through
 * here and waits its turn. PostgreSQL has a pool, but serialising writes per
 * process costs little at this scale and keeps both engines alike.
 */
const queues = new WeakMap<DataSource, Promise<unknown>>();

export function inTransaction<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  const previous = queues.get(dataSource) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => dataSource.transaction(work));
  queues.set(
    dataSource,
    run.catch(() => undefined),
  );
  return run;
}
