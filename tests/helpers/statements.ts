import { DataSource } from "typeorm";
import { preparedStatementsOf } from "../../src/db/prepared-statements";

/**
 * Runs `before` ahead of every statement `dataSource` sends from now on, whichever way it goes:
 * through TypeORM's query runners, or kept prepared on PostgreSQL's pool (db/prepared-statements.ts).
 * A `before` that rejects fails the statement with its error. Returns the undo.
 */
export function beforeEachStatement(dataSource: DataSource, before: () => Promise<void> | void): () => void {
  const driver = dataSource.driver as unknown as { createQueryRunner(mode: unknown): { query(...args: unknown[]): Promise<unknown> } };
  const createQueryRunner = driver.createQueryRunner.bind(driver);
  const runners = new Map<{ query(...args: unknown[]): Promise<unknown> }, (...args: unknown[]) => Promise<unknown>>();
  driver.createQueryRunner = (mode: unknown) => {
    const runner = createQueryRunner(mode);
    if (!runners.has(runner)) {
      const query = runner.query.bind(runner);
      runners.set(runner, query);
      runner.query = async (...args: unknown[]) => {
        await before();
        return query(...args);
      };
    }
    return runner;
  };
  const prepared = preparedStatementsOf(dataSource);
  const run = prepared?.run;
  if (prepared && run) {
    prepared.run = async (...args: Parameters<typeof run>) => {
      await before();
      return run.apply(prepared, args);
    };
  }
  return () => {
    driver.createQueryRunner = createQueryRunner;
    for (const [runner, query] of runners) runner.query = query;
    if (prepared && run) prepared.run = run;
  };
}
