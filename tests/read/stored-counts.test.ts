/**
 * Stored counts (src/read/stored-counts.ts) against a recount of the rows in JavaScript
 * (tests/helpers/stored-counts.ts), after every kind of write
 * that changes what they count: folder imports, re-imports that drop, bring back and add comments
 * and tags, replies at every depth, deletions of leaves and of parents with replies (tombstones,
 * and tombstones that lose their last visible descendant).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrations } from "../../src/db/data-source";
import { StoredCounts1764300000000 } from "../../src/db/migrations/1764300000000-stored-counts";
import type { ParsedArticle, ParsedComment } from "../../src/ingest/dump.types";
import { importFiles } from "../../src/ingest/import-files";
import { renderDump } from "../../src/ingest/render-dump";
import { toGlobalId } from "../../src/schema/global-id";
import { engines } from "../helpers/databases";
import { IMPORT_DUMP, postComment, PostedComment, uniqueArticle } from "../helpers/discussion";
import { storedAndRecounted } from "../helpers/stored-counts";
import { startTestServer, TEST_TOKEN, TestServer } from "../helpers/test-server";

const DELETE = `mutation($id: ID!) { deleteComment(id: $id) { comment { id isDeleted } } }`;

const said = (author: string | null, body: string): ParsedComment => ({ author, hasAvatar: author !== null, body });

describe.each(engines)("stored counts on %s", (engine) => {
  let t: TestServer;
  let folder: string;
  beforeAll(async () => {
    t = await startTestServer(engine, { seed: false });
    folder = mkdtempSync(join(tmpdir(), "threadline-counts-"));
  });
  afterAll(async () => {
    await t.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const remove = (comment: PostedComment) => t.data(DELETE, { id: comment.id }, { token: TEST_TOKEN });
  const reply = (article: string, parent: PostedComment | null, body: string, authorName: string | null = null) =>
    postComment(t, article, body, { parentId: parent?.id ?? null, authorName });
  const reimport = (article: ParsedArticle) => t.data(IMPORT_DUMP, { text: renderDump(article) }, { token: TEST_TOKEN });

  async function expectCountsMatchRows(step: string): Promise<void> {
    const { stored, recounted } = await storedAndRecounted(t.db.dataSource);
    const { articles: listed } = await t.data(`{ articles(first: 1) { totalCount } }`);
    expect({ step, articles: listed.totalCount }).toEqual({ step, articles: recounted.articles });
    expect({ step, ...stored }).toEqual({ step, ...recounted });
  }

  async function threadOf(articleId: string): Promise<{ id: string; body: string }[]> {
    const { article } = await t.data(`query($id: ID!) { article(id: $id) { comments(first: 100) { nodes { id body } } } }`, { id: articleId });
    return article.comments.nodes;
  }

  it("keeps every counter equal to a recount of the rows through imports, re-imports, replies and deletions", async () => {
    const first = uniqueArticle({
      tags: ["Counted One", "Counted Two"],
      comments: [said("Ann", "a1"), said("Bob", "a2"), said(null, "a3"), said("Ann", "a4"), said("Cat", "a5")],
    });
    const second = uniqueArticle({ tags: ["Counted Two", "Counted Three"], comments: [said("Ann", "b1"), said("Bob", "b2")] });
    const third = uniqueArticle({ tags: ["Counted Three"], comments: [] });
    const files = [first, second, third].map((article, i) => {
      const file = join(folder, `${i}.txt`);
      writeFileSync(file, renderDump(article));
      return file;
    });
    const imported = await importFiles(t.db.dataSource, files);
    expect(imported.imported).toBe(3);
    await expectCountsMatchRows("folder import");

    const articleId = toGlobalId("Article", imported.outcomes[0].articleId!);
    const [a1, a2, a3, a4] = await threadOf(articleId);
    expect([a1.body, a2.body, a3.body, a4.body]).toEqual(["a1", "a2", "a3", "a4"]);

    // Replies three levels down under a1, and one under a2 and a4.
    const r1 = await reply(articleId, a1 as PostedComment, "r1", "Bob");
    const r2 = await reply(articleId, r1, "r2", "Cat");
    const r3 = await reply(articleId, r2, "r3");
    await reply(articleId, a2 as PostedComment, "r4", "Ann");
    const r5 = await reply(articleId, a4 as PostedComment, "r5", "Dan");
    await expectCountsMatchRows("replies");

    // A re-import drops a1 (which has replies: it stays as a tombstone) and a3 (a leaf), adds a
    // comment, and swaps a tag.
    await reimport({
      ...first,
      tags: ["Counted Two", "Counted Three"],
      comments: [said("Bob", "a2"), said("Ann", "a4"), said("Cat", "a5"), said("Eve", "a6")],
    });
    await expectCountsMatchRows("re-import that drops and adds");

    // Leaves first, up the chain: r3, then r2 (its last listed reply gone), then r1, whose parent
    // a1 is a tombstone that loses its last visible descendant.
    for (const [comment, step] of [
      [r3, "delete a leaf"],
      [r2, "delete a parent whose replies are all deleted"],
      [r1, "delete the last visible comment under a tombstone"],
    ] as const) {
      await remove(comment);
      await expectCountsMatchRows(step);
    }

    // A chain posted through the API, deleted from the top: tombstones above a visible leaf, then
    // the leaf, which takes both tombstones out of their lists.
    const x1 = await reply(articleId, null, "x1", "Fay");
    const x2 = await reply(articleId, x1, "x2", "Fay");
    const x3 = await reply(articleId, x2, "x3", "Gus");
    await remove(x1);
    await remove(x2);
    await expectCountsMatchRows("tombstones above a visible reply");
    await remove(x3);
    await expectCountsMatchRows("the reply under two tombstones deleted");
    await remove(x3);
    await expectCountsMatchRows("a deletion repeated");

    // The dump brings a1 and a3 back (a1's replies are deleted, so a1 was out of every list) and the tag.
    await reimport({ ...first, comments: [...first.comments, said("Eve", "a6")] });
    await expectCountsMatchRows("re-import that brings comments back");

    // A parent with a visible reply deleted by a moderator, then dropped and brought back by dumps.
    await remove(a4 as PostedComment);
    await reimport({ ...first, comments: first.comments.filter((comment) => comment.body !== "a4") });
    await expectCountsMatchRows("re-import that drops a moderated tombstone");
    await remove(r5);
    await expectCountsMatchRows("the tombstone's reply deleted");

    // A changed folder: one dump loses and gains comments and tags, one is unchanged.
    writeFileSync(files[1], renderDump({ ...second, tags: ["Counted One"], comments: [said("Ann", "b1"), said("Hal", "b3")] }));
    const again = await importFiles(t.db.dataSource, files);
    expect(again.outcomes.map((outcome) => outcome.status)).toEqual(["updated", "updated", "unchanged"]);
    await expectCountsMatchRows("folder re-import");

    // Moderation: only PUBLISHED comments count. A held comment with a visible reply stays listed
    // as the public's tombstone; a rejected leaf leaves its parent's list; both come back.
    const setStatus = (comment: { id: string }, status: string) =>
      t.data(
        `mutation($id: ID!, $status: CommentStatus!) { setCommentStatus(id: $id, status: $status) { comment { status } } }`,
        { id: comment.id, status },
        { token: TEST_TOKEN },
      );
    const y1 = await reply(articleId, null, "y1", "Ivy");
    const y2 = await reply(articleId, y1, "y2", "Jon");
    const y3 = await reply(articleId, y2, "y3", "Ivy");
    await setStatus(y1, "PENDING");
    await expectCountsMatchRows("a parent with replies held");
    await setStatus(y3, "REJECTED");
    await expectCountsMatchRows("a leaf rejected");
    await setStatus(y2, "REJECTED");
    await expectCountsMatchRows("the held parent's last visible reply rejected");
    await setStatus(y1, "PUBLISHED");
    await setStatus(y3, "PUBLISHED");
    await expectCountsMatchRows("published again");
    await setStatus(y3, "PENDING");
    await remove(y3);
    await remove(y2);
    await expectCountsMatchRows("deletions of unpublished comments");
    const [b1] = await threadOf(toGlobalId("Article", imported.outcomes[1].articleId!));
    await setStatus(b1, "PENDING");
    writeFileSync(files[1], renderDump({ ...second, tags: ["Counted One"], comments: [said("Hal", "b3")] }));
    await importFiles(t.db.dataSource, files);
    await expectCountsMatchRows("a re-import that drops a held comment");

    // The migration that added the counts fills them in from the same rows.
    const db = t.db.dataSource;
    for (let i = migrations.indexOf(StoredCounts1764300000000); i < migrations.length; i++) await db.undoLastMigration();
    await db.runMigrations();
    await expectCountsMatchRows("after the migration's backfill");
  });
});
