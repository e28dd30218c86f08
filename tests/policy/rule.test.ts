/**
 * Each visibility rule is read two ways, as SQL by lists and counts and as a predicate on a loaded
 * row; on every combination of the columns the rules read, both ways pick the same rows.
 */
import { run, sql } from "../../src/db/sql";
import {
  CommentState,
  featuredComment,
  foundAuthor,
  foundComment,
  listedComment,
  MODERATOR_VIEWER,
  PUBLIC_VIEWER,
  publicComment,
  Rule,
  ruleHolds,
  ruleSql,
  seenComment,
  statusKnown,
  Viewer,
} from "../../src/policy";
import { engines } from "../helpers/databases";
import { importUniqueArticle, rowId } from "../helpers/discussion";
import { startTestServer, TestServer } from "../helpers/test-server";

describe.each(engines)("policy rules on %s", (engine) => {
  let t: TestServer;
  let rows: (CommentState & { id: number })[];
  let authors: { id: number; commentCount: number }[];

  beforeAll(async () => {
    t = await startTestServer(engine, { seed: false });
    const articleId = rowId(await importUniqueArticle(t));
    const db = t.db.dataSource;
    for (const [name, count] of [
      ["Ann", 2],
      ["Bob", 0],
    ] as const) {
      await run(db, sql`INSERT INTO author ("name", "nameKey", "commentCount") VALUES (${name}, ${name.toLowerCase()}, ${count})`);
    }
    authors = (await run<Record<string, unknown>>(db, sql`SELECT "id", "commentCount" FROM author`)).map((row) => ({
      id: Number(row.id),
      commentCount: Number(row.commentCount),
    }));
    let position = 0;
    for (const status of ["PUBLISHED", "PENDING", "REJECTED"])
      for (const isDeleted of [false, true])
        for (const replyCount of [0, 2])
          for (const featuredAt of [null, new Date("2026-01-01T00:00:00.000Z")])
            for (const authorId of [authors[0].id, authors[1].id, null]) {
              position += 1;
              await run(
                db,
                sql`INSERT INTO comment ("articleId", "position", "body", "status", "isDeleted", "replyCount", "featuredAt", "authorId")
                    VALUES (${articleId}, ${position}, ${"x"}, ${status}, ${isDeleted}, ${replyCount}, ${featuredAt}, ${authorId})`,
              );
            }
    rows = (await run<Record<string, unknown>>(db, sql`SELECT "id", "status", "isDeleted", "replyCount", "featuredAt", "authorId" FROM comment`)).map(
      (row) => ({
        id: Number(row.id),
        status: row.status as CommentState["status"],
        isDeleted: Boolean(row.isDeleted),
        replyCount: Number(row.replyCount),
        featuredAt: row.featuredAt === null ? null : new Date(row.featuredAt as string),
        authorId: row.authorId === null ? null : Number(row.authorId),
      }),
    );
  });
  afterAll(() => t.close());

  const viewers = (): [string, Viewer][] => [
    ["the public", PUBLIC_VIEWER],
    ["a reader", { kind: "author", authorId: authors[0].id }],
    ["a moderator", MODERATOR_VIEWER],
  ];

  it("has a row for every combination", () => {
    expect(rows).toHaveLength(3 * 2 * 2 * 2 * 3);
  });

  it("picks the same comments in SQL as on loaded rows, for every rule and viewer", async () => {
    const rules: [string, Rule<CommentState>][] = [
      ["public", publicComment],
      ["featured", featuredComment],
      ...viewers().flatMap(([name, viewer]): [string, Rule<CommentState>][] => [
        [`seen by ${name}`, seenComment(viewer)],
        [`listed to ${name}`, listedComment(viewer)],
        [`found by ${name}`, foundComment(viewer)],
        [`status known to ${name}`, statusKnown(viewer)],
      ]),
    ];
    for (const [name, rule] of rules) {
      const picked = await run<{ id: number | string }>(t.db.dataSource, sql`SELECT c."id" FROM comment c WHERE ${ruleSql(rule, "c")} ORDER BY c."id"`);
      expect({ name, ids: picked.map((row) => Number(row.id)) }).toEqual({
        name,
        ids: rows
          .filter((row) => ruleHolds(rule, row))
          .map((row) => row.id)
          .sort((a, b) => a - b),
      });
    }
  });

  it("picks the same commenters in SQL as on loaded rows, for every viewer", async () => {
    for (const [name, viewer] of viewers()) {
      const rule = foundAuthor(viewer);
      const picked = await run<{ id: number | string }>(t.db.dataSource, sql`SELECT au."id" FROM author au WHERE ${ruleSql(rule, "au")} ORDER BY au."id"`);
      expect({ name, ids: picked.map((row) => Number(row.id)) }).toEqual({
        name,
        ids: authors
          .filter((author) => ruleHolds(rule, author))
          .map((author) => author.id)
          .sort((a, b) => a - b),
      });
    }
  });
});
