import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { ASTNode, parse, print, visit } from "graphql";
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
      "article(id: ID, slug: String): Article",
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
});
