/**
 * Walking a comment list page by page gives the list read whole, whichever way its pages are read:
 * one article's page (a LIMIT statement that reads its rows and, with totalCount, counts in the
 * same statement) or several articles' pages together (numbered per article, rows read by id after).
 * For the public and for a moderator (whose totalCount is counted, not stored), in every order, any
 * page size, forwards and backwards, with tombstones, hidden and rejected comments in the list.
 */
import fc from "fast-check";
import { engines } from "../helpers/databases";
import { importUniqueArticle, postComment } from "../helpers/discussion";
import { readerToken } from "../helpers/readers";
import { startTestServer, TEST_TOKEN, TestServer } from "../helpers/test-server";

const ORDERS = ["OLDEST", "NEWEST", "MOST_REPLIES", "MOST_REACTIONS"] as const;

interface Page {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  nodes: { id: string }[];
}

describe.each(engines)("comment paging on %s", (engine) => {
  let t: TestServer;
  let articles: string[];
  let moderator: string;
  beforeAll(async () => {
    t = await startTestServer(engine, { seed: false });
    moderator = await readerToken({ sub: "paging-moderator", role: "moderator" });
    const readers = await Promise.all([1, 2, 3].map((n) => readerToken({ sub: `paging-reader-${n}`, name: `Reader ${n}` })));
    const write = (query: string, variables: Record<string, unknown>, token = TEST_TOKEN) => t.data(query, variables, { token });
    articles = [];
    for (let a = 0; a < 2; a++) {
      const article = await importUniqueArticle(t, { comments: [] });
      articles.push(article);
      for (let i = 0; i < 9 + a; i++) {
        const top = await postComment(t, article, `top ${a}.${i}`);
        for (let r = 0; r < (i * 7 + a) % 4; r++) await postComment(t, article, `reply ${a}.${i}.${r}`, { parentId: top.id });
        for (let n = 0; n < (i * 5 + a) % 3; n++) await write(`mutation($id: ID!) { reactToComment(id: $id) { comment { id } } }`, { id: top.id }, readers[n]);
        // A tombstone (deleted, with replies), a hidden one (deleted, none), a rejected one.
        if (i === 1 || i === 4) await write(`mutation($id: ID!) { deleteComment(id: $id) { comment { id } } }`, { id: top.id });
        if (i === 6) await write(`mutation($id: ID!) { setCommentStatus(id: $id, status: REJECTED) { comment { id } } }`, { id: top.id });
      }
    }
  });
  afterAll(() => t.close());

  /** The pages of each article in one request: with more than one article, their pages are read together. */
  async function pages(ids: string[], order: string, args: string, token: string | null): Promise<Page[]> {
    const fields = ids.map(
      (id, i) =>
        `a${i}: article(id: "${id}") { comments(orderBy: ${order}, ${args.replace(/\$i/g, String(i))}) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { id } } }`,
    );
    const data = await t.data(`{ ${fields.join(" ")} }`, {}, { token });
    return ids.map((_id, i) => data[`a${i}`].comments as Page);
  }

  it("gives the whole list, and its totalCount on every page, however it is paged", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ORDERS),
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        fc.constantFrom("one article", "two articles"),
        fc.constantFrom("public", "moderator"),
        async (order, size, forward, together, who) => {
          const token = who === "moderator" ? moderator : null;
          const ids = together === "one article" ? articles.slice(0, 1) : articles;
          const whole = await pages(ids, order, "first: 100", token);
          const walked: string[][] = ids.map(() => []);
          const cursors: (string | null)[] = ids.map(() => null);
          for (let step = 0; step < 30; step++) {
            const args = forward ? `first: ${size}` : `last: ${size}`;
            const perArticle = await Promise.all(
              ids.map(async (_id, i) => {
                const cursor = cursors[i];
                if (step > 0 && cursor === null) return null;
                const [page] = await pages([ids[i]], order, cursor ? `${args}, ${forward ? "after" : "before"}: "${cursor}"` : args, token);
                return page;
              }),
            );
            // The same pages read together, as one statement for every article.
            if (ids.length > 1 && perArticle.every((page) => page !== null) && cursors.every((cursor) => cursor === null)) {
              expect(await pages(ids, order, args, token)).toEqual(perArticle);
            }
            let more = false;
            perArticle.forEach((page, i) => {
              if (page === null) return;
              expect(page.totalCount).toBe(whole[i].totalCount);
              const shown = page.nodes.map((node) => node.id);
              walked[i] = forward ? [...walked[i], ...shown] : [...shown, ...walked[i]];
              const next = forward ? page.pageInfo.hasNextPage : page.pageInfo.hasPreviousPage;
              cursors[i] = next ? (forward ? page.pageInfo.endCursor : page.pageInfo.startCursor) : null;
              more ||= next;
            });
            if (!more) break;
          }
          walked.forEach((list, i) => {
            expect(list).toEqual(whole[i].nodes.map((node) => node.id));
            expect(list).toHaveLength(whole[i].totalCount);
          });
        },
      ),
      { numRuns: 25 },
    );
  });
});
