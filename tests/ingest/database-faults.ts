/** Makes the database itself refuse some writes, the same way on both engines, to test what an import does then. */
import { DataSource } from "typeorm";

/**
 * From now on the database refuses (with `message`) any comment whose body contains `word`: a
 * trigger, so the refusal comes from the engine, after the importer's own checks passed.
 */
export async function refuseCommentsContaining(dataSource: DataSource, word: string, message: string): Promise<void> {
  if (!/^[A-Za-z]+$/.test(word) || !/^[A-Za-z ]+$/.test(message)) throw new Error("keep the word and message to letters");
  const name = `refuse_${word.toLowerCase()}`;
  if (dataSource.options.type === "postgres") {
    await dataSource.query(
      `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF position('${word}' in NEW."body") > 0 THEN RAISE EXCEPTION '${message}'; END IF;
         RETURN NEW;
       END $$`,
    );
    await dataSource.query(`CREATE TRIGGER ${name} BEFORE INSERT ON "comment" FOR EACH ROW EXECUTE FUNCTION ${name}()`);
  } else {
    await dataSource.query(
      `CREATE TRIGGER ${name} BEFORE INSERT ON "comment" WHEN instr(NEW."body", '${word}') > 0
       BEGIN SELECT RAISE(ABORT, '${message}'); END`,
    );
  }
}
