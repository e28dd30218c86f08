/**
 * The moderation queues' stored counts (read/queue-counts.ts) against a recount of the rows, after
 * sequences of every action that moves a comment between queues, in an order fast-check picks:
 * readers' posts and replies, flags (some holding), approvals, holds, rejections, features,
 * deletions, edits, bans with and without rejectExisting, unbans, suspensions and pre-moderation.
 * After each sequence every stored count, per article and site-wide, equals the recount
 * (tests/helpers/stored-counts.ts, written from the README's words), moderationCounts answers the
 * stored counts, and each queue's totalCount equals the length of its pages. Writes run
 * concurrently on PostgreSQL, so the lock order is exercised too; refusals are expected codes only.
 */
import fc from "fast-check";
import { engines } from "../helpers/databases";
import { importUniqueArticle } from "../helpers/discussion";
import { readerToken } from "../helpers/readers";
import { storedAndRecounted } from "../helpers/stored-counts";
import { startTestServer, TEST_TOKEN, TestServer } from "../helpers/test-server";

// FC_RUNS=200 for a longer hunt; the default keeps the suite fast.
const RUNS = Number(process.env.FC_RUNS ?? 15);
const READERS = 3;
const TARGETS = 6;

/** What a write in the mix may rightly get: a deleted or hidden target, a sanctioned reader, a conflict past its retries. */
const ALLOWED_CODES = ["BAD_USER_INPUT", "NOT_FOUND", "FORBIDDEN", "SERVICE_UNAVAILABLE"];

type Operation =
  | { kind: "post"; reader: number; parent: number | null; article: number }
  | { kind: "flag"; reader: number; target: number }
  | { kind: "status"; target: number; status: "PUBLISHED" | "PENDING" | "REJECTED" }
  | { kind: "feature"; target: number }
  | { kind: "delete"; target: number }
  | { kind: "edit"; target: number }
  | { kind: "ban"; reader: number; reject: boolean }
  | { kind: "unban"; reader: number }
  | { kind: "suspend"; reader: number }
  | { kind: "premoderate"; reader: number; on: boolean };

const reader = fc.integer({ min: 0, max: READERS - 1 });
const target = fc.integer({ min: 0, max: TARGETS - 1 });
const operation: fc.Arbitrary<Operation> = fc.oneof(
  {
    arbitrary: fc.record({ kind: fc.constant("post" as const), reader, parent: fc.option(target, { nil: null }), article: fc.integer({ min: 0, max: 1 }) }),
    weight: 3,
  },
  { arbitrary: fc.record({ kind: fc.constant("flag" as const), reader, target }), weight: 3 },
  {
    arbitrary: fc.record({
      kind: fc.constant("status" as const),
      target,
      status: fc.constantFrom("PUBLISHED" as const, "PENDING" as const, "REJECTED" as const),
    }),
    weight: 3,
  },
  fc.record({ kind: fc.constant("feature" as const), target }),
  fc.record({ kind: fc.constant("delete" as const), target }),
  fc.record({ kind: fc.constant("edit" as const), target }),
  fc.record({ kind: fc.constant("ban" as const), reader, reject: fc.boolean() }),
  fc.record({ kind: fc.constant("unban" as const), reader }),
  fc.record({ kind: fc.constant("suspend" as const), reader }),
  fc.record({ kind: fc.constant("premoderate" as const), reader, on: fc.boolean() }),
);

const M = {
  post: `mutation($a: ID!, $p: ID, $b: String!) { addComment(articleId: $a, parentId: $p, body: $b) { comment { id author { id } } } }`,
  flag: `mutation($id: ID!) { flagComment(id: $id, reason: SPAM) { comment { id } } }`,
  status: `mutation($id: ID!, $s: CommentStatus!) { setCommentStatus(id: $id, status: $s) { comment { id } } }`,
  feature: `mutation($id: ID!) { featureComment(id: $id) { comment { id } } }`,
  delete: `mutation($id: ID!) { deleteComment(id: $id) { comment { id } } }`,
  edit: `mutation($id: ID!) { editComment(id: $id, body: "edited") { comment { id } } }`,
  ban: `mutation($id: ID!, $r: Boolean) { banAuthor(authorId: $id, reason: "mix", rejectExisting: $r) { author { id } } }`,
  unban: `mutation($id: ID!) { unbanAuthor(authorId: $id) { author { id } } }`,
  suspend: `mutation($id: ID!, $u: DateTime!) { suspendAuthor(authorId: $id, until: $u) { author { id } } }`,
  premoderate: `mutation($id: ID!, $on: Boolean!) { setAuthorPremoderation(authorId: $id, on: $on) { author { id } } }`,
};
const COUNTS = `query($a: ID) { moderationCounts(articleId: $a) { pending reported unmoderated rejected } }`;
const QUEUE_TOTAL = `query($q: ModerationQueue, $a: ID) { moderationQueue(queue: $q, articleId: $a, first: 100) { totalCount nodes { id } } }`;

describe.each(engines)("moderation queue counts under mixed actions on %s", (engine) => {
  let t: TestServer;
  let readers: string[];
  let mod: string;

  beforeAll(async () => {
    t = await startTestServer(engine, { seed: false, config: { autoHoldFlags: 2 } });
    readers = await Promise.all(Array.from({ length: READERS }, (_, i) => readerToken({ sub: `mix-reader-${i}`, name: `Mix Reader ${i}` })));
    mod = await readerToken({ sub: "mix-mod", name: "Mix Mod", role: "moderator" });
  });
  afterAll(() => t.close());

  it("keeps every queue count equal to a recount, and moderationCounts and totalCount to the stored counts", async () => {
    const quiet = [jest.spyOn(console, "warn").mockImplementation(() => undefined), jest.spyOn(console, "error").mockImplementation(() => undefined)];
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.array(operation, { minLength: 1, maxLength: 4 }), { minLength: 2, maxLength: 6 }), async (rounds) => {
          const articles = [await importUniqueArticle(t), await importUniqueArticle(t)];
          // Every reader has an author row, and there are TARGETS comments to act on.
          const comments: string[] = [];
          const authors: string[] = [];
          for (let i = 0; i < TARGETS; i++) {
            const posted = (await t.data(M.post, { a: articles[i % 2], b: `seed ${i}` }, { token: readers[i % READERS] })).addComment.comment;
            comments.push(posted.id);
            if (i < READERS) authors.push(posted.author.id);
          }
          const perform = async (op: Operation): Promise<string[]> => {
            const ask = (query: string, variables: Record<string, unknown>, token: string) => t.gql(query, variables, { token });
            let answer;
            switch (op.kind) {
              case "post":
                answer = await ask(M.post, { a: articles[op.article], p: op.parent === null ? null : comments[op.parent], b: "mixed" }, readers[op.reader]);
                if (answer.data?.addComment) comments.push(answer.data.addComment.comment.id);
                break;
              case "flag":
                answer = await ask(M.flag, { id: comments[op.target] }, readers[op.reader]);
                break;
              case "status":
                answer = await ask(M.status, { id: comments[op.target], s: op.status }, mod);
                break;
              case "feature":
                answer = await ask(M.feature, { id: comments[op.target] }, mod);
                break;
              case "delete":
                answer = await ask(M.delete, { id: comments[op.target] }, TEST_TOKEN);
                break;
              case "edit":
                answer = await ask(M.edit, { id: comments[op.target] }, mod);
                break;
              case "ban":
                answer = await ask(M.ban, { id: authors[op.reader], r: op.reject }, mod);
                break;
              case "unban":
                answer = await ask(M.unban, { id: authors[op.reader] }, TEST_TOKEN);
                break;
              case "suspend":
                answer = await ask(M.suspend, { id: authors[op.reader], u: new Date(Date.now() + 3_600_000).toISOString() }, mod);
                break;
              case "premoderate":
                answer = await ask(M.premoderate, { id: authors[op.reader], on: op.on }, mod);
                break;
            }
            return (answer.errors ?? []).map((error) => String(error.extensions?.code));
          };
          for (const round of rounds) {
            // The writes of a round run side by side (on PostgreSQL, truly at once); rounds follow each other.
            const codes = (await Promise.all(round.map(perform))).flat();
            expect(codes.filter((code) => !ALLOWED_CODES.includes(code))).toEqual([]);
          }
          const { stored, recounted } = await storedAndRecounted(t.db.dataSource);
          expect(stored.queues).toEqual(recounted.queues);
          for (const articleId of [...articles, null]) {
            const counts = (await t.data(COUNTS, { a: articleId }, { token: mod })).moderationCounts;
            const key = articleId === null ? "site" : String(Number(Buffer.from(articleId, "base64").toString().split(":")[1]));
            for (const queue of ["pending", "reported", "unmoderated", "rejected"] as const)
              expect(counts[queue]).toBe(recounted.queues[`${key}.${queue}`] ?? 0);
            if (articleId === null) continue;
            for (const queue of ["PENDING", "REPORTED", "UNMODERATED", "REJECTED"]) {
              const list = (await t.data(QUEUE_TOTAL, { q: queue, a: articleId }, { token: mod })).moderationQueue;
              expect(list.totalCount).toBe(list.nodes.length);
            }
          }
          // Every reader in good standing again, for the next run.
          for (const author of authors) {
            await t.data(M.unban, { id: author }, { token: mod });
            await t.data(M.premoderate, { id: author, on: false }, { token: mod });
          }
        }),
        { numRuns: RUNS },
      );
    } finally {
      quiet.forEach((spy) => spy.mockRestore());
    }
  }, 180_000);
});
