/**
 * The index's scan (forEachToken) finds the same words as the tokenizer the query parser and the
 * highlighter use (tokenize), in the same order, for any text: ASCII, other scripts, marks,
 * apostrophes, surrogate pairs and lone halves alike; and the word cache changes nothing.
 */
import fc from "fast-check";
import { countWords } from "../../src/ingest/import";
import { forEachToken, tokenize } from "../../src/search/analyze-text";
import { collapseWhitespace } from "../../src/text/whitespace";
import { characterCount } from "../../src/text/write-limits";

const RUNS = Number(process.env.FC_RUNS ?? 500);

const PIECES = [
  "a",
  "Z",
  "9",
  " ",
  "'",
  "\u2019",
  "-",
  ".",
  "é",
  "e\u0301",
  "\u0301",
  "ß",
  "Łódź",
  "Москва",
  "東京",
  "カタカナ",
  "½",
  "𝐀",
  "😀",
  "\uD800",
  "\uDC00",
  "ﬁ",
  "\u00A0",
  "don't",
  "elections",
  "x".repeat(70),
];

const text = fc
  .array(fc.oneof(fc.constantFrom(...PIECES), fc.string(), fc.string({ unit: "binary", maxLength: 8 })), { maxLength: 30 })
  .map((parts) => parts.join(""));

function scanned(value: string): { form: string; stem: string }[] {
  const tokens: { form: string; stem: string }[] = [];
  forEachToken(value, (token) => (tokens.push({ form: token.form, stem: token.stem }), true));
  return tokens;
}

describe("forEachToken", () => {
  it("finds what tokenize finds, for any text", () => {
    fc.assert(
      fc.property(text, (value) => {
        expect(scanned(value)).toEqual(tokenize(value).map(({ form, stem }) => ({ form, stem })));
        // A second time, every word from the cache.
        expect(scanned(value)).toEqual(tokenize(value).map(({ form, stem }) => ({ form, stem })));
      }),
      { numRuns: RUNS },
    );
  });

  it("stops when told to", () => {
    const seen: string[] = [];
    forEachToken("one two three", (token) => (seen.push(token.form), seen.length < 2));
    expect(seen).toEqual(["one", "two"]);
  });
});

describe("the text scans that stand in for regular expressions", () => {
  it("collapseWhitespace, countWords and characterCount agree with the expressions they replace", () => {
    fc.assert(
      fc.property(text, fc.constantFrom(" ", "  ", "\t", "\n", "\u00A0", "\u2028", "\uFEFF", "\u3000", "x"), (value, space) => {
        const spaced = `${space}${value}${space}${value.split("a").join(space)}${space}`;
        expect(collapseWhitespace(spaced)).toBe(spaced.replace(/\s+/g, " ").trim());
        expect(countWords([spaced, value])).toBe([spaced, value].flatMap((p) => p.split(/\s+/)).filter((word) => /[\p{L}\p{N}]/u.test(word)).length);
        expect(characterCount(spaced)).toBe(Array.from(spaced).length);
      }),
      { numRuns: RUNS },
    );
  });
});
