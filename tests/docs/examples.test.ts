/**
 * The documentation's examples are run: every ```graphql block of README.md, docs/api.md and
 * docs/contributing.md goes to a server seeded from seeds/, operation by operation in the order the files show them, on each engine.
 * An operation fails on any error and on an empty answer: data null, a root field null, or a root
 * field whose lists are all empty. Subscriptions subscribe over WebSocket and must deliver the event
 * of a comment posted after them.
 *
 * A block says what it needs in comment lines, which Sandbox and GraphiQL ignore when it is pasted:
 *   # variables: {"id": "Q29tbWVudDo1"}     the variables of every operation in the block (JSON, one line)
 *   # as: service | moderator | reader      the credential it runs with (anonymous without one)
 * (docs/contributing.md describes the convention.)
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { DocumentNode, FragmentDefinitionNode, Kind, OperationDefinitionNode, parse, print } from "graphql";
import type { Client } from "graphql-ws";
import { commentAddedTopic, commentEventsTopic } from "../../src/events/comment-events";
import { engines } from "../helpers/databases";
import { ADD_COMMENT, rowId } from "../helpers/discussion";
import { readerToken } from "../helpers/readers";
import { listen, observedLocalEvents, probe, wsClient } from "../helpers/subscriptions";
import { startTestServer, TEST_TOKEN, TestServer } from "../helpers/test-server";

/** The files whose ```graphql blocks are run; a docs file that gains GraphQL examples is added here. */
const DOCUMENTED = ["README.md", "docs/api.md", "docs/contributing.md"];
const ROOT = resolve(__dirname, "../..");

type Credential = "anonymous" | "service" | "moderator" | "reader";

interface Example {
  /** Where the block starts: "docs/api.md:123". */
  place: string;
  name: string;
  operation: string;
  kind: OperationDefinitionNode["operation"];
  rootField: string;
  variables: Record<string, unknown>;
  as: Credential;
}

/** Every operation of every ```graphql block of one file, in order; a block that does not parse or names nothing fails here. */
function examplesOf(file: string): Example[] {
  const lines = readFileSync(resolve(ROOT, file), "utf8").split("\n");
  const examples: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== "```graphql") continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end].trim() !== "```") end++;
    const text = lines.slice(start, end).join("\n");
    const place = `${file}:${start}`;
    i = end;
    let variables: Record<string, unknown> = {};
    let as: Credential = "anonymous";
    for (const line of text.split("\n")) {
      const variablesLine = /^#\s*variables:\s*(.*)$/.exec(line.trim());
      if (variablesLine) variables = JSON.parse(variablesLine[1]) as Record<string, unknown>;
      const asLine = /^#\s*as:\s*(\S+)\s*$/.exec(line.trim());
      if (asLine) {
        if (!["service", "moderator", "reader"].includes(asLine[1])) throw new Error(`${place}: unknown "# as: ${asLine[1]}"`);
        as = asLine[1] as Credential;
      }
    }
    let document: DocumentNode;
    try {
      document = parse(text);
    } catch (error) {
      throw new Error(`${place}: the block does not parse: ${(error as Error).message}`, { cause: error });
    }
    const fragments = document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION);
    for (const definition of document.definitions) {
      if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
      if (!definition.name) throw new Error(`${place}: every example operation is named`);
      const declared = new Set((definition.variableDefinitions ?? []).map((v) => v.variable.name.value));
      const first = definition.selectionSet.selections[0];
      examples.push({
        place,
        name: definition.name.value,
        operation: print({ kind: Kind.DOCUMENT, definitions: [definition, ...fragments] }),
        kind: definition.operation,
        rootField: first.kind === Kind.FIELD ? first.name.value : "",
        variables: Object.fromEntries(Object.entries(variables).filter(([name]) => declared.has(name))),
        as,
      });
    }
  }
  return examples;
}

/** Why an answer counts as empty, or null when it holds data. */
function emptiness(data: Record<string, unknown> | null | undefined): string | null {
  if (data === null || data === undefined) return "data is null";
  for (const [field, value] of Object.entries(data)) {
    if (value === null) return `${field} is null`;
    const lists: unknown[][] = [];
    const walk = (node: unknown) => {
      if (Array.isArray(node)) {
        lists.push(node);
        node.forEach(walk);
      } else if (node !== null && typeof node === "object") Object.values(node).forEach(walk);
    };
    walk(value);
    if (lists.length > 0 && lists.every((list) => list.length === 0)) return `every list under ${field} is empty`;
  }
  return null;
}

const examples = DOCUMENTED.flatMap(examplesOf);

it("finds the examples of every documented file", () => {
  for (const file of DOCUMENTED) expect(examples.filter((e) => e.place.startsWith(`${file}:`)).length).toBeGreaterThan(0);
  expect(examples.some((e) => e.kind === "mutation")).toBe(true);
  expect(examples.some((e) => e.kind === "subscription")).toBe(true);
});

describe.each(engines)("the documentation's examples on %s", (engine) => {
  let t: TestServer;
  let host: string;
  let events: ReturnType<typeof observedLocalEvents>;
  const clients: Client[] = [];
  const tokens: Record<Credential, string | null> = { anonymous: null, service: TEST_TOKEN, moderator: null, reader: null };

  beforeAll(async () => {
    events = observedLocalEvents();
    // One flag holds a comment, so the moderation example's queue has something in it.
    t = await startTestServer(engine, { events: events.bus, config: { autoHoldFlags: 1 } });
    host = await listen(t.server.httpServer);
    tokens.moderator = await readerToken({ sub: "docs-moderator", name: "Docs Moderator", role: "moderator" });
    tokens.reader = await readerToken({ sub: "docs-reader", name: "Docs Reader" });
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.dispose()));
    await t.close();
  });

  async function subscribe(example: Example): Promise<Record<string, unknown> | null | undefined> {
    const token = tokens[example.as];
    const client = wsClient(host, token ? { authorization: `Bearer ${token}` } : undefined);
    clients.push(client);
    const subscription = probe(client, example.operation, example.variables);
    const articleId = rowId(String(example.variables.articleId));
    await events.listening(example.rootField === "commentAdded" ? commentAddedTopic(articleId) : commentEventsTopic(articleId));
    await t.data(ADD_COMMENT, { articleId: example.variables.articleId, body: `Posted for ${example.name}` }, { token: TEST_TOKEN });
    const outcome = await subscription.next();
    subscription.unsubscribe();
    if (outcome.kind !== "next") throw new Error(`${example.place} ${example.name}: the subscription ended with ${JSON.stringify(outcome)}`);
    expect(outcome.result.errors).toBeUndefined();
    return outcome.result.data as Record<string, unknown> | null | undefined;
  }

  it.each(examples.map((e) => [`${e.place} ${e.name}`, e] as const))("%s answers data", async (_title, example) => {
    let data: Record<string, unknown> | null | undefined;
    if (example.kind === "subscription") {
      data = await subscribe(example);
    } else {
      const result = await t.gql(example.operation, example.variables, { token: tokens[example.as] });
      expect(result.errors).toBeUndefined();
      data = result.data;
    }
    expect(emptiness(data)).toBeNull();
  });
});
