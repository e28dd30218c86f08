import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { ASTNode, buildSchema, GraphQLField, GraphQLObjectType, parse, print, visit } from "graphql";
import { schemaSdl } from "../../scripts/emit-schema";

/** The SDL without descriptions, so a described argument still prints as `name(arg: Type)`. */
function withoutDescriptions(sdl: string): string {
  return print(
    visit(parse(sdl), {
      enter(node: ASTNode) {
        return "description" in node && node.description ? { ...node, description: undefined } : undefined;
      },
    }),
  );
}

describe("schema.graphql", () => {
  it("matches the schema the resolvers build (run `npm run schema:emit` after changing them)", () => {
    const committed = readFileSync(resolve(__dirname, "../../src/schema/schema.graphql"), "utf8");
    expect(schemaSdl()).toBe(committed);
  });

  it("holds the contract's public names", () => {
    const sdl = withoutDescriptions(schemaSdl());
    for (const name of [
      "scalar DateTime",
      "interface Node",
      "node(id: ID!): Node",
      "article(id: ID, slug: String, url: String, externalId: String): Article",
      "tag(slug: String!): Tag",
      "comment(id: ID!): Comment",
      "input ArticleWhere",
      "enum ArticleOrder",
      "enum CommentOrder",
      "type PageInfo",
      "type ArticleConnection",
      "type CommentConnection",
      "type TagConnection",
      "type AuthorConnection",
    ]) {
      expect(sdl).toContain(name);
    }
  });

  it("gives the second round's fields exactly the contract's arguments and return types", () => {
    const schema = buildSchema(schemaSdl());
    const signature = (typeName: string, fieldName: string): string => {
      const field: GraphQLField<unknown, unknown> | undefined = (schema.getType(typeName) as GraphQLObjectType).getFields()[fieldName];
      if (!field) return `${typeName}.${fieldName} is missing`;
      const args = field.args.map((arg) => `${arg.name}: ${String(arg.type)}${arg.defaultValue === undefined ? "" : " = " + JSON.stringify(arg.defaultValue)}`);
      return `${fieldName}(${args.sort().join(", ")}): ${String(field.type)}`;
    };
    expect(signature("Mutation", "setArticleModeration")).toBe("setArticleModeration(articleId: ID!, mode: ModerationMode!): Article");
    expect(signature("Mutation", "setCommentStatus")).toBe("setCommentStatus(id: ID!, reason: String, status: CommentStatus!): CommentPayload");
    expect(signature("Mutation", "flagComment")).toBe("flagComment(id: ID!, note: String, reason: FlagReason!): CommentPayload");
    for (const name of ["featureComment", "unfeatureComment", "reactToComment", "unreactToComment", "deleteComment"]) {
      expect(signature("Mutation", name)).toBe(`${name}(id: ID!): CommentPayload`);
    }
    expect(signature("Mutation", "editComment")).toBe("editComment(body: String!, id: ID!): CommentPayload");
    expect(signature("Mutation", "addComment")).toBe("addComment(articleId: ID!, authorName: String, body: String!, parentId: ID): AddCommentPayload");
    expect(signature("CommentPayload", "comment")).toBe("comment(): Comment!");
    for (const name of ["comment", "commentEdge", "article"]) expect(signature("AddCommentPayload", name)).not.toContain("missing");
    expect(signature("Subscription", "commentEvents")).toBe("commentEvents(articleId: ID!): CommentEvent!");
    expect(signature("Query", "viewer")).toBe("viewer(): Viewer");
    expect(signature("Query", "moderationQueue")).toBe(
      'moderationQueue(after: String, articleId: ID, before: String, first: Int, last: Int, queue: ModerationQueue = "PENDING"): CommentConnection!',
    );
    expect(signature("Query", "search")).toBe(
      'search(after: String, before: String, first: Int, last: Int, query: String!, scope: [SearchScope!] = ["ARTICLES","COMMENTS"], where: ArticleWhere): SearchConnection!',
    );
    expect(signature("Viewer", "author")).toBe("author(): Author");
    expect(signature("Viewer", "role")).toBe("role(): Role!");
    expect(signature("Viewer", "canModerate")).toBe("canModerate(): Boolean!");
    // The third round made status nullable (null for a caller who may not know it) and added isTombstone.
    const comment: Record<string, string> = {
      status: "CommentStatus",
      isTombstone: "Boolean!",
      editableUntil: "DateTime",
      viewerCanEdit: "Boolean!",
      viewerCanDelete: "Boolean!",
      reactionCount: "Int!",
      viewerHasReacted: "Boolean!",
      flagCount: "Int",
      moderationHistory: "[ModerationAction!]",
      ancestors: "[Comment!]!",
      thread: "Comment!",
    };
    for (const [name, type] of Object.entries(comment)) expect(signature("Comment", name)).toBe(`${name}(): ${type}`);
    expect(signature("Article", "featuredComments")).toBe("featuredComments(): [Comment!]!");
    expect(signature("CommentEvent", "kind")).toBe("kind(): CommentEventKind!");
    expect(signature("CommentEvent", "comment")).toBe("comment(): Comment!");
    const enumValues = (name: string) => (schema.getType(name) as import("graphql").GraphQLEnumType).getValues().map((value) => value.name);
    expect(enumValues("Role")).toEqual(["COMMENTER", "MODERATOR", "SERVICE"]);
    expect(enumValues("CommentStatus")).toEqual(["PUBLISHED", "PENDING", "REJECTED"]);
    expect(enumValues("ModerationMode")).toEqual(["PRE", "POST"]);
    expect(enumValues("FlagReason")).toEqual(["SPAM", "ABUSE", "OFF_TOPIC", "OTHER"]);
    expect(enumValues("CommentEventKind")).toEqual(["ADDED", "EDITED", "DELETED", "STATUS_CHANGED", "REACTED"]);
    expect(enumValues("CommentOrder")).toContain("MOST_REACTIONS");
    expect(enumValues("ArticleOrder")).toContain("RELEVANCE");
  });

  it("gives the third round's article API the contract's names and types", () => {
    const sdl = withoutDescriptions(schemaSdl());
    expect(sdl).toContain("upsertArticle(input: ArticleInput!): ArticlePayload\n");
    const schema = buildSchema(schemaSdl());
    const fields = (name: string) =>
      Object.values((schema.getType(name) as GraphQLObjectType).getFields()).map((field) => `${field.name}: ${String(field.type)}`);
    expect(fields("ArticleInput")).toEqual([
      "url: String!",
      "externalId: String",
      "title: String!",
      "publishedAt: DateTime!",
      "section: String",
      "paragraphs: [String!]",
      "tags: [String!]",
      "imageCaption: String",
      "imageCredit: String",
      "dateline: String",
      "relatedLinks: [String!]",
    ]);
    expect(fields("ArticlePayload")).toEqual(["article: Article!", "created: Boolean!"]);
    expect(fields("Article")).toEqual(expect.arrayContaining(["url: String", "externalId: String"]));
  });
});
