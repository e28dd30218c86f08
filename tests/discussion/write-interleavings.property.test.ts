/**
 * Comment writes of every kind (add, edit, delete, status changes, flags that hold, reactions and
 * re-imports of the article's dump), started in an order fast-check's scheduler picks and then run
 * at once: on PostgreSQL spread over two instances with pools of their own, on SQLite on one.
 * Whatever the interleaving, no request gets INTERNAL_SERVER_ERROR, every stored count equals a
 * recount of the rows afterwards (tests/helpers/stored-counts.ts), and every subscriber of the
 * article's commentEvents (anonymous, a reader, the service token, on each instance) was told of
 * each comment in a consistent order: ADDED before anything else, never ADDED while it was shown,
 * nothing while it was not shown.
 */
import fc from "fast-check";
import { Database, openDataSource } from "../../src/db/data-source";
import { commentEventsTopic } from "../../src/events/comment-events";
import type { ParsedComment } from "../../src/ingest/dump.types";
import { renderDump } from "../../src/ingest/render-dump";
import { createServer, ThreadlineServer } from "../../src/server";
import { engines } from "../helpers/databases";
import { rowId, uniqueArticle } from "../helpers/discussion";
import { readerToken } from "../helpers/readers";
import { storedAndRecounted } from "../helpers/stored-counts";
import { eventually, listen, observedLocalEvents, wsClient } from "../helpers/subscriptions";
import { startTestServer, TEST_TOKEN, TestServer } from "../helpers/test-server";

// FC_RUNS=500 for a longer hunt; the default keeps the suite fast.
const RUNS = Number(process.env.FC_RUNS ?? 25);

/** Comments every run starts with: three imported top-level ones, then three replies posted to them. */
const TARGETS = 6;
const READERS = 3;

/** The codes a write in the mix may rightly get: a comment deleted or held under it, a reader's own comment, a conflict that outlasted its retries. */
const ALLOWED_CODES = ["BAD_USER_INPUT", "NOT_FOUND", "FORBIDDEN", "SERVICE_UNAVAILABLE"];

type Operation =
  | { kind: "add"; on: number; parent: number | null; reader: number | null }
  | { kind: "edit"; on: number; target: number }
  | { kind: "delete"; on: number; target: number }
  | { kind: "status"; on: number; target: number; status: "PUBLISHED" | "PENDING" | "REJECTED" }
  | { kind: "flag"; on: number; target: number; reader: number }
  | { kind: "react"; on: number; target: number; reader: number; react: boolean }
  | { kind: "reimport"; on: number; variant: number };

const on = fc.integer({ min: 0, max: 1 });
const target = fc.integer({ min: 0, max: TARGETS - 1 });
const reader = fc.integer({ min: 0, max: READERS - 1 });
const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ kind: fc.constant("add" as const), on, parent: fc.option(target, { nil: null }), reader: fc.option(reader, { nil: null }) }),
  fc.record({ kind: fc.constant("edit" as const), on, target }),
  fc.record({ kind: fc.constant("delete" as const), on, target }),
  // Weighted up: a comment held and published again is where subscribers' streams can go wrong.
  {
    arbitrary: fc.record({
      kind: fc.constant("status" as const),
      on,
      target,
      status: fc.constantFrom("PUBLISHED" as const, "PENDING" as const, "REJECTED" as const),
    }),
    weight: 4,
  },
  fc.record({ kind: fc.constant("flag" as const), on, target, reader }),
  fc.record({ kind: fc.constant("react" as const), on, target, reader, react: fc.boolean() }),
  fc.record({ kind: fc.constant("reimport" as const), on, variant: fc.integer({ min: 0, max: 2 }) }),
);

const said = (author: string | null, body: string): ParsedComment => ({ author, hasAvatar: false, body });
const IMPORTED = [said("Ann", "first"), said("Bob", "second"), said(null, "third")];
/** The dump's comments in each re-import: as imported, one dropped and one added, two dropped. */
const VARIANTS = [IMPORTED, [IMPORTED[0], IMPORTED[2], said("Cat", "fourth")], [IMPORTED[1]]];

const MUTATIONS = {
  add: `mutation($articleId: ID!, $parentId: ID, $body: String!, $authorName: String) {
    addComment(articleId: $articleId, parentId: $parentId, body: $body, authorName: $authorName) { comment { id } } }`,
  edit: `mutation($id: ID!, $body: String!) { editComment(id: $id, body: $body) { comment { id } } }`,
  delete: `mutation($id: ID!) { deleteComment(id: $id) { comment { id } } }`,
  status: `mutation($id: ID!, $status: CommentStatus!) { setCommentStatus(id: $id, status: $status) { comment { id } } }`,
  flag: `mutation($id: ID!) { flagComment(id: $id, reason: OFF_TOPIC) { comment { id } } }`,
  react: `mutation($id: ID!) { reactToComment(id: $id) { comment { id } } }`,
  unreact: `mutation($id: ID!) { unreactToComment(id: $id) { comment { id } } }`,
  reimport: `mutation($text: String!) { importDump(text: $text) { article { id } } }`,
};

const EVENTS = `subscription($id: ID!) { commentEvents(articleId: $id) { kind comment { id isTombstone isDeleted } } }`;

interface Told {
  kind: string;
  comment: { id: string; isTombstone: boolean; isDeleted: boolean };
}

/**
 * What is wrong with one subscriber's stream, as messages: for each comment it was shown at the
 * start or posted through the API, ADDED comes only while it is not shown, and anything else only
 * while it is. Comments a re-import added are left out: re-imports tell subscribers nothing.
 */
function inconsistencies(stream: Told[], shownAtStart: string[], checked: Set<string>): string[] {
  const shown = new Map(shownAtStart.map((id) => [id, true]));
  const wrong: string[] = [];
  for (const { kind, comment } of stream) {
    if (!checked.has(comment.id)) continue;
    const was = shown.get(comment.id) ?? false;
    if (kind === "ADDED" ? was : !was) wrong.push(`${kind} for ${comment.id} while it was ${was ? "shown" : "not shown"}`);
    shown.set(comment.id, !comment.isTombstone && !comment.isDeleted);
  }
  return wrong;
}

interface Answer {
  status: number;
  codes: string[];
  data: Record<string, any> | null;
}

async function send(host: string, query: string, variables: Record<string, unknown>, token: string): Promise<Answer> {
  const response = await fetch(`http://${host}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Record<string, any> | null; errors?: { extensions?: { code?: string } }[] };
  return { status: response.status, codes: (body.errors ?? []).map((error) => String(error.extensions?.code)), data: body.data ?? null };
}

describe.each(engines)("interleaved comment writes on %s", (engine) => {
  let t: TestServer;
  let second: { db: Database; server: ThreadlineServer } | null = null;
  /** Where each instance listens: two on PostgreSQL, one on SQLite (which has one writer). */
  let hosts: string[];
  let readers: string[];
  const bus = observedLocalEvents();

  beforeAll(async () => {
    // One bus for both instances, as Redis would be: every subscriber hears every write.
    t = await startTestServer(engine, { seed: false, events: bus.bus, config: { autoHoldFlags: 2 } });
    hosts = [await listen(t.server.httpServer)];
    if (engine === "postgres") {
      // A second instance with a pool of its own on the same schema, as a second process has.
      const db = await openDataSource(t.db.config, { pgSchema: (t.db.dataSource.options as { schema?: string }).schema });
      const server = await createServer(t.config, db, bus.bus);
      second = { db, server };
      hosts.push(await listen(server.httpServer));
    }
    readers = await Promise.all(Array.from({ length: READERS }, (_, i) => readerToken({ sub: `interleaving-reader-${i}`, name: `Reader ${i}` })));
  });
  afterAll(async () => {
    if (second) {
      await second.server.stop();
      await second.db.destroy();
    }
    await t?.close();
  });

  it("answers every write without INTERNAL_SERVER_ERROR and keeps every stored count equal to a recount", async () => {
    // Conflicts that outlast their retries are logged as they are answered (503): quiet here, counted below.
    const quiet = [jest.spyOn(console, "warn").mockImplementation(() => undefined), jest.spyOn(console, "error").mockImplementation(() => undefined)];
    const tally = { runs: 0, writes: 0, unavailable: 0 };
    try {
      await fc.assert(
        fc.asyncProperty(fc.scheduler(), fc.array(operation, { minLength: 3, maxLength: 12 }), async (s, operations) => {
          tally.runs += 1;
          const dump = uniqueArticle({ comments: IMPORTED });
          const imported = await send(hosts[0], MUTATIONS.reimport, { text: renderDump(dump) }, TEST_TOKEN);
          const articleId: string = imported.data!.importDump.article.id;
          const { article } = (
            await send(hosts[0], `query($id: ID!) { article(id: $id) { comments(first: 3) { nodes { id } } } }`, { id: articleId }, TEST_TOKEN)
          ).data!;
          const ids: string[] = article.comments.nodes.map((node: { id: string }) => node.id);
          for (const parent of [0, 3, 1]) {
            const posted = await send(hosts[0], MUTATIONS.add, { articleId, parentId: ids[parent], body: `reply to ${parent}` }, TEST_TOKEN);
            ids.push(posted.data!.addComment.comment.id);
          }
          const checked = new Set(ids);
          // Subscribers on every instance, listening before the first write starts.
          const streams: { who: string; told: Told[] }[] = [];
          const clients = hosts.flatMap((host, instance) =>
            [null, readers[0], TEST_TOKEN].map((token, i) => {
              const client = wsClient(host, token ? { authorization: `Bearer ${token}` } : undefined);
              const stream = { who: `${["anonymous", "reader 0", "service"][i]} on instance ${instance}`, told: [] as Told[] };
              streams.push(stream);
              client.subscribe<{ commentEvents: Told }>(
                { query: EVENTS, variables: { id: articleId } },
                { next: (result) => result.data && stream.told.push(result.data.commentEvents), error: () => undefined, complete: () => undefined },
              );
              return client;
            }),
          );
          await bus.listening(commentEventsTopic(rowId(articleId)), clients.length);

          const perform = (op: Operation): Promise<Answer> => {
            const host = hosts[op.on % hosts.length];
            switch (op.kind) {
              case "add":
                return send(
                  host,
                  MUTATIONS.add,
                  { articleId, parentId: op.parent === null ? null : ids[op.parent], body: "added" },
                  op.reader === null ? TEST_TOKEN : readers[op.reader],
                );
              case "edit":
                return send(host, MUTATIONS.edit, { id: ids[op.target], body: "edited" }, TEST_TOKEN);
              case "delete":
                return send(host, MUTATIONS.delete, { id: ids[op.target] }, TEST_TOKEN);
              case "status":
                return send(host, MUTATIONS.status, { id: ids[op.target], status: op.status }, TEST_TOKEN);
              case "flag":
                return send(host, MUTATIONS.flag, { id: ids[op.target] }, readers[op.reader]);
              case "react":
                return send(host, op.react ? MUTATIONS.react : MUTATIONS.unreact, { id: ids[op.target] }, readers[op.reader]);
              case "reimport":
                return send(host, MUTATIONS.reimport, { text: renderDump({ ...dump, comments: VARIANTS[op.variant] }) }, TEST_TOKEN);
            }
          };
          // The scheduler picks the order the writes start in; once started they run side by side.
          const running = operations.map((op) => s.schedule(Promise.resolve(op), `${op.kind} on ${op.on}`).then(perform));
          await s.waitAll();
          const answers = await Promise.all(running);
          for (const answer of answers) if (answer.data?.addComment) checked.add(answer.data.addComment.comment.id);
          // A last comment, told to everyone after every write before it: once each stream has it, it has them all.
          const last: string = (await send(hosts[0], MUTATIONS.add, { articleId, parentId: null, body: "last" }, TEST_TOKEN)).data!.addComment.comment.id;
          const lastTold = () => streams.every((stream) => stream.told.some((told) => told.comment.id === last));
          await eventually(async () => lastTold(), "every subscriber to hear of the last comment", 15_000);
          await Promise.all(clients.map((client) => client.dispose()));
          for (const stream of streams) expect({ who: stream.who, wrong: inconsistencies(stream.told, ids, checked) }).toEqual({ who: stream.who, wrong: [] });
          tally.writes += answers.length;
          tally.unavailable += answers.filter((answer) => answer.codes.includes("SERVICE_UNAVAILABLE")).length;
          for (const answer of answers) expect(answer.codes.filter((code) => !ALLOWED_CODES.includes(code))).toEqual([]);
          const { stored, recounted } = await storedAndRecounted(t.db.dataSource);
          expect(stored).toEqual(recounted);
        }),
        { numRuns: RUNS },
      );
    } finally {
      quiet.forEach((spy) => spy.mockRestore());
    }
    const retried = t.db.dataSource.writeConflicts.retried + (second?.db.writeConflicts.retried ?? 0);
    // The tally, on request (REPORT_RACES=1): a green run prints nothing.
    if (process.env.REPORT_RACES) {
      process.stdout.write(
        `interleaved writes on ${engine}: ${tally.runs} runs, ${tally.writes} writes, ${retried} retries, ${tally.unavailable} answered 503\n`,
      );
    }
  }, 120_000);
});
