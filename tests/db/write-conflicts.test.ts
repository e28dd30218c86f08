/**
 * Write transactions that PostgreSQL rolls back for a conflict (deadlock_detected 40P01,
 * serialization_failure 40001) run again, whole, a few times (src/db/transaction.ts); a write
 * that meets a conflict on every try is answered 503 SERVICE_UNAVAILABLE with Retry-After, and
 * leaves nothing behind. Conflicts come from a trigger that raises them, and from a real deadlock
 * between two instances' pools. SQLite has one writer at a time and no such errors.
 */
import { Database, openDataSource } from "../../src/db/data-source";
import { inTransaction, WRITE_ATTEMPTS } from "../../src/db/transaction";
import { RETRY_AFTER_CONFLICT_SECONDS } from "../../src/errors";
import { createLocalEvents } from "../../src/events/comment-events";
import { importArticle } from "../../src/ingest/import";
import { toGlobalId } from "../../src/schema/global-id";
import { uniqueArticle } from "../helpers/discussion";
import { graphqlUrl, startTestServer, TEST_TOKEN, TestServer } from "../helpers/test-server";

const ADD = `mutation($articleId: ID!, $body: String!) { addComment(articleId: $articleId, body: $body) { comment { id body } } }`;

const describeWithPostgres = process.env.TEST_DATABASE_URL ? describe : describe.skip;

describeWithPostgres("write conflicts on PostgreSQL", () => {
  let t: TestServer;
  let url: string;
  let events: ReturnType<typeof createLocalEvents>;
  let published: jest.SpyInstance;
  let quiet: jest.SpyInstance[];

  beforeAll(async () => {
    events = createLocalEvents();
    published = jest.spyOn(events, "publish");
    t = await startTestServer("postgres", { seed: false, events });
    url = await graphqlUrl(t);
    // A comment whose body says "Deadlock" always meets a conflict; one that says "Collide" meets
    // a deadlock on the first insert that tries it and a serialization failure on the second (a
    // sequence does not roll back with them).
    await t.db.dataSource.query(`CREATE SEQUENCE collisions`);
    await t.db.dataSource.query(
      `CREATE FUNCTION collide() RETURNS trigger LANGUAGE plpgsql AS $$
       DECLARE n bigint;
       BEGIN
         IF position('Deadlock' in NEW."body") > 0 THEN
           RAISE EXCEPTION 'deadlock detected' USING ERRCODE = 'deadlock_detected';
         END IF;
         IF position('Collide' in NEW."body") > 0 THEN
           n := nextval('collisions');
           IF n = 1 THEN RAISE EXCEPTION 'deadlock detected' USING ERRCODE = 'deadlock_detected'; END IF;
           IF n = 2 THEN RAISE EXCEPTION 'could not serialize access due to concurrent update' USING ERRCODE = 'serialization_failure'; END IF;
         END IF;
         RETURN NEW;
       END $$`,
    );
    await t.db.dataSource.query(`CREATE TRIGGER collide BEFORE INSERT ON "comment" FOR EACH ROW EXECUTE FUNCTION collide()`);
  });
  afterAll(async () => {
    await t?.close();
  });
  beforeEach(() => {
    // The retries are logged (console.warn), the write given up on too (console.error), and the
    // failed statements on stderr: expected here, kept out of a green run's output.
    quiet = [
      jest.spyOn(console, "warn").mockImplementation(() => undefined),
      jest.spyOn(console, "error").mockImplementation(() => undefined),
      jest.spyOn(process.stderr, "write").mockImplementation(() => true),
    ];
    published.mockClear();
  });
  afterEach(() => quiet.forEach((spy) => spy.mockRestore()));

  async function post(articleId: number, body: string) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TEST_TOKEN}` },
      body: JSON.stringify({ query: ADD, variables: { articleId: toGlobalId("Article", articleId), body } }),
    });
    return { status: response.status, retryAfter: response.headers.get("retry-after"), body: (await response.json()) as Record<string, any> };
  }

  const commentsOf = async (articleId: number) =>
    (await t.db.dataSource.query(`SELECT "body" FROM "comment" WHERE "articleId" = $1`, [articleId])).map((row: { body: string }) => row.body);
  const commentCountOf = async (articleId: number) =>
    Number((await t.db.dataSource.query(`SELECT "commentCount" FROM "article" WHERE "id" = $1`, [articleId]))[0].commentCount);

  it("runs a transaction rolled back for a deadlock or a serialization failure again: the comment lands once, and its events go out once", async () => {
    const { articleId } = await importArticle(t.db.dataSource, uniqueArticle());
    const before = { ...t.db.dataSource.writeConflicts };
    const answer = await post(articleId, "Collide, then land");
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data.addComment.comment.body).toBe("Collide, then land");
    expect(await commentsOf(articleId)).toEqual(["Collide, then land"]);
    expect(await commentCountOf(articleId)).toBe(1);
    expect(t.db.dataSource.writeConflicts).toEqual({ retried: before.retried + 2, gaveUp: before.gaveUp });
    expect(quiet[0].mock.calls.map(([line]) => line)).toEqual([
      `[threadline] write conflict (deadlock detected): retrying the transaction, try 2 of ${WRITE_ATTEMPTS}`,
      `[threadline] write conflict (could not serialize access due to concurrent update): retrying the transaction, try 3 of ${WRITE_ATTEMPTS}`,
    ]);
    // commentAdded, commentEvents ADDED, moderationEvents ENTERED APPROVED and the written keys (the
    // response cache's), once each, for the try that committed.
    const topics = published.mock.calls.map(([topic]) => String(topic).split(":")[0]).sort();
    expect(topics).toEqual(["commentAdded", "commentEvents", "moderationEvents", "written"]);
  });

  it("answers 503 SERVICE_UNAVAILABLE with Retry-After when every try met a conflict, and leaves nothing behind", async () => {
    const { articleId } = await importArticle(t.db.dataSource, uniqueArticle());
    const before = { ...t.db.dataSource.writeConflicts };
    const answer = await post(articleId, "Deadlock every time");
    expect(answer.status).toBe(503);
    expect(answer.retryAfter).toBe(String(RETRY_AFTER_CONFLICT_SECONDS));
    expect({ data: answer.body.data, errors: answer.body.errors }).toEqual({
      data: { addComment: null },
      errors: [
        {
          message: "the write met others to the same rows and was not made; send it again shortly",
          locations: expect.any(Array),
          path: ["addComment"],
          extensions: { code: "SERVICE_UNAVAILABLE", retryAfter: RETRY_AFTER_CONFLICT_SECONDS },
        },
      ],
    });
    expect(await commentsOf(articleId)).toEqual([]);
    expect(await commentCountOf(articleId)).toBe(0);
    expect(t.db.dataSource.writeConflicts).toEqual({ retried: before.retried + WRITE_ATTEMPTS - 1, gaveUp: before.gaveUp + 1 });
    expect(published).not.toHaveBeenCalled();
    expect(quiet[1].mock.calls).toEqual([["[threadline] database conflict: deadlock detected"]]);
  });

  it("retries the loser of a real deadlock between two instances' transactions, and both commit", async () => {
    // Two rows taken in opposite orders by two pools on one schema, as two processes would: the
    // very thing the lock order (src/db/lock-order.ts) keeps the service's own writes from doing.
    const first = (await importArticle(t.db.dataSource, uniqueArticle())).articleId;
    const second = (await importArticle(t.db.dataSource, uniqueArticle())).articleId;
    const schema = (t.db.dataSource.options as { schema?: string }).schema;
    const other: Database = await openDataSource(t.db.config, { pgSchema: schema });
    try {
      let holding = 0;
      let bothHold!: () => void;
      const bothHolding = new Promise<void>((resolve) => (bothHold = resolve));
      let runs = 0;
      const takeInOrder = (db: Database, ids: number[]) =>
        inTransaction(db, async (manager) => {
          runs += 1;
          await manager.query(`SELECT "id" FROM "article" WHERE "id" = $1 FOR UPDATE`, [ids[0]]);
          if (++holding === 2) bothHold();
          await bothHolding;
          await manager.query(`UPDATE "article" SET "wordCount" = "wordCount" + 1 WHERE "id" = $1`, [ids[1]]);
        });
      const before = t.db.dataSource.writeConflicts.retried + other.writeConflicts.retried;
      await Promise.all([takeInOrder(t.db.dataSource, [first, second]), takeInOrder(other, [second, first])]);
      expect(runs).toBe(3);
      expect(t.db.dataSource.writeConflicts.retried + other.writeConflicts.retried).toBe(before + 1);
      expect(quiet[0].mock.calls.map(([line]) => String(line))).toEqual([
        expect.stringMatching(/^\[threadline\] write conflict \(deadlock detected\): retrying/),
      ]);
    } finally {
      await other.destroy();
    }
  });
});
