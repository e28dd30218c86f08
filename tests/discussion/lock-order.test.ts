/**
 * Writes racing on one comment from two server processes that share one PostgreSQL database: a
 * reply to the comment on one instance while the other deletes, rejects, flags (to an automatic
 * hold) or reacts to it and replies to it too. Every write takes the article's row before any
 * comment's (src/db/lock-order.ts), so none of them deadlock; PostgreSQL's deadlocks and
 * serialization failures that remain are retried, and a write that still fails is answered 503
 * with Retry-After. Never INTERNAL_SERVER_ERROR, and the stored counts stay equal to a recount.
 * On SQLite the same races run against one instance (SQLite has one writer at a time).
 */
import { randomBytes } from "node:crypto";
import { importArticle } from "../../src/ingest/import";
import { toGlobalId } from "../../src/schema/global-id";
import { engines, openTestDatabase, TestDatabase } from "../helpers/databases";
import { uniqueArticle } from "../helpers/discussion";
import { readerToken } from "../helpers/readers";
import { startServerProcess, ServerProcess } from "../helpers/server-process";
import { storedAndRecounted } from "../helpers/stored-counts";
import { graphqlUrl, startTestServer, TEST_JWT_SECRET, TEST_TOKEN, TestServer } from "../helpers/test-server";

/** Rounds of each kind of race. */
const ROUNDS = 15;

const REPLY = `mutation($articleId: ID!, $parentId: ID, $body: String!) {
  addComment(articleId: $articleId, parentId: $parentId, body: $body, authorName: "Replier") { comment { id } }
}`;
const RACING = {
  delete: `mutation($id: ID!) { deleteComment(id: $id) { comment { id isDeleted } } }`,
  reject: `mutation($id: ID!) { setCommentStatus(id: $id, status: REJECTED, reason: "racing") { comment { id status } } }`,
  flag: `mutation($id: ID!) { flagComment(id: $id, reason: SPAM) { comment { id } } }`,
  react: `mutation($id: ID!) { reactToComment(id: $id) { comment { id reactionCount } } }`,
} as const;
type Race = keyof typeof RACING;

/** Errors a racing write may meet: a reply to a comment just deleted, or a write the database could not make after its retries. */
const EXPECTED_CODES = ["BAD_USER_INPUT", "SERVICE_UNAVAILABLE"];

interface Answer {
  status: number;
  retryAfter: string | null;
  codes: string[];
  data: Record<string, any> | null;
}

/** One GraphQL request over HTTP, as a client sends it, with the status and Retry-After it got. */
async function send(host: string, query: string, variables: Record<string, unknown>, token: string): Promise<Answer> {
  const response = await fetch(`http://${host}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Record<string, any> | null; errors?: { extensions?: { code?: string } }[] };
  return {
    status: response.status,
    retryAfter: response.headers.get("retry-after"),
    codes: (body.errors ?? []).map((error) => String(error.extensions?.code)),
    data: body.data ?? null,
  };
}

interface Tally {
  answers: number;
  unavailable: number;
  unexpected: { race: Race; round: number; answer: Answer }[];
}

/**
 * Runs ROUNDS rounds of each race: a fresh comment, then at once a reply to it on `a`, the racing
 * write on `b`, and a second reply on `b`.
 */
async function race(a: string, b: string, articleId: string): Promise<Tally> {
  const tally: Tally = { answers: 0, unavailable: 0, unexpected: [] };
  const run = randomBytes(3).toString("hex");
  for (const kind of Object.keys(RACING) as Race[]) {
    for (let round = 0; round < ROUNDS; round++) {
      const posted = await send(a, REPLY, { articleId, parentId: null, body: `${kind} ${round} ${run}` }, TEST_TOKEN);
      expect(posted.codes).toEqual([]);
      const id: string = posted.data!.addComment.comment.id;
      // Flags and reactions are readers' own: a reader of this round's.
      const reader = await readerToken({ sub: `racer-${run}-${kind}-${round}`, name: `Racer ${round}` });
      const answers = await Promise.all([
        send(a, REPLY, { articleId, parentId: id, body: `reply on a, ${kind} ${round}` }, TEST_TOKEN),
        send(b, RACING[kind], { id }, kind === "flag" || kind === "react" ? reader : TEST_TOKEN),
        send(b, REPLY, { articleId, parentId: id, body: `reply on b, ${kind} ${round}` }, TEST_TOKEN),
      ]);
      for (const answer of answers) {
        tally.answers += 1;
        if (answer.codes.includes("SERVICE_UNAVAILABLE")) tally.unavailable += 1;
        const expected = answer.codes.every((code) => EXPECTED_CODES.includes(code));
        const unavailableRight = !answer.codes.includes("SERVICE_UNAVAILABLE") || (answer.status === 503 && answer.retryAfter !== null);
        if (!expected || !unavailableRight) tally.unexpected.push({ race: kind, round, answer });
      }
    }
  }
  return tally;
}

/** Lines in a server's log that say a write transaction was retried after a conflict. */
function retriesLogged(stderr: string): number {
  return stderr.split("\n").filter((line) => line.includes("write conflict") && line.includes("retrying")).length;
}

const describeWithPostgres = process.env.TEST_DATABASE_URL ? describe : describe.skip;

describeWithPostgres("comment writes racing on two server processes on one PostgreSQL database", () => {
  let db: TestDatabase;
  const processes: ServerProcess[] = [];

  beforeAll(async () => {
    db = await openTestDatabase("postgres");
  });
  afterAll(async () => {
    await Promise.all(processes.map((server) => server.stop()));
    await db?.close();
  });

  it("answers every racing write without INTERNAL_SERVER_ERROR and keeps every count equal to a recount", async () => {
    const { articleId } = await importArticle(db.dataSource, uniqueArticle({ tags: ["Racing"] }));
    const schema = (db.dataSource.options as { schema?: string }).schema!;
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.searchParams.set("options", `-c search_path=${schema}`);
    const env = {
      DATABASE_URL: url.toString(),
      API_TOKEN: TEST_TOKEN,
      JWT_SECRET: TEST_JWT_SECRET,
      // One flag holds a comment, so every flag in the race is the one that does.
      AUTO_HOLD_FLAGS: "1",
      ADDRESS_RATE_PER_MINUTE: "0",
      COMMENT_RATE_PER_MINUTE: "0",
      REACTION_RATE_PER_MINUTE: "0",
      FLAG_RATE_PER_MINUTE: "0",
      DUPLICATE_COMMENT_SECONDS: "0",
    };
    processes.push(...(await Promise.all([startServerProcess(env), startServerProcess(env)])));
    const [a, b] = processes;

    const tally = await race(a.host, b.host, toGlobalId("Article", articleId));
    const retries = retriesLogged(a.stderr()) + retriesLogged(b.stderr());
    // How often the database made a write wait its turn again, on request (REPORT_RACES=1): a green
    // run prints nothing.
    if (process.env.REPORT_RACES) {
      process.stdout.write(
        `racing on two processes: ${Object.keys(RACING).length * ROUNDS} rounds, ${tally.answers} writes, ${retries} retries, ${tally.unavailable} answered 503\n`,
      );
    }
    expect(tally.unexpected).toEqual([]);
    expect(a.stderr() + b.stderr()).not.toMatch(/unexpected error/);

    const { stored, recounted } = await storedAndRecounted(db.dataSource);
    expect(stored).toEqual(recounted);
  }, 300_000);
});

describe.each(engines.filter((engine) => engine === "sqlite"))("comment writes racing on one instance on %s", (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(engine, { seed: false, config: { autoHoldFlags: 1 } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("answers every racing write without INTERNAL_SERVER_ERROR and keeps every count equal to a recount", async () => {
    const { articleId } = await importArticle(t.db.dataSource, uniqueArticle({ tags: ["Racing"] }));
    const host = new URL(await graphqlUrl(t)).host;
    const tally = await race(host, host, toGlobalId("Article", articleId));
    expect(tally.unexpected).toEqual([]);
    expect(tally.unavailable).toBe(0);
    const { stored, recounted } = await storedAndRecounted(t.db.dataSource);
    expect(stored).toEqual(recounted);
  }, 60_000);
});
