/**
 * Re-importing a dump around what readers and moderators did, through GraphQL, on both engines:
 * the dump is the source for the comments it brought, and only for those.
 */
import fc from "fast-check";
import { run, sql } from "../../src/db/sql";
import type { ParsedArticle, ParsedComment } from "../../src/ingest/dump.types";
import { renderDump } from "../../src/ingest/render-dump";
import { engines } from "../helpers/databases";
import { IMPORT_DUMP, postComment, rowId, uniqueArticle } from "../helpers/discussion";
import { startTestServer, TEST_TOKEN, TestServer } from "../helpers/test-server";

// FC_RUNS=200 for a longer hunt; each run is a few dozen GraphQL operations.
const RUNS = Number(process.env.FC_RUNS ?? 12);

const EDIT = `mutation($id: ID!, $body: String!) { editComment(id: $id, body: $body) { comment { id body editedAt } } }`;
const DELETE = `mutation($id: ID!) { deleteComment(id: $id) { comment { id isDeleted } } }`;
const THREAD = `query($id: ID!) {
  article(id: $id) { comments(first: 100) { nodes { id body isDeleted editedAt author { name } } } }
}`;
const COMMENT = `query($id: ID!) { comment(id: $id) { id body isDeleted editedAt parent { id body } } }`;

interface ThreadNode {
  id: string;
  body: string;
  isDeleted: boolean;
  editedAt: string | null;
  author: { name: string } | null;
}

const ann: ParsedComment = { author: "Ann", hasAvatar: true, body: "Ann says X" };
const bob: ParsedComment = { author: "Bob", hasAvatar: true, body: "Bob says Y" };
const cat: ParsedComment = { author: "Cat", hasAvatar: true, body: "Cat says Z" };

describe.each(engines)("re-importing a dump on %s", (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(engine, { seed: false });
  });
  afterAll(() => t.close());

  async function importDump(article: ParsedArticle): Promise<{ status: string; id: string }> {
    const data = await t.data(IMPORT_DUMP, { text: renderDump(article) }, { token: TEST_TOKEN });
    return { status: data.importDump.status, id: data.importDump.article.id };
  }

  async function thread(articleId: string): Promise<ThreadNode[]> {
    return (await t.data(THREAD, { id: articleId })).article.comments.nodes;
  }

  /** As the service token sees it: moderators find deleted comments too, which the public does not. */
  async function comment(id: string) {
    return (await t.data(COMMENT, { id }, { token: TEST_TOKEN })).comment;
  }

  /** The setup: Ann and Bob imported, a reader replies to Bob, a moderator blanks Ann. */
  async function annBobSetup() {
    const base = uniqueArticle({ comments: [ann, bob] });
    const { id } = await importDump(base);
    const [annNode, bobNode] = await thread(id);
    const reply = await postComment(t, id, "A reader answers Bob", { parentId: bobNode.id, authorName: "Reader" });
    await t.data(EDIT, { id: annNode.id, body: "[removed by moderator]" }, { token: TEST_TOKEN });
    return { base, id, annNode, bobNode, reply };
  }

  it("keeps a moderator's edit when a comment is appended to the dump", async () => {
    const { base, id, annNode, bobNode, reply } = await annBobSetup();
    expect((await importDump({ ...base, comments: [ann, bob, cat] })).status).toBe("UPDATED");

    const nodes = await thread(id);
    expect(nodes.map((node) => [node.id, node.body])).toEqual([
      [annNode.id, "[removed by moderator]"],
      [bobNode.id, "Bob says Y"],
      [expect.any(String), "Cat says Z"],
    ]);
    expect(nodes[0].editedAt).not.toBeNull();
    expect((await comment(reply.id)).parent).toEqual({ id: bobNode.id, body: "Bob says Y" });
  });

  it("keeps a reader's reply under its parent when an earlier comment leaves the dump", async () => {
    const { base, id, annNode, bobNode, reply } = await annBobSetup();
    await importDump({ ...base, comments: [ann, bob, cat] });
    expect((await importDump({ ...base, comments: [bob, cat] })).status).toBe("UPDATED");

    const nodes = await thread(id);
    // Ann is gone as deleteComment would remove her: hidden, as nothing hangs below.
    expect(nodes.map((node) => node.body)).toEqual(["Bob says Y", "Cat says Z"]);
    expect(nodes[0].id).toBe(bobNode.id);
    expect((await comment(reply.id)).parent).toEqual({ id: bobNode.id, body: "Bob says Y" });
    // Ann's row is kept, deleted, with the moderator's text: not reused for Bob's or Cat's.
    expect(await comment(annNode.id)).toMatchObject({ id: annNode.id, isDeleted: true, body: "" });
    const [row] = await run<{ body: string }>(t.db.dataSource, sql`SELECT "body" FROM comment WHERE "id" = ${rowId(annNode.id)}`);
    expect(row.body).toBe("[removed by moderator]");
  });

  it("never stores a new dump comment as deleted: after a drop that left a tombstone", async () => {
    // Old behaviour: the re-import without Ann wrote Bob's text into Ann's row and left Bob's row
    // (the reply's parent) as a tombstone; the next dump wrote Cat into that tombstone, unseen.
    const base = uniqueArticle({ comments: [ann, bob] });
    const { id } = await importDump(base);
    const [, bobNode] = await thread(id);
    const reply = await postComment(t, id, "A reader answers Bob", { parentId: bobNode.id });
    await importDump({ ...base, comments: [bob] });
    await importDump({ ...base, comments: [bob, cat] });

    const nodes = await thread(id);
    expect(nodes.map((node) => [node.body, node.isDeleted])).toEqual([
      ["Bob says Y", false],
      ["Cat says Z", false],
    ]);
    expect(nodes[0].id).toBe(bobNode.id);
    expect((await comment(reply.id)).parent.id).toBe(bobNode.id);
  });

  it("never stores a new dump comment as deleted: after a moderator's deletion", async () => {
    const base = uniqueArticle({ comments: [ann, bob] });
    const { id } = await importDump(base);
    const [annNode, bobNode] = await thread(id);
    await t.data(DELETE, { id: bobNode.id }, { token: TEST_TOKEN });
    await importDump({ ...base, comments: [ann, cat] });

    const nodes = await thread(id);
    expect(nodes.map((node) => [node.id === annNode.id, node.body, node.isDeleted])).toEqual([
      [true, "Ann says X", false],
      [false, "Cat says Z", false],
    ]);
    expect(await comment(bobNode.id)).toMatchObject({ isDeleted: true });
    // Bob back in the dump: the moderator's deletion stands.
    await importDump({ ...base, comments: [ann, bob, cat] });
    expect((await thread(id)).map((node) => node.body)).toEqual(["Ann says X", "Cat says Z"]);
    expect(await comment(bobNode.id)).toMatchObject({ isDeleted: true });
  });

  it("adds, drops, reorders and rewrites dump comments around replies, edits and deletions", async () => {
    const dan: ParsedComment = { author: null, hasAvatar: false, body: "Anonymous Dan" };
    const eve: ParsedComment = { author: "Eve", hasAvatar: true, body: "Eve\n\nin two paragraphs" };
    const base = uniqueArticle({ comments: [ann, bob, cat, dan] });
    const { id } = await importDump(base);
    const [annNode, bobNode, catNode, danNode] = await thread(id);
    const toAnn = await postComment(t, id, "Reply to Ann", { parentId: annNode.id });
    const toCat = await postComment(t, id, "Reply to Cat", { parentId: catNode.id });
    const own = await postComment(t, id, "A reader's own comment", { authorName: "Reader" });
    await t.data(EDIT, { id: bobNode.id, body: "Bob, edited by a moderator" }, { token: TEST_TOKEN });
    await t.data(DELETE, { id: danNode.id }, { token: TEST_TOKEN });

    // Reordered (Cat first), Ann's text rewritten at the source, Eve added, a whitespace-only
    // change to Bob's text, Dan unchanged.
    const annRewritten: ParsedComment = { ...ann, body: "Ann says X, corrected" };
    const bobRespaced: ParsedComment = { ...bob, body: "Bob   says Y" };
    expect((await importDump({ ...base, comments: [cat, annRewritten, bobRespaced, eve, dan] })).status).toBe("UPDATED");

    // Bob and Dan stay where they were (the longest run the two orders share); Cat moves up with
    // its row, the new comments go after their predecessors in the dump.
    const nodes = await thread(id);
    expect(nodes.map((node) => [node.id, node.isDeleted ? "(deleted)" : node.body])).toEqual([
      [catNode.id, "Cat says Z"],
      [expect.any(String), "Ann says X, corrected"],
      // Ann's old row: gone from the dump, kept as a tombstone for the reply below it.
      [annNode.id, "(deleted)"],
      [bobNode.id, "Bob, edited by a moderator"],
      [expect.any(String), "Eve\n\nin two paragraphs"],
      [own.id, "A reader's own comment"],
    ]);
    const newIds = [nodes[1].id, nodes[4].id];
    for (const newId of newIds) expect([annNode, bobNode, catNode, danNode].map((n) => n.id)).not.toContain(newId);
    expect((await comment(toAnn.id)).parent.id).toBe(annNode.id);
    expect((await comment(toCat.id)).parent.id).toBe(catNode.id);
    expect(await comment(danNode.id)).toMatchObject({ isDeleted: true });

    // The same dump again changes nothing.
    expect((await importDump({ ...base, comments: [cat, annRewritten, bobRespaced, eve, dan] })).status).toBe("UNCHANGED");
  });

  it("keeps every reply's parent, every edit and deletion, shows every dump comment and reuses no row, for random histories (fast-check)", async () => {
    await fc.assert(
      fc.asyncProperty(historyArbitrary, (steps) => replayHistory(t, steps)),
      { numRuns: RUNS },
    );
  });
});

// ------------------------------------------------------------------------------------------------
// Random histories: dump edits, reader replies and posts, moderator edits and deletions.

type DumpEdit =
  | { op: "add"; at: number; author: number; old: number | null }
  | { op: "drop"; at: number }
  | { op: "move"; from: number; to: number }
  | { op: "rewrite"; at: number }
  | { op: "respace"; at: number };

type Step =
  | { kind: "reimport"; edits: DumpEdit[] }
  | { kind: "reply"; to: number }
  | { kind: "post" }
  | { kind: "moderatorEdit"; at: number }
  | { kind: "moderatorDelete"; at: number };

const index = fc.nat({ max: 50 });
const dumpEdit: fc.Arbitrary<DumpEdit> = fc.oneof(
  fc.record({ op: fc.constant("add" as const), at: index, author: fc.nat({ max: 3 }), old: fc.option(index, { freq: 3 }) }),
  fc.record({ op: fc.constant("drop" as const), at: index }),
  fc.record({ op: fc.constant("move" as const), from: index, to: index }),
  fc.record({ op: fc.constant("rewrite" as const), at: index }),
  fc.record({ op: fc.constant("respace" as const), at: index }),
);
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("reimport" as const), edits: fc.array(dumpEdit, { minLength: 1, maxLength: 4 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("reply" as const), to: index }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("post" as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("moderatorEdit" as const), at: index }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("moderatorDelete" as const), at: index }) },
);
const historyArbitrary = fc.array(step, { minLength: 1, maxLength: 7 });

const AUTHORS = ["Ann", "Bob", "Cat", null];

interface Tracked {
  /** Author and normalised body of the text the row was written with. */
  original: string;
  author: string | null;
  body: string;
  parentId: number | null;
  imported: boolean;
  moderatorEdited: boolean;
  moderatorDeleted: boolean;
}

const textKey = (author: string | null, body: string) => JSON.stringify([author, body.replace(/\s+/g, " ").trim()]);

async function replayHistory(t: TestServer, steps: Step[]): Promise<void> {
  let counter = 0;
  const fresh = (author: string | null): ParsedComment => ({ author, hasAvatar: author !== null, body: `Comment ${++counter} by ${author ?? "nobody"}` });
  const seen: ParsedComment[] = [];
  let dump: ParsedComment[] = [fresh("Ann"), fresh("Bob"), fresh(null)];
  seen.push(...dump);
  const base = uniqueArticle({ comments: dump });
  const imported = await t.data(IMPORT_DUMP, { text: renderDump(base) }, { token: TEST_TOKEN });
  const articleId: string = imported.importDump.article.id;
  const rows = new Map<number, Tracked>();
  let edits = 0;

  const check = async (what: string) => {
    const stored = await run<{
      id: number;
      parentId: number | null;
      body: string;
      imported: unknown;
      isDeleted: unknown;
      editedAt: unknown;
      name: string | null;
    }>(
      t.db.dataSource,
      sql`SELECT c."id", c."parentId", c."body", c."imported", c."isDeleted", c."editedAt", a."name" FROM comment c
          LEFT JOIN author a ON a."id" = c."authorId" WHERE c."articleId" = ${rowId(articleId)}`,
    );
    for (const row of stored) {
      const id = Number(row.id);
      const parentId = row.parentId === null ? null : Number(row.parentId);
      const known = rows.get(id);
      if (!known) {
        rows.set(id, {
          original: textKey(row.name, row.body),
          author: row.name,
          body: row.body,
          parentId,
          imported: Boolean(row.imported),
          moderatorEdited: false,
          moderatorDeleted: false,
        });
        continue;
      }
      // No row takes other text, changes author or parent; a moderator's edit and deletion stand.
      expect({ what, id, body: row.body, author: row.name, parentId }).toEqual({ what, id, body: known.body, author: known.author, parentId: known.parentId });
      if (known.moderatorDeleted) expect({ what, id, isDeleted: Boolean(row.isDeleted) }).toEqual({ what, id, isDeleted: true });
      if (known.moderatorEdited) expect(row.editedAt).not.toBeNull();
    }
    expect(stored).toHaveLength(rows.size);

    // Every dump comment shows, in dump order, unless it is one a moderator deleted.
    const nodes: ThreadNode[] = (await t.data(THREAD, { id: articleId })).article.comments.nodes;
    const visible = nodes.filter((node) => !node.isDeleted).map((node) => rows.get(rowId(node.id)) as Tracked);
    const shownFromDump = visible.filter((row) => row.imported).map((row) => row.original);
    const wanted = dump.map((c) => textKey(c.author, c.body));
    expect({ what, subsequence: isSubsequence(shownFromDump, wanted) }).toEqual({ what, subsequence: true });
    const hiddenAllowed = countBy([...rows.values()].filter((row) => row.imported && row.moderatorDeleted).map((row) => row.original));
    const shown = countBy(shownFromDump);
    for (const [key, n] of countBy(wanted)) {
      const missing = n - (shown.get(key) ?? 0);
      expect({ what, key, missingOk: missing >= 0 && missing <= (hiddenAllowed.get(key) ?? 0) }).toEqual({ what, key, missingOk: true });
    }
    // Readers' own top-level comments keep the order they were posted in.
    const readers = nodes.filter((node) => !(rows.get(rowId(node.id)) as Tracked).imported).map((node) => rowId(node.id));
    expect(readers).toEqual([...readers].sort((a, b) => a - b));
    return nodes;
  };

  let nodes = await check("first import");
  for (const [n, s] of steps.entries()) {
    const what = `step ${n + 1}: ${JSON.stringify(s)}`;
    const live = nodes.filter((node) => !node.isDeleted);
    if (s.kind === "reimport") {
      dump = applyEdits(dump, s.edits, seen, fresh);
      await t.data(IMPORT_DUMP, { text: renderDump({ ...base, comments: dump }) }, { token: TEST_TOKEN });
    } else if (s.kind === "reply" && live.length > 0) {
      await postComment(t, articleId, `Reply number ${n}`, { parentId: live[s.to % live.length].id });
    } else if (s.kind === "post") {
      await postComment(t, articleId, `Reader post number ${n}`, { authorName: "Reader" });
    } else if (s.kind === "moderatorEdit" && live.length > 0) {
      const target = live[s.at % live.length];
      const body = `Edited by a moderator ${++edits}`;
      await t.data(EDIT, { id: target.id, body }, { token: TEST_TOKEN });
      Object.assign(rows.get(rowId(target.id)) as Tracked, { body, moderatorEdited: true });
    } else if (s.kind === "moderatorDelete" && live.length > 0) {
      const target = live[s.at % live.length];
      await t.data(DELETE, { id: target.id }, { token: TEST_TOKEN });
      (rows.get(rowId(target.id)) as Tracked).moderatorDeleted = true;
    }
    nodes = await check(what);
  }
}

function applyEdits(dump: ParsedComment[], edits: DumpEdit[], seen: ParsedComment[], fresh: (author: string | null) => ParsedComment): ParsedComment[] {
  const next = [...dump];
  for (const edit of edits) {
    if (edit.op === "add") {
      // Sometimes a comment seen before comes back (a flaky scrape, a duplicate "+1").
      const added = edit.old !== null ? seen[edit.old % seen.length] : fresh(AUTHORS[edit.author]);
      if (!seen.includes(added)) seen.push(added);
      next.splice(edit.at % (next.length + 1), 0, added);
    } else if (next.length === 0) {
      continue;
    } else if (edit.op === "drop") {
      next.splice(edit.at % next.length, 1);
    } else if (edit.op === "move") {
      const [moved] = next.splice(edit.from % next.length, 1);
      next.splice(edit.to % (next.length + 1), 0, moved);
    } else if (edit.op === "rewrite") {
      const at = edit.at % next.length;
      next[at] = { ...fresh(next[at].author), hasAvatar: next[at].hasAvatar };
      seen.push(next[at]);
    } else {
      const at = edit.at % next.length;
      next[at] = { ...next[at], body: next[at].body.replace(" ", "  ") };
    }
  }
  return next;
}

function isSubsequence(part: string[], whole: string[]): boolean {
  let k = 0;
  for (const item of whole) if (k < part.length && part[k] === item) k++;
  return k === part.length;
}

function countBy(keys: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}
