/** operationKind (src/http/operation-kind.ts): the lane admission gives a text, against graphql-js's own reading. */
import { getOperationAST, parse } from "graphql";
import { weighRequest } from "../../src/http/admission";
import { operationKind } from "../../src/http/operation-kind";

const CASES: [string, string | null][] = [
  ["{ articles { totalCount } }", null],
  ["query { a }", null],
  ['mutation { addComment(articleId: 1, body: "x") { comment { id } } }', null],
  ["subscription S { commentAdded(articleId: 1) { id } }", "S"],
  ['\uFEFF# mutation\n, query Q($m: String = "mutation { }") { a(b: $m) }', "Q"],
  ['mutation M($b: String = """ a { "block" \\""" } """) @x(y: "}") { addComment(body: $b) { id } }', "M"],
  ["fragment F on Query { a } mutation W { ...F }", null],
  ["query R { a } mutation W { b }", "W"],
  ["query R { a } mutation W { b }", "R"],
  ["query query { mutation }", null],
  ["mutation query { query }", "query"],
];

describe("operationKind", () => {
  it.each(CASES)("reads %j (operation %s) as graphql-js does", (text, name) => {
    expect(operationKind(text, name)).toBe(getOperationAST(parse(text), name)?.operation ?? null);
  });

  it.each([
    ["query R { a } mutation W { b }", null],
    ["{ a } { b }", null],
    ["query R { a }", "W"],
    ["mutation { a", null],
    ['mutation { a(b: "unterminated) }', null],
    ["mutation }{", null],
    ["", null],
  ])("answers null for %j (operation %s), where graphql-js finds no one operation", (text, name) => {
    expect(operationKind(text, name)).toBeNull();
  });

  it("puts POSTed mutations in the write lane, everything else in the read lane", () => {
    const request = (method: string, body: unknown) => weighRequest({ method, body } as never).lane;
    expect(request("POST", { query: "mutation { a }" })).toBe("write");
    expect(request("POST", { query: "query R { a } mutation W { b }", operationName: "W" })).toBe("write");
    expect(request("POST", { query: "query R { a } mutation W { b }", operationName: "R" })).toBe("read");
    expect(request("GET", { query: "mutation { a }" })).toBe("read");
    expect(request("POST", { extensions: { persistedQuery: { sha256Hash: "x" } } })).toBe("read");
    expect(request("POST", [{ query: "mutation { a }" }])).toBe("read");
    expect(request("POST", null)).toBe("read");
  });
});
