import { engines, openTestDatabase, TestDatabase } from "../helpers/databases";

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
});
