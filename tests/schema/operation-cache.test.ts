import { parse } from "graphql";
import { DOCUMENT_CACHE_LIMITS, DocumentCache, PreflightVerdicts, textHash } from "../../src/execution/operation-cache";

describe("document cache", () => {
  it("finds a document by Apollo's key or by its text, and forgets the least recently used beyond its count", async () => {
    const cache = new DocumentCache();
    const text = (i: number) => `{ a${i} }`;
    for (let i = 0; i < DOCUMENT_CACHE_LIMITS.documents; i++) await cache.set(`schema-hash:${textHash(text(i))}`, parse(text(i)));
    expect(cache.documentFor(text(0))).toBeDefined();
    // Document 0 was just used, so adding one more drops document 1.
    const extra = text(DOCUMENT_CACHE_LIMITS.documents);
    cache.remember(extra, parse(extra));
    expect(await cache.get(`schema-hash:${textHash(text(1))}`)).toBeUndefined();
    expect(cache.documentFor(text(0))).toBeDefined();
    expect(await cache.get(`other-prefix:${textHash(extra)}`)).toBeDefined();
    expect(await cache.delete(`schema-hash:${textHash(text(2))}`)).toBe(true);
    expect(cache.documentFor(text(2))).toBeUndefined();
  });

  it("holds at most its budget of text", () => {
    const cache = new DocumentCache();
    // Each about 30% of the budget: three fit, a fourth pushes the oldest out.
    const big = (i: number) => `{ a${i} ${"b ".repeat(DOCUMENT_CACHE_LIMITS.characters * 0.15)}}`;
    for (const i of [1, 2, 3, 4]) cache.remember(big(i), parse(big(i)));
    expect(cache.documentFor(big(1))).toBeUndefined();
    for (const i of [2, 3, 4]) expect(cache.documentFor(big(i))).toBeDefined();
    const huge = `{ a ${"b ".repeat(DOCUMENT_CACHE_LIMITS.characters)}}`;
    cache.remember(huge, parse(huge));
    expect(cache.documentFor(huge)).toBeUndefined();
    expect(cache.documentFor(big(4))).toBeDefined();
  });
});

describe("preflight verdicts", () => {
  it("holds for the same operation and variables only", () => {
    const verdicts = new PreflightVerdicts();
    const document = parse(`query Q($n: Int) { a(n: $n) } query R { b }`);
    verdicts.recordPass(document, "Q", { n: 5 });
    expect(verdicts.hasPassed(document, "Q", { n: 5 })).toBe(true);
    expect(verdicts.hasPassed(document, "Q", { n: 6 })).toBe(false);
    expect(verdicts.hasPassed(document, "R", { n: 5 })).toBe(false);
    expect(verdicts.hasPassed(parse(`query Q($n: Int) { a(n: $n) } query R { b }`), "Q", { n: 5 })).toBe(false);
    const long = { text: "x".repeat(5_000) };
    verdicts.recordPass(document, "Q", long);
    expect(verdicts.hasPassed(document, "Q", long)).toBe(false);
  });
});
