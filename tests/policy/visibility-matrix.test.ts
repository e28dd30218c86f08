/**
 * Every comment state against every viewer along every path a client can read a comment by, each
 * answer checked against the policy's own statement of the rule (src/policy), not against a copy
 * of it: what a viewer is told of a comment, where it is listed, counted, found and featured.
 */
import { run, sql } from "../../src/db/sql";
import {
  canFindComment,
  canKnowStatus,
  canSeeAuthor,
  canSeeComment,
  CommentState,
  isFeatured,
  isListed,
  isPublic,
  MODERATOR_VIEWER,
  PUBLIC_VIEWER,
  Viewer,
} from "../../src/policy";
import { toGlobalId } from "../../src/schema/global-id";
import { engines } from "../helpers/databases";
import { importUniqueArticle, postComment, rowId } from "../helpers/discussion";
import { DELETE, postAs, readerToken } from "../helpers/readers";
import { startTestServer, TEST_TOKEN, TestServer } from "../helpers/test-server";

const FIELDS = `id body status isTombstone isDeleted isFeatured createdAt editableUntil author { name }`;
const ARTICLE = `query($id: ID!) { article(id: $id) {
  commentCount featuredComments { id }
  comments(first: 30) { totalCount nodes { ${FIELDS} replyCount replies(first: 5) { totalCount nodes { ${FIELDS} } } } }
} }`;
const ONE = `query($id: ID!) { comment(id: $id) { ${FIELDS} } node(id: $id) { ... on Comment { ${FIELDS} } } }`;
const ANCESTRY = `query($id: ID!) { comment(id: $id) { ancestors { ${FIELDS} } thread { ${FIELDS} } } }`;
const SEARCH = `{ search(query: "matrixword", scope: [COMMENTS], first: 100) { totalCount edges { node { ... on Comment { id body } } highlights { fragment } } } }`;
const AUTHORS = `{ authors(first: 100) { totalCount nodes { name } } }`;
const AUTHOR = `query($name: String!) { author(name: $name) { name commentCount comments(first: 100) { totalCount nodes { id } } } }`;
const QUEUE = `query($queue: ModerationQueue) { moderationQueue(queue: $queue, first: 100) { totalCount nodes { id } } }`;

const SET_STATUS = `mutation($id: ID!, $status: CommentStatus!) { setCommentStatus(id: $id, status: $status) { comment { id } } }`;
const FEATURE = `mutation($id: ID!) { featureComment(id: $id) { comment { id } } }`;

interface Row extends CommentState {
  id: number;
  parentId: number | null;
  body: string;
}

interface AuthorRow {
  id: number;
  name: string;
  commentCount: number;
}

type ViewerName = "anonymous" | "another reader" | "the author" | "moderator" | "service token";

describe.each(engines)("the visibility matrix on %s", (engine) => {
  let t: TestServer;
  let articleId: string;
  const tokens = {} as Record<ViewerName, string | null>;
  let rows: Row[];
  let authors: AuthorRow[];
  const viewers = {} as Record<ViewerName, Viewer>;
  const names: ViewerName[] = ["anonymous", "another reader", "the author", "moderator", "service token"];

  beforeAll(async () => {
    t = await startTestServer(engine, { seed: false });
    articleId = await importUniqueArticle(t);
    const anna = await readerToken({ sub: "anna", name: "Anna" });
    const ben = await readerToken({ sub: "ben", name: "Ben" });
    const mod = await readerToken({ sub: "mo", name: "Mo", role: "moderator" });
    Object.assign(tokens, { anonymous: null, "another reader": ben, "the author": anna, moderator: mod, "service token": TEST_TOKEN });

    /** One of Anna's comments brought to a state; `reply` hangs a published reply below it first. */
    const state = async (label: string, steps: { reply?: boolean; feature?: boolean; status?: string; remove?: boolean }) => {
      const comment = await postAs(t, anna, articleId, `matrixword ${label}`);
      if (steps.reply) await postComment(t, articleId, `matrixword reply to ${label}`, { authorName: "Rey", parentId: comment.id });
      if (steps.feature) await t.data(FEATURE, { id: comment.id }, { token: mod });
      if (steps.status) await t.data(SET_STATUS, { id: comment.id, status: steps.status }, { token: mod });
      if (steps.remove) await t.data(DELETE, { id: comment.id }, { token: TEST_TOKEN });
    };
    await state("published", {});
    await state("pending", { status: "PENDING" });
    await state("rejected", { status: "REJECTED" });
    await state("deleted", { remove: true });
    await state("deleted with a visible reply", { reply: true, remove: true });
    await state("pending with a visible reply", { reply: true, status: "PENDING" });
    await state("rejected with a visible reply", { reply: true, status: "REJECTED" });
    await state("featured", { feature: true });
    await state("featured then deleted", { reply: true, feature: true, remove: true });
    await state("featured then held", { feature: true, status: "PENDING" });
    await state("featured then rejected, with a visible reply", { reply: true, feature: true, status: "REJECTED" });
    // Ben's own comment, with Anna's held reply below it; readers whose only comment is held or rejected.
    const bens = await postAs(t, ben, articleId, "matrixword Ben's published comment");
    const held = await postAs(t, anna, articleId, "matrixword Anna's held reply", { parentId: bens.id });
    await t.data(SET_STATUS, { id: held.id, status: "PENDING" }, { token: mod });
    for (const [sub, status] of [
      ["hal", "PENDING"],
      ["rita", "REJECTED"],
    ]) {
      const only = await postAs(t, await readerToken({ sub, name: sub.toUpperCase() }), articleId, `matrixword ${sub}'s only comment`);
      await t.data(SET_STATUS, { id: only.id, status }, { token: mod });
    }

    rows = (
      await run<Record<string, unknown>>(
        t.db.dataSource,
        sql`SELECT "id", "parentId", "authorId", "body", "status", "isDeleted", "replyCount", "featuredAt" FROM comment`,
      )
    ).map((row) => ({
      id: Number(row.id),
      parentId: row.parentId === null ? null : Number(row.parentId),
      authorId: row.authorId === null ? null : Number(row.authorId),
      body: String(row.body),
      status: row.status as Row["status"],
      isDeleted: Boolean(row.isDeleted),
      replyCount: Number(row.replyCount),
      featuredAt: row.featuredAt === null ? null : new Date(row.featuredAt as string),
    }));
    authors = (await run<Record<string, unknown>>(t.db.dataSource, sql`SELECT "id", "name", "commentCount" FROM author`)).map((row) => ({
      id: Number(row.id),
      name: String(row.name),
      commentCount: Number(row.commentCount),
    }));
    const authorId = (name: string) => authors.find((author) => author.name === name)!.id;
    Object.assign(viewers, {
      anonymous: PUBLIC_VIEWER,
      "another reader": { kind: "author", authorId: authorId("Ben") },
      "the author": { kind: "author", authorId: authorId("Anna") },
      moderator: MODERATOR_VIEWER,
      "service token": MODERATOR_VIEWER,
    });
  });
  afterAll(() => t.close());

  const gid = (row: Row) => toGlobalId("Comment", row.id);
  const nameOf = (authorId: number | null) => authors.find((author) => author.id === authorId)?.name;
  const byId = (id: string) => rows.find((row) => row.id === rowId(id))!;
  const sortIds = (ids: string[]) => [...ids].sort();

  /** What the policy says the viewer is told of a row, field by field. */
  function told(viewer: Viewer, row: Row) {
    const sees = canSeeComment(viewer, row);
    const knows = canKnowStatus(viewer, row);
    return {
      id: gid(row),
      body: sees ? row.body : "",
      status: knows ? row.status : null,
      isTombstone: !sees,
      isDeleted: row.isDeleted,
      isFeatured: isFeatured(row),
      createdAt: knows ? expect.any(String) : null,
      editableUntil: knows ? expect.any(String) : null,
      author: sees && row.authorId !== null ? { name: nameOf(row.authorId) } : null,
    };
  }

  it("walks a state of every kind", () => {
    const kinds = new Set(rows.map((row) => `${row.status} ${row.isDeleted} ${row.replyCount > 0} ${row.featuredAt !== null}`));
    expect(kinds.size).toBeGreaterThanOrEqual(10);
  });

  describe.each(names)("for %s", (name) => {
    const ask = (query: string, variables: Record<string, unknown> = {}) => t.gql(query, variables, { token: tokens[name] });
    const data = (query: string, variables: Record<string, unknown> = {}) => t.data(query, variables, { token: tokens[name] });

    it("comment(id) and node(id): found by the rule, and told what the rule allows", async () => {
      const viewer = viewers[name];
      for (const row of rows) {
        const answer = await data(ONE, { id: gid(row) });
        if (!canFindComment(viewer, row)) {
          expect({ id: gid(row), comment: answer.comment, node: answer.node }).toEqual({ id: gid(row), comment: null, node: null });
        } else {
          expect(answer.comment).toEqual(told(viewer, row));
          expect(answer.node).toEqual(told(viewer, row));
        }
      }
    });

    it("article.comments and replies list what the rule lists; commentCount and replyCount are the public's", async () => {
      const viewer = viewers[name];
      const { article } = await data(ARTICLE, { id: articleId });
      const topLevel = rows.filter((row) => row.parentId === null && isListed(viewer, row));
      expect(sortIds(article.comments.nodes.map((node: { id: string }) => node.id))).toEqual(sortIds(topLevel.map(gid)));
      expect(article.comments.totalCount).toBe(topLevel.length);
      expect(article.commentCount).toBe(rows.filter(isPublic).length);
      for (const node of article.comments.nodes) {
        const row = byId(node.id);
        const { replies, replyCount, ...fields } = node;
        expect(fields).toEqual(told(viewer, row));
        const children = rows.filter((child) => child.parentId === row.id);
        const listed = children.filter((child) => isListed(viewer, child));
        expect(sortIds(replies.nodes.map((reply: { id: string }) => reply.id))).toEqual(sortIds(listed.map(gid)));
        expect(replies.totalCount).toBe(listed.length);
        expect(replyCount).toBe(children.filter((child) => isListed(PUBLIC_VIEWER, child)).length);
        for (const reply of replies.nodes) expect(reply).toEqual(told(viewer, byId(reply.id)));
      }
    });

    it("ancestors and thread tell of each comment above what the rule allows", async () => {
      const viewer = viewers[name];
      for (const reply of rows.filter((row) => row.parentId !== null && canFindComment(viewer, row))) {
        const parent = rows.find((row) => row.id === reply.parentId)!;
        const { comment } = await data(ANCESTRY, { id: gid(reply) });
        expect(comment).toEqual({ ancestors: [told(viewer, parent)], thread: told(viewer, parent) });
      }
    });

    it("featuredComments lists the featured public comments, the same for everyone", async () => {
      const { article } = await data(ARTICLE, { id: articleId });
      expect(sortIds(article.featuredComments.map((node: { id: string }) => node.id))).toEqual(sortIds(rows.filter(isFeatured).map(gid)));
    });

    it("search finds the public comments, with highlights made of what the caller is served", async () => {
      const { search } = await data(SEARCH);
      const found = rows.filter((row) => isPublic(row) && row.body.includes("matrixword"));
      expect(sortIds(search.edges.map((edge: { node: { id: string } }) => edge.node.id))).toEqual(sortIds(found.map(gid)));
      expect(search.totalCount).toBe(found.length);
      for (const edge of search.edges) {
        expect(edge.node.body).toBe(byId(edge.node.id).body);
        expect(edge.highlights.map((highlight: { fragment: string }) => highlight.fragment)).toEqual([edge.node.body]);
      }
    });

    it("authors, author(name) and author.comments follow the rule, with the stored counts", async () => {
      const viewer = viewers[name];
      const { authors: listed } = await data(AUTHORS);
      const visible = authors.filter((author) => canSeeAuthor(viewer, author));
      expect(listed.nodes.map((node: { name: string }) => node.name).sort()).toEqual(visible.map((author) => author.name).sort());
      expect(listed.totalCount).toBe(visible.length);
      for (const author of authors) {
        const answer = (await data(AUTHOR, { name: author.name })).author;
        if (!canSeeAuthor(viewer, author)) {
          expect({ name: author.name, answer }).toEqual({ name: author.name, answer: null });
          continue;
        }
        const own = rows.filter((row) => row.authorId === author.id);
        const seen = own.filter((row) => canSeeComment(viewer, row));
        expect(answer.commentCount).toBe(own.filter(isPublic).length);
        expect(sortIds(answer.comments.nodes.map((node: { id: string }) => node.id))).toEqual(sortIds(seen.map(gid)));
        expect(answer.comments.totalCount).toBe(seen.length);
      }
    });

    it("moderationQueue serves moderators the held and rejected comments, and refuses anyone else", async () => {
      const viewer = viewers[name];
      for (const status of ["PENDING", "REJECTED"]) {
        const answer = await ask(QUEUE, { queue: status });
        if (viewer.kind !== "moderator") {
          expect(answer.errors?.[0].extensions?.code).toBe(tokens[name] === null ? "UNAUTHENTICATED" : "FORBIDDEN");
          continue;
        }
        const queued = rows.filter((row) => row.status === status && canSeeComment(viewer, row));
        expect(sortIds(answer.data!.moderationQueue.nodes.map((node: { id: string }) => node.id))).toEqual(sortIds(queued.map(gid)));
        expect(answer.data!.moderationQueue.totalCount).toBe(queued.length);
      }
    });
  });
});
