import { engines, openTestDatabase, TestDatabase } from "../helpers/databases";

/** An index as the database holds it: its columns in order, and its WHERE clause without outer parentheses or extra space. */
interface IndexShape {
  columns: string[];
  where: string | null;
}

// PostgreSQL gives the clause back with its own parentheses, and quotes only the names that need it.
const normalWhere = (where: string | null | undefined) =>
  where
    ? where
        .replace(/"/g, "")
        .replace(/\s+/g, " ")
        .trim()
        .replace(/^\((.*)\)$/, "$1")
    : null;

async function databaseIndexes(db: TestDatabase, engine: "sqlite" | "postgres"): Promise<Map<string, IndexShape>> {
  const indexes = new Map<string, IndexShape>();
  if (engine === "postgres") {
    const rows: { name: string; columns: string[]; where: string | null }[] = await db.dataSource.query(
      `SELECT i.relname AS name, ARRAY(SELECT a.attname FROM unnest(x.indkey) WITH ORDINALITY k(attnum, n) JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum ORDER BY k.n)::text[] AS columns,
              pg_get_expr(x.indpred, x.indrelid) AS where
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_namespace s ON s.oid = i.relnamespace
       WHERE s.nspname = current_schema()`,
    );
    for (const row of rows) indexes.set(row.name, { columns: row.columns, where: normalWhere(row.where) });
    return indexes;
  }
  const rows: { name: string; sql: string | null }[] = await db.dataSource.query(`SELECT name, sql FROM sqlite_master WHERE type = 'index'`);
  for (const row of rows) {
    const columns: { name: string }[] = await db.dataSource.query(`PRAGMA index_info("${row.name}")`);
    indexes.set(row.name, { columns: columns.map((column) => column.name), where: normalWhere(/ WHERE (.*)$/s.exec(row.sql ?? "")?.[1]) });
  }
  return indexes;
}

/**
 * The entities describe the database the migrations build: TypeORM, asked what `synchronize`
 * would change, has nothing to do. A column, index or key added to one side only fails here.
 */
describe.each(engines)("entities and migrations on %s", (engine) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(engine);
  });
  afterAll(() => db.close());

  it("describe the same schema: synchronize would change nothing", async () => {
    const sql = await db.dataSource.driver.createSchemaBuilder().log();
    const statements = sql.upQueries.map((query) => query.query);
    if (statements.length > 0) {
      throw new Error(`synchronize would run ${statements.length} statements on ${engine}:\n${statements.join(";\n")}`);
    }
  });

  // TypeORM compares an index's name, uniqueness and set of columns only.
  it("declare every index with the migrations' column order and WHERE clause", async () => {
    const actual = await databaseIndexes(db, engine);
    const declared = db.dataSource.entityMetadatas.flatMap((metadata) =>
      metadata.indices.map((index) => ({ name: index.name, columns: index.columns.map((column) => column.databaseName), where: normalWhere(index.where) })),
    );
    expect(declared.map(({ name }) => ({ name, ...actual.get(name) }))).toEqual(declared);
  });
});
