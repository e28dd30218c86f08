/**
 * The reader app's operations against the API, without a browser: the committed generated types
 * are what GraphQL Code Generator makes today, and every operation passes the server's validation
 * and limits with the page sizes the app asks for.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { DocumentNode, print } from "graphql";
import * as generated from "../../web/src/generated/graphql";
import { buildThreadlineSchema } from "../../src/schema/build-schema";
import { resolvers } from "../../src/resolvers";
import { checkCost, parseAndValidate } from "../../src/schema/limits";
import { DEFAULT_BOUNDS } from "../../src/config";

const ROOT = resolve(__dirname, "../..");

/** Variables as the app sends them (page sizes from web/src/thread-state.ts and the home page). */
const APP_VARIABLES: Record<string, Record<string, unknown>> = {
  HomeArticles: { first: 10, after: null, where: { tagSlugIn: ["syria"], section: "World" } },
  SearchHits: { query: "daesh army palmyra", scope: ["ARTICLES", "COMMENTS"], where: { tagSlugIn: ["syria"], section: "World" }, first: 10, after: null },
  TagChoices: {},
  ArticlePage: { slug: "a-slug", commentsFirst: 10, repliesFirst: 5 },
  MoreComments: { articleId: "QXJ0aWNsZTox", first: 10, after: null, repliesFirst: 5 },
  CommentReplies: { commentId: "Q29tbWVudDox", first: 5, after: null, repliesFirst: 5 },
  CommentAncestry: { id: "Q29tbWVudDox" },
  AddComment: { articleId: "QXJ0aWNsZTox", body: "text", authorName: null, parentId: null },
  EditComment: { id: "Q29tbWVudDox", body: "text" },
  DeleteComment: { id: "Q29tbWVudDox" },
  ReactToComment: { id: "Q29tbWVudDox" },
  UnreactToComment: { id: "Q29tbWVudDox" },
  Viewer: {},
  SetCommentStatus: { id: "Q29tbWVudDox", status: "PUBLISHED" },
  CommentEvents: { articleId: "QXJ0aWNsZTox" },
  FlagComment: { id: "Q29tbWVudDox", reason: "SPAM", note: "text" },
  // The moderators' desk (web/src/moderation/, page sizes from web/src/pages/moderate-page.tsx).
  ModerationQueue: { queue: "REPORTED", first: 10, after: null },
  ModerationCounts: {},
  AuthorHistory: { id: "QXV0aG9yOjE", first: 5 },
  ModerationEvents: {},
  ModerateComment: { id: "Q29tbWVudDox", status: "REJECTED", reason: "text" },
  FeatureQueueComment: { id: "Q29tbWVudDox" },
  BanAuthor: { authorId: "QXV0aG9yOjE", reason: "text", rejectExisting: true },
  UnbanAuthor: { authorId: "QXV0aG9yOjE" },
  SuspendAuthor: { authorId: "QXV0aG9yOjE", until: "2030-01-01T00:00:00.000Z", reason: "text" },
  SetAuthorPremoderation: { authorId: "QXV0aG9yOjE", on: true },
  WordLists: {},
  SetWordList: { kind: "BANNED", words: ["word"] },
  // The notification bell.
  Notifications: { first: 10, after: null },
  MarkNotificationsRead: { upTo: null },
  NotificationAdded: {},
};

function operationName(document: DocumentNode): string | null {
  for (const definition of document.definitions) if (definition.kind === "OperationDefinition") return definition.name?.value ?? null;
  return null;
}

describe("reader app operations", () => {
  it("keeps web/src/generated/graphql.ts as `npm run codegen` makes it from the committed schema", () => {
    // The CLI is ESM-only, so it runs in a process of its own; --check writes nothing and fails on a difference.
    const cliPackage = require.resolve("@graphql-codegen/cli/package.json");
    const cli = resolve(dirname(cliPackage), (JSON.parse(readFileSync(cliPackage, "utf8")) as { bin: Record<string, string> }).bin["graphql-codegen"]);
    const run = spawnSync(process.execPath, [cli, "--config", "web/codegen.ts", "--check"], { cwd: ROOT, encoding: "utf8" });
    // On a failure here, run `npm run codegen` and commit the result.
    expect({ status: run.status, stale: run.stdout.includes("stale files") }).toEqual({ status: 0, stale: false });
  }, 60_000);

  it("names every operation, and each passes the API's validation, depth and cost limits as the app sends it", () => {
    const schema = buildThreadlineSchema(resolvers);
    const documents = Object.entries(generated)
      .filter(([name]) => name.endsWith("Document") && !name.endsWith("FragmentDoc"))
      .map(([, document]) => document as unknown as DocumentNode);
    const names = documents.map(operationName);
    expect(names.sort()).toEqual(Object.keys(APP_VARIABLES).sort());
    for (const document of documents) {
      const name = operationName(document) as string;
      const { document: parsed, errors } = parseAndValidate(schema, print(document), false);
      expect({ name, errors: errors.map((error) => error.message) }).toEqual({ name, errors: [] });
      expect({
        name,
        cost: checkCost(schema, parsed as DocumentNode, APP_VARIABLES[name], name, DEFAULT_BOUNDS.maxThreadDepth).map((error) => error.message),
      }).toEqual({ name, cost: [] });
    }
  });
});
