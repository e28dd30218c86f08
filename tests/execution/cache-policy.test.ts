import { isInterfaceType, isObjectType, parse } from "graphql";
import { CACHE_HINTS, cacheControlHeader, cachePolicyOf } from "../../src/execution/cache-policy";
import { buildThreadlineSchema } from "../../src/schema/build-schema";
import { resolvers } from "../../src/resolvers";
import { CachePolicies } from "../../src/execution/operation-cache";

const schema = buildThreadlineSchema(resolvers);
const policy = (query: string, operationName?: string) => cachePolicyOf(schema, parse(query), operationName);

describe("cache policy from the document", () => {
  it("names only types and fields the schema has", () => {
    for (const name of Object.keys(CACHE_HINTS.types)) expect([name, schema.getType(name) !== undefined]).toEqual([name, true]);
    for (const coordinate of Object.keys(CACHE_HINTS.fields)) {
      const [typeName, fieldName] = coordinate.split(".");
      const type = schema.getType(typeName);
      const exists = (isObjectType(type) || isInterfaceType(type)) && fieldName in type.getFields();
      expect([coordinate, exists]).toEqual([coordinate, true]);
    }
  });

  it("takes the shortest hint of every field, through fragments and inline fragments", () => {
    expect(policy(`{ article(slug: "x") { title tags { name } } }`)).toEqual({ maxAge: 300, scope: "PUBLIC" });
    expect(policy(`{ article(slug: "x") { title commentCount } }`)).toEqual({ maxAge: 30, scope: "PUBLIC" });
    expect(policy(`{ tag(slug: "x") { name articles(first: 2) { nodes { title } } } }`)).toEqual({ maxAge: 60, scope: "PUBLIC" });
    expect(policy(`query Q { article(slug: "x") { ...Thread } } fragment Thread on Article { comments { nodes { body } } }`)).toEqual({
      maxAge: 30,
      scope: "PUBLIC",
    });
    expect(policy(`{ article(slug: "x") { ... on Article { relatedLinks { title } } } }`)).toEqual({ maxAge: 300, scope: "PUBLIC" });
  });

  it("gives an interface or union without a hint the shortest of its members'", () => {
    // Node: Article, Tag, RelatedLink (300), Author (60), Comment (30).
    expect(policy(`{ node(id: "x") { id } }`)).toEqual({ maxAge: 30, scope: "PUBLIC" });
    expect(policy(`{ search(query: "x") { totalCount } }`)).toEqual({ maxAge: 60, scope: "PUBLIC" });
    expect(policy(`{ search(query: "x") { nodes { __typename } } }`)).toEqual({ maxAge: 30, scope: "PUBLIC" });
  });

  it("caches no mutation, no introspection and no query without a hinted field", () => {
    expect(policy(`mutation { deleteComment(id: "x") { __typename } }`).maxAge).toBe(0);
    expect(policy(`{ __schema { queryType { name } } }`).maxAge).toBe(0);
    expect(policy(`{ __typename }`).maxAge).toBe(0);
  });

  it("picks the named operation of a document with several", () => {
    const text = `query Short { article(slug: "x") { commentCount } } query Long { article(slug: "x") { title } }`;
    expect(policy(text, "Short").maxAge).toBe(30);
    expect(policy(text, "Long").maxAge).toBe(300);
    expect(policy(text).maxAge).toBe(0);
  });

  it("is worked out once per document and operation name", () => {
    const policies = new CachePolicies(schema);
    const document = parse(`{ article(slug: "x") { title } }`);
    const first = policies.policyFor(document, undefined);
    expect(policies.policyFor(document, undefined)).toBe(first);
    expect(first.maxAge).toBe(300);
  });
});

describe("Cache-Control header", () => {
  const cacheable = { maxAge: 60, scope: "PUBLIC" as const };
  it("is public only for an anonymous GET without errors", () => {
    expect(cacheControlHeader({ method: "GET", credentialed: false, hasErrors: false, policy: cacheable })).toBe("public, max-age=60");
    expect(cacheControlHeader({ method: "GET", credentialed: true, hasErrors: false, policy: cacheable })).toBe("private, no-store");
    expect(cacheControlHeader({ method: "POST", credentialed: false, hasErrors: false, policy: cacheable })).toBe("no-store");
    expect(cacheControlHeader({ method: "GET", credentialed: false, hasErrors: true, policy: cacheable })).toBe("no-store");
    expect(cacheControlHeader({ method: "GET", credentialed: false, hasErrors: false, policy: { maxAge: 60, scope: "PRIVATE" } })).toBe("private, no-store");
  });
});
