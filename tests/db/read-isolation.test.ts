/**
 * A reader sees a write whole or not at all. Readers poll through GraphQL while a 3,000-comment
 * dump imports, and while another import fails after most of its rows are in and rolls back.
 * Each statement of a read may see the state before or after a commit (as on PostgreSQL under
 * READ COMMITTED), never one in between.
 */
import { randomBytes } from "node:crypto";
import type { ParsedComment } from "../../src/ingest/dump.types";
import { renderDump } from "../../src/ingest/render-dump";
import { engines } from "../helpers/databases";
import { IMPORT_DUMP, uniqueArticle } from "../helpers/discussion";
import { refuseCommentsContaining } from "../ingest/database-faults";
import { GqlResult, startTestServer, TEST_TOKEN, TestServer } from "../helpers/test-server";

const READ = `{
  articles(first: 100) { totalCount nodes { title commentCount } }
  tags(first: 1) { totalCount }
  authors(first: 1) { totalCount }
}`;

interface Snapshot {
  articles: { totalCount: number; nodes: { title: string; commentCount: number }[] };
  tags: { totalCount: number };
  authors: { totalCount: number };
}

const COMMENTS = 3000;
/** A word the database is told to refuse in comments, for the import that rolls back. */
const POISON_WORD = "Rollbackbait";

/** 3,000 comments by 60 commenters nobody else uses, under two tags nobody else uses. */
function bigArticle(comments: ParsedComment[] = []) {
  const mark = randomBytes(4).toString("hex");
  const generated = Array.from({ length: COMMENTS - comments.length }, (_, i) => ({
    author: i % 7 === 0 ? null : `Isolated Reader ${mark} ${i % 60}`,
    hasAvatar: i % 7 !== 0,
    body: `Comment ${i} of ${mark}, long enough to read like one.`,
  }));
  return uniqueArticle({ tags: [`Isolation ${mark}`, `Isolation ${mark} bis`], comments: [...generated, ...comments] });
}

describe.each(engines)("read isolation on %s", (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(engine, { seed: false });
    await t.data(IMPORT_DUMP, { text: renderDump(uniqueArticle({ comments: [{ author: "Ann", hasAvatar: true, body: "First!" }] })) }, { token: TEST_TOKEN });
  });
  afterAll(() => t.close());

  /** Reads in a loop, several at a time, until `write` settles; the reads that finished before it did. */
  async function readWhile(write: Promise<unknown>, pollers = 3): Promise<GqlResult<Snapshot>[]> {
    let settled = false;
    const done = write.then(
      () => (settled = true),
      () => (settled = true),
    );
    const reads: GqlResult<Snapshot>[] = [];
    const poll = async () => {
      while (!settled) {
        const result = await t.gql<Snapshot>(READ);
        if (!settled) reads.push(result);
      }
    };
    await Promise.all([done, ...Array.from({ length: pollers }, poll)]);
    return reads;
  }

  /** What a read saw, in numbers: totals, and the comment count of the article being imported. */
  function summary(snapshot: Snapshot, title: string) {
    return {
      articles: snapshot.articles.totalCount,
      tags: snapshot.tags.totalCount,
      authors: snapshot.authors.totalCount,
      imported: snapshot.articles.nodes.find((node) => node.title === title)?.commentCount ?? null,
    };
  }

  it("shows a 3,000-comment import as absent or whole", async () => {
    const article = bigArticle();
    const before = summary(await t.data<Snapshot>(READ), article.title);
    const write = t.data(IMPORT_DUMP, { text: renderDump(article) }, { token: TEST_TOKEN });
    const reads = await readWhile(write);
    expect((await write).importDump.article.commentCount).toBe(COMMENTS);
    const after = summary(await t.data<Snapshot>(READ), article.title);
    expect(after).toEqual({ articles: before.articles + 1, tags: before.tags + 2, authors: before.authors + 60, imported: COMMENTS });

    // The reads must overlap the write for the test to show anything.
    expect(reads.length).toBeGreaterThanOrEqual(3);
    expect(reads.filter((read) => read.errors)).toEqual([]);
    // Statements of one read may fall either side of the commit; each value is one side's.
    const partial = reads
      .map((read) => summary(read.data!, article.title))
      .filter((seen) => (Object.keys(seen) as (keyof typeof seen)[]).some((key) => seen[key] !== before[key] && seen[key] !== after[key]));
    expect(partial).toEqual([]);
  });

  it("never shows rows of an import that rolls back", async () => {
    // Fails the last comment's insert, after the article, its tags, its authors and 2,999
    // comments are written: a failure only the database sees, as a full disk or a lost
    // connection would be. Only comments with that word are refused, so other tests go on.
    await refuseCommentsContaining(t.db.dataSource, POISON_WORD, "poisoned comment");
    // The server logs the failure, as it should; here it is expected.
    const quiet = [jest.spyOn(console, "error").mockImplementation(() => undefined), jest.spyOn(process.stderr, "write").mockImplementation(() => true)];
    try {
      const article = bigArticle([{ author: "Doomed Commenter", hasAvatar: true, body: `This comment carries ${POISON_WORD}.` }]);
      const before = summary(await t.data<Snapshot>(READ), article.title);
      const write = t.gql(IMPORT_DUMP, { text: renderDump(article) }, { token: TEST_TOKEN });
      const reads = await readWhile(write);
      expect((await write).errors?.[0].extensions?.code).toBe("INTERNAL_SERVER_ERROR");
      expect(summary(await t.data<Snapshot>(READ), article.title)).toEqual(before);

      expect(reads.length).toBeGreaterThanOrEqual(3);
      expect(reads.filter((read) => read.errors)).toEqual([]);
      expect(reads.map((read) => summary(read.data!, article.title)).filter((seen) => JSON.stringify(seen) !== JSON.stringify(before))).toEqual([]);
    } finally {
      for (const spy of quiet) spy.mockRestore();
    }
  });
});
