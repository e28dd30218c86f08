/**
 * Readers' identity through GraphQL: tokens that are refused and why, who a reader is as an
 * author, and what each caller may do to a comment (the edit window on a test clock).
 */
import { run, sql } from "../../src/db/sql";
import { engines } from "../helpers/databases";
import { importUniqueArticle, postComment, rowId, tableSizes } from "../helpers/discussion";
import { COMMENT, DELETE, EDIT, postAs, POST, readerToken, testClock, unsignedToken, VIEWER } from "../helpers/readers";
import { listen, probe, wsClient } from "../helpers/subscriptions";
import { startTestServer, TEST_TOKEN, TestServer } from "../helpers/test-server";
import { GRAPHQL_PATH } from "../../src/server";

describe.each(engines)("readers' identity on %s", (engine) => {
  let t: TestServer;
  const time = testClock();
  let articleId: string;
  const token = (claims: Parameters<typeof readerToken>[0], secret?: string) => readerToken(claims, { now: time.now(), secret });

  beforeAll(async () => {
    t = await startTestServer(engine, { seed: false, clock: time.clock });
    articleId = await importUniqueArticle(t, { comments: [{ author: "teddy j", hasAvatar: true, body: "An imported comment by teddy j" }] });
  });
  afterAll(() => t.close());

  async function commentRow(globalId: string) {
    const [row] = await run<Record<string, unknown>>(
      t.db.dataSource,
      sql`SELECT "body", "editedAt", "isDeleted", "authorId" FROM comment WHERE "id" = ${rowId(globalId)}`,
    );
    return { ...row, isDeleted: Boolean(row.isDeleted), editedAt: row.editedAt === null ? null : String(row.editedAt) };
  }

  describe("tokens", () => {
    it("refuses forged, expired, unsigned and incomplete tokens with UNAUTHENTICATED naming the problem", async () => {
      const now = Math.floor(time.now().getTime() / 1000);
      const cases: [string, string, RegExp][] = [
        ["forged", await token({ sub: "r-1" }, "another-secret-0123456789-abcdefghijkl"), /signature does not verify/],
        ["expired", await token({ sub: "r-1", expiresIn: -60 }), new RegExp(`expired at ${new Date((now - 60) * 1000).toISOString()}`)],
        ["alg none", unsignedToken({ sub: "r-1", exp: now + 3600 }), /unsigned \(alg "none"\)/],
        ["no sub", await token({ name: "Nobody" }), /no "sub" claim/],
        ["no exp", await token({ sub: "r-1", noExp: true }), /no "exp" claim/],
        ["bad role", await token({ sub: "r-1", role: "admin" }), /"role" claim must be "commenter" or "moderator"/],
        ["not a JWT", "not-a-jwt-and-not-the-token", /neither the API token nor a JWT/],
      ];
      const before = await tableSizes(t.db.dataSource);
      for (const [label, bad, message] of cases) {
        for (const query of [VIEWER, POST]) {
          const result = await t.gql(query, { articleId, body: "Should never be stored" }, { token: bad });
          expect({ label, code: result.errors?.[0].extensions?.code, data: result.data }).toEqual({ label, code: "UNAUTHENTICATED", data: undefined });
          expect(result.errors?.[0].message).toMatch(message);
        }
      }
      expect(await tableSizes(t.db.dataSource)).toEqual(before);
    });

    it("answers a refused credential over HTTP with 401, and a WebSocket that presents one is closed (4403)", async () => {
      const host = await listen(t.server.httpServer);
      const expired = await token({ sub: "r-1", expiresIn: -60 });
      const response = await fetch(`http://${host}${GRAPHQL_PATH}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${expired}` },
        body: JSON.stringify({ query: VIEWER }),
      });
      expect(response.status).toBe(401);
      expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe("UNAUTHENTICATED");

      const closed = await new Promise<number>((resolve) => {
        const client = wsClient(host, { authorization: `Bearer ${expired}` });
        client.on("closed", (event) => resolve((event as { code: number }).code));
        probe(client, VIEWER);
      });
      expect(closed).toBe(4403);

      // A good token opens the socket, and operations on it run as that reader.
      const client = wsClient(host, { authorization: `Bearer ${await token({ sub: "ws-reader", name: "Socket Sam" })}` });
      const viewer = probe(client, VIEWER);
      const outcome = await viewer.next();
      expect(outcome).toEqual({ kind: "next", result: { data: { viewer: { role: "COMMENTER", canModerate: false, name: "Socket Sam", author: null } } } });
      await client.dispose();
    });

    it("tells each caller who they are", async () => {
      expect((await t.data(VIEWER)).viewer).toBeNull();
      expect((await t.data(VIEWER, {}, { token: TEST_TOKEN })).viewer).toEqual({ role: "SERVICE", canModerate: true, name: null, author: null });
      expect((await t.data(VIEWER, {}, { token: await token({ sub: "viewer-1", name: "Vera" }) })).viewer).toEqual({
        role: "COMMENTER",
        canModerate: false,
        name: "Vera",
        author: null,
      });
      expect((await t.data(VIEWER, {}, { token: await token({ sub: "viewer-2", role: "moderator" }) })).viewer).toEqual({
        role: "MODERATOR",
        canModerate: true,
        name: "Reader",
        author: null,
      });
    });
  });

  describe("readers as authors", () => {
    it("posts as the reader, refuses authorName from a reader, and refuses anonymous writes", async () => {
      const anna = await token({ sub: "anna-1", name: "Anna" });
      const posted = await postAs(t, anna, articleId, "Hello from Anna");
      expect(posted.author).toMatchObject({ name: "Anna", commentCount: 1 });
      const viewer = (await t.data(VIEWER, {}, { token: anna })).viewer;
      expect(viewer.author).toEqual({ id: posted.author.id, name: "Anna", commentCount: 1 });

      const before = await tableSizes(t.db.dataSource);
      const impersonation = await t.gql(POST, { articleId, body: "I am teddy", authorName: "teddy j" }, { token: anna });
      expect(impersonation.errors?.[0].extensions).toMatchObject({ code: "FORBIDDEN", argumentName: "authorName" });
      expect(impersonation.data).toEqual({ addComment: null });
      const anonymous = await t.gql(POST, { articleId, body: "Who am I" });
      expect(anonymous.errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
      expect(await tableSizes(t.db.dataSource)).toEqual(before);
    });

    it("keeps readers with one name apart, and apart from an imported commenter of that name; the name follows the latest token", async () => {
      const first = await postAs(t, await token({ sub: "twin-a", name: "Twin" }), articleId, "Reader twin A");
      const second = await postAs(t, await token({ sub: "twin-b", name: "Twin" }), articleId, "Reader twin B");
      const service = await postComment(t, articleId, "Service teddy", { authorName: "teddy j" });
      const imported = await t.data(`query($id: ID!) { article(id: $id) { comments(first: 1) { nodes { author { id name commentCount } } } } }`, {
        id: articleId,
      });
      const importedAuthor = imported.article.comments.nodes[0].author;

      // The service token's "teddy j" is the imported commenter, as before readers existed.
      expect(service.author!.id).toBe(importedAuthor.id);
      expect(importedAuthor.commentCount).toBe(2);
      expect(new Set([first.author.id, second.author.id, importedAuthor.id]).size).toBe(3);

      const renamed = await postAs(t, await token({ sub: "twin-a", name: "Edward" }), articleId, "Reader twin A, renamed");
      expect(renamed.author).toEqual({ id: first.author.id, name: "Edward", commentCount: 2 });
      const [renamedRow] = await run<{ n: number | string }>(t.db.dataSource, sql`SELECT COUNT(*) AS n FROM author WHERE "sub" = ${"twin-a"}`);
      expect(Number(renamedRow.n)).toBe(1);
      const byName = await t.data(`{ edward: author(name: "edward") { id } teddy: author(name: "teddy j") { id } }`);
      expect(byName.edward.id).toBe(first.author.id);
      expect(byName.teddy.id).toBe(importedAuthor.id);
      // An edit with a newer token renames too.
      await t.data(EDIT, { id: renamed.id, body: "Reader twin A, renamed twice" }, { token: await token({ sub: "twin-a", name: "Ted" }) });
      expect((await t.data(COMMENT, { id: renamed.id })).comment.author).toEqual({ id: first.author.id, name: "Ted", commentCount: 2 });
    });

    it("never lets a reader take an imported commenter's name, in any case, spacing or hidden disguise", async () => {
      const before = await tableSizes(t.db.dataSource);
      const message = (name: string) =>
        `the name "${name}" in your token is another commenter's (from imported comments); a signed-in reader cannot take it: ask the host site for another display name`;
      for (const [sub, name, shown] of [
        ["teddy-a", "teddy j", "teddy j"],
        ["teddy-b", "Teddy  J", "Teddy  J"],
        ["teddy-c", "\u202Eteddy j\u200B", "teddy j"],
      ]) {
        const refused = await t.gql(POST, { articleId, body: `Impersonation by ${sub}` }, { token: await token({ sub, name }) });
        expect(refused.data).toEqual({ addComment: null });
        expect(refused.errors).toEqual([expect.objectContaining({ message: message(shown), extensions: expect.objectContaining({ code: "FORBIDDEN" }) })]);
      }
      expect(await tableSizes(t.db.dataSource)).toEqual(before);

      // Nor can a reader with a name of their own rename to it, by a comment or an edit; their name stays.
      const ruth = await postAs(t, await token({ sub: "ruth-1", name: "Ruth" }), articleId, "Ruth's comment");
      const renaming = await token({ sub: "ruth-1", name: "TEDDY J" });
      expect((await t.gql(EDIT, { id: ruth.id, body: "Ruth as teddy" }, { token: renaming })).errors?.[0].extensions?.code).toBe("FORBIDDEN");
      expect((await t.gql(POST, { articleId, body: "Ruth as teddy again" }, { token: renaming })).errors?.[0].extensions?.code).toBe("FORBIDDEN");
      expect((await t.data(COMMENT, { id: ruth.id })).comment).toMatchObject({ body: "Ruth's comment", author: { id: ruth.author.id, name: "Ruth" } });
    });
  });

  describe("permissions", () => {
    it("lets the author edit and delete until editableUntil, and not a second later", async () => {
      const writer = await token({ sub: "window-1", name: "Wendy" });
      const posted = await postAs(t, writer, articleId, "Typo in here");
      expect(posted.editableUntil).toBe(new Date(time.now().getTime() + 900_000).toISOString());
      expect(posted).toMatchObject({ createdAt: time.now().toISOString(), viewerCanEdit: true, viewerCanDelete: true });

      time.advance(899);
      const fresh = await token({ sub: "window-1", name: "Wendy" });
      expect((await t.data(EDIT, { id: posted.id, body: "No typo in here" }, { token: fresh })).editComment.comment.body).toBe("No typo in here");

      time.advance(1);
      const late = await token({ sub: "window-1", name: "Wendy" });
      const seen = (await t.data(COMMENT, { id: posted.id }, { token: late })).comment;
      expect(seen).toMatchObject({ viewerCanEdit: false, viewerCanDelete: false, editableUntil: posted.editableUntil });
      const before = await commentRow(posted.id);
      for (const [query, variables] of [
        [EDIT, { id: posted.id, body: "Too late" }],
        [DELETE, { id: posted.id }],
      ] as const) {
        const result = await t.gql(query, variables, { token: late });
        expect(result.errors?.[0].extensions?.code).toBe("FORBIDDEN");
        expect(result.errors?.[0].message).toMatch(`ended at ${posted.editableUntil}`);
      }
      expect(await commentRow(posted.id)).toEqual(before);
    });

    it("refuses someone else's comment with FORBIDDEN and changes nothing; moderators and the service token may", async () => {
      const owner = await token({ sub: "owner-1", name: "Olga" });
      const other = await token({ sub: "other-1", name: "Otto" });
      const moderator = await token({ sub: "mod-1", name: "Mo", role: "moderator" });
      const target = await postAs(t, owner, articleId, "Olga's words");
      await postAs(t, other, articleId, "Otto has posted too");

      const before = { sizes: await tableSizes(t.db.dataSource), row: await commentRow(target.id) };
      for (const [query, variables] of [
        [EDIT, { id: target.id, body: "Defaced by Otto" }],
        [DELETE, { id: target.id }],
      ] as const) {
        for (const who of [other, await token({ sub: "never-posted", name: "Nemo" })]) {
          const result = await t.gql(query, variables, { token: who });
          expect(result.errors?.[0]).toMatchObject({ extensions: { code: "FORBIDDEN" } });
          expect(result.errors?.[0].message).toMatch(/only (edit|delete) your own comments/);
        }
      }
      expect({ sizes: await tableSizes(t.db.dataSource), row: await commentRow(target.id) }).toEqual(before);
      expect((await t.data(COMMENT, { id: target.id }, { token: other })).comment).toMatchObject({ viewerCanEdit: false, viewerCanDelete: false });
      expect((await t.data(COMMENT, { id: target.id })).comment).toMatchObject({ viewerCanEdit: false, viewerCanDelete: false });
      expect((await t.data(COMMENT, { id: target.id }, { token: moderator })).comment).toMatchObject({ viewerCanEdit: true, viewerCanDelete: true });

      time.advance(10_000);
      const lateModerator = await token({ sub: "mod-1", name: "Mo", role: "moderator" });
      expect((await t.data(EDIT, { id: target.id, body: "Edited by a moderator" }, { token: lateModerator })).editComment.comment.body).toBe(
        "Edited by a moderator",
      );
      expect((await t.data(EDIT, { id: target.id, body: "Edited by the service" }, { token: TEST_TOKEN })).editComment.comment.body).toBe(
        "Edited by the service",
      );
      expect((await t.data(DELETE, { id: target.id }, { token: lateModerator })).deleteComment.comment.isDeleted).toBe(true);
      expect(await commentRow(target.id)).toMatchObject({ body: "Edited by the service", isDeleted: true });
    });

    it("lets nobody but moderators and the service token change an imported comment", async () => {
      const imported = await t.data(`query($id: ID!) { article(id: $id) { comments(first: 1) { nodes { id editableUntil } } } }`, { id: articleId });
      const comment = imported.article.comments.nodes[0];
      expect(comment.editableUntil).toBeNull();
      const result = await t.gql(EDIT, { id: comment.id, body: "Mine now" }, { token: await token({ sub: "teddy-a", name: "teddy j" }) });
      expect(result.errors?.[0].extensions?.code).toBe("FORBIDDEN");
    });

    it("keeps the service token's importDump from readers, moderators included", async () => {
      const result = await t.gql(`mutation { importDump(text: "whatever") { status } }`, {}, { token: await token({ sub: "mod-2", role: "moderator" }) });
      expect(result.errors?.[0].extensions?.code).toBe("FORBIDDEN");
    });
  });
});
