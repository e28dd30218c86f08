/**
 * Abuse limits through GraphQL: per reader (comments, the same body twice), per client address
 * (every write), and never for the service token. A refused write is RATE_LIMITED with
 * extensions.retryAfter, and leaves the rows as they were.
 */
import { engines } from "../helpers/databases";
import { importUniqueArticle, rowId, tableSizes } from "../helpers/discussion";
import { DELETE, EDIT, POST, readerToken } from "../helpers/readers";
import { listen } from "../helpers/subscriptions";
import { startTestServer, TEST_TOKEN, TestServer } from "../helpers/test-server";
import { DEFAULT_ABUSE_LIMITS } from "../../src/config";
import { GRAPHQL_PATH } from "../../src/server";

describe.each(engines)("abuse limits on %s", (engine) => {
  let t: TestServer;
  let story: string;
  beforeAll(async () => {
    t = await startTestServer(engine, {
      seed: false,
      config: { abuseLimits: { ...DEFAULT_ABUSE_LIMITS, commentsPerMinute: 3, addressPerMinute: 6, reactionsPerMinute: 4, flagsPerMinute: 2 } },
    });
    story = await importUniqueArticle(t);
  });
  afterAll(() => t.close());

  let readers = 0;
  /** A reader no other case has used, so each case starts with fresh counters. */
  const newReader = async (role?: string) => readerToken({ sub: `limits-reader-${++readers}`, name: `Reader ${readers}`, ...(role ? { role } : {}) });

  const post = (token: string, body: string, extra: Record<string, unknown> = {}, address?: string) =>
    t.gql(POST, { articleId: story, body, ...extra }, { token, address });

  function expectRateLimited(result: Awaited<ReturnType<TestServer["gql"]>>, limit: string, within: [number, number]) {
    // Every mutation field is nullable: the refused one answers null, with its error.
    expect(Object.values(result.data ?? {})).toEqual([null]);
    expect(result.errors).toHaveLength(1);
    const extensions = result.errors![0].extensions!;
    expect(extensions).toMatchObject({ code: "RATE_LIMITED", limit });
    expect(extensions.retryAfter).toEqual(expect.any(Number));
    expect(extensions.retryAfter).toBeGreaterThanOrEqual(within[0]);
    expect(extensions.retryAfter).toBeLessThanOrEqual(within[1]);
  }

  it("takes COMMENT_RATE_PER_MINUTE comments a minute from one reader and refuses the next, writing nothing", async () => {
    const ann = await newReader();
    for (const body of ["one", "two", "three"]) expect((await post(ann, body)).errors).toBeUndefined();
    const before = await tableSizes(t.db.dataSource);
    const refused = await post(ann, "four");
    expectRateLimited(refused, "COMMENTS", [1, 60]);
    expect(refused.errors![0].message).toBe("too many comments; the limit is 3 a minute");
    expect(await tableSizes(t.db.dataSource)).toEqual(before);
    // Another reader is counted apart.
    expect((await post(await newReader(), "four")).errors).toBeUndefined();
  });

  it("refuses the same body from the same reader within 10 minutes, however it is spaced or cased", async () => {
    const bob = await newReader();
    const carl = await newReader();
    expect((await post(bob, "Great  point,\nwell made")).errors).toBeUndefined();
    const again = await post(bob, "  great point, WELL made ");
    expectRateLimited(again, "DUPLICATE_BODY", [590, 600]);
    expect(again.errors![0].message).toBe("you posted the same text within the last 10 minutes");
    // Not another reader's, and not a different text.
    expect((await post(carl, "Great point, well made")).errors).toBeUndefined();
    expect((await post(bob, "Great point, well made!")).errors).toBeUndefined();
  });

  it("does not hold a body against the reader when its comment was not written", async () => {
    const dana = await newReader();
    const missingParent = await post(dana, "A reply to nothing", { parentId: "Q29tbWVudDo5OTk5OTk5" });
    expect(missingParent.errors?.[0].extensions?.code).toBe("NOT_FOUND");
    expect((await post(dana, "A reply to nothing")).errors).toBeUndefined();
  });

  it("counts every write from one client address, readers together, and refuses the one over ADDRESS_RATE_PER_MINUTE", async () => {
    const address = "203.0.113.7";
    const writers = [await newReader(), await newReader(), await newReader()];
    const first = await post(writers[0], "from the office", {}, address);
    const id = first.data!.addComment.comment.id;
    expect((await post(writers[1], "also from the office", {}, address)).errors).toBeUndefined();
    expect((await t.gql(EDIT, { id, body: "edited at the office" }, { token: writers[0], address })).errors).toBeUndefined();
    expect((await post(writers[2], "third reader", {}, address)).errors).toBeUndefined();
    expect((await post(writers[1], "second post", {}, address)).errors).toBeUndefined();
    expect((await t.gql(DELETE, { id }, { token: writers[0], address })).errors).toBeUndefined();
    // Six writes taken; the seventh, by a reader still well under their own limit, is refused.
    const refused = await post(writers[2], "one too many", {}, address);
    expectRateLimited(refused, "ADDRESS", [1, 60]);
    expect(refused.errors![0].message).toBe("too many writes from your address; the limit is 6 a minute");
    // Another address is counted apart.
    expect((await post(writers[2], "one too many", {}, "203.0.113.8")).errors).toBeUndefined();
  });

  it("limits a reader's reactions, withdrawals included, to REACTION_RATE_PER_MINUTE", async () => {
    const fay = await newReader();
    const target = (await post(await newReader(), "react to this")).data!.addComment.comment.id;
    const toggle = (react: boolean) =>
      t.gql(`mutation($id: ID!) { ${react ? "reactToComment" : "unreactToComment"}(id: $id) { comment { reactionCount } } }`, { id: target }, { token: fay });
    for (const react of [true, false, true, false]) expect((await toggle(react)).errors).toBeUndefined();
    const refused = await toggle(true);
    expectRateLimited(refused, "REACTIONS", [1, 60]);
    expect(refused.errors![0].message).toBe("too many reactions; the limit is 4 a minute");
    const [row] = await t.db.dataSource.query(`SELECT "reactionCount" FROM comment WHERE "id" = ${rowId(target)}`);
    expect(Number(row.reactionCount)).toBe(0);
  });

  it("limits a reader's flags to FLAG_RATE_PER_MINUTE, repeated flags included", async () => {
    const gus = await newReader();
    const author = await newReader();
    const targets: string[] = [];
    for (const body of ["flag me", "and me", "me too"]) targets.push((await post(author, body)).data!.addComment.comment.id);
    const flag = (id: string) => t.gql(`mutation($id: ID!) { flagComment(id: $id, reason: SPAM) { comment { id } } }`, { id }, { token: gus });
    expect((await flag(targets[0])).errors).toBeUndefined();
    expect((await flag(targets[0])).errors).toBeUndefined();
    const refused = await flag(targets[1]);
    expectRateLimited(refused, "FLAGS", [1, 60]);
    expect(refused.errors![0].message).toBe("too many flags; the limit is 2 a minute");
    const [row] = await t.db.dataSource.query(`SELECT "flagCount" FROM comment WHERE "id" = ${rowId(targets[1])}`);
    expect(Number(row.flagCount)).toBe(0);
  });

  it("never limits the service token", async () => {
    const address = "198.51.100.1";
    for (let i = 0; i < 8; i++) {
      const result = await t.gql(POST, { articleId: story, body: "The same notice", authorName: "Desk" }, { token: TEST_TOKEN, address });
      expect(result.errors).toBeUndefined();
    }
  });

  it("answers a refused request over HTTP with 429 and Retry-After, counting by the TCP peer's address", async () => {
    const host = await listen(t.server.httpServer);
    const eve = await newReader();
    const send = (body: string) =>
      fetch(`http://${host}${GRAPHQL_PATH}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${eve}` },
        body: JSON.stringify({ query: POST, variables: { articleId: story, body } }),
      });
    expect((await send("over http")).status).toBe(200);
    const duplicate = await send("over http");
    expect(duplicate.status).toBe(429);
    const answer = (await duplicate.json()) as { errors: { extensions: { code: string; retryAfter: number } }[] };
    expect(answer.errors[0].extensions.code).toBe("RATE_LIMITED");
    expect(duplicate.headers.get("retry-after")).toBe(String(answer.errors[0].extensions.retryAfter));
  });
});
