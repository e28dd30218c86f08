import fc from "fast-check";
import { DumpError, parseDump } from "../../src/ingest/parse-dump";
import { renderDump } from "../../src/ingest/render-dump";
import type { ParsedArticle, ParsedComment, ParsedDump } from "../../src/ingest/dump.types";
import { readSeed, REAL_SEED } from "./dump-fixtures";

// FC_RUNS=20000 for a longer hunt; the default keeps the suite fast.
const RUNS = Number(process.env.FC_RUNS ?? 300);

/** Words a reader or an editor might type, in several scripts, with the format's own markers. */
const WORDS = [
  "Russia",
  "China",
  "the",
  "and",
  "USA",
  "NATO",
  "Daesh",
  "US-led",
  "Anti-Daesh",
  "Reports",
  "Дмитрий",
  "Москва",
  "привет",
  "王小明",
  "中国",
  "José",
  "Álvarez-Peña",
  "Zoë",
  "O'Brien",
  "naïve",
  "😀",
  "🇷🇺",
  "•",
  "—",
  "–",
  "-",
  ":",
  '"quoted"',
  "'single'",
  "«ёлка»",
  "(Sputnik)",
  "©2017",
  "https://example.org/a?b=1&c=2",
  "All",
  "comments",
  "avatar",
  "Show",
  "new",
  "(3)",
  "...",
  "!!",
  "42",
  "12:00",
  "GMT",
  "+324",
  "#tag",
  "e-mail:",
  "x@y.z",
  "50%",
  "Get",
  "short",
  "URL",
];

const line = (min = 1, max = 8): fc.Arbitrary<string> => fc.array(fc.constantFrom(...WORDS), { minLength: min, maxLength: max }).map((ws) => ws.join(" "));

/** Chrome lines must not appear as article text at the outer indentation (they mark structure). */
function isChromeLike(s: string): boolean {
  const key = s.toLowerCase().replace(/\s+/g, "");
  return ["getshorturl", "allcomments", "•comment", "communitystandards", "shownewcomments(3)"].some(
    (k) => key === k || key.startsWith("communitystandards") || key.startsWith("commentvia"),
  );
}
const textLine = (min = 1, max = 8): fc.Arbitrary<string> => line(min, max).filter((s) => !isChromeLike(s) && !s.startsWith("©") && !s.startsWith("•"));

// A lower-case opening word keeps a paragraph from reading as a dateline ("NATO – ...").
const paragraph = fc.tuple(fc.constantFrom("the", "and", "в", "в Москве", "según", "它"), line(0, 20)).map(([a, b]) => (b === "" ? a : `${a} ${b}`));

const commentParagraph = fc.array(line(1, 10), { minLength: 1, maxLength: 3 }).map((ls) => ls.join("\n"));
const commentBody = fc.array(commentParagraph, { minLength: 1, maxLength: 3 }).map((ps) => ps.join("\n\n"));
const displayName = fc
  .array(fc.constantFrom("teddy", "j", "Дмитрий", "Соколов", "王小明", "José", "Zoë", "O'Brien", "_K", "🦊", "• x"), {
    minLength: 1,
    maxLength: 3,
  })
  .map((ws) => ws.join(" "));

const parsedComment: fc.Arbitrary<ParsedComment> = fc.oneof(
  fc.record({ author: displayName, hasAvatar: fc.constant(true), body: commentBody }),
  // Anonymous with avatar: a first line running into a second would read as a name.
  fc.record({ author: fc.constant(null), hasAvatar: fc.constant(true), body: commentBody }).filter((c) => !c.body.split("\n\n")[0].includes("\n")),
  fc.record({ author: fc.constant(null), hasAvatar: fc.constant(false), body: commentBody }).filter((c) => c.body.split("\n")[0].toLowerCase() !== "avatar"),
);

const instant = fc.integer({ min: Date.UTC(1990, 0, 1) / 60_000, max: Date.UTC(2100, 0, 1) / 60_000 }).map((minutes) => new Date(minutes * 60_000));

const photo = fc.option(fc.record({ caption: fc.option(textLine(), { nil: null }), credit: line(1, 4).map((s) => `© ${s}`) }), { nil: null });

const article: fc.Arbitrary<ParsedArticle> = fc
  .record({
    title: textLine(1, 12),
    publishedAt: instant,
    section: textLine(1, 3),
    photo,
    dateline: fc.option(fc.constantFrom("MOSCOW (Sputnik)", "NEW YORK (AP)", "ST. PETERSBURG", "RIO DE JANEIRO (Sputnik)"), {
      nil: null,
    }),
    paragraphs: fc.array(paragraph, { minLength: 1, maxLength: 6 }),
    relatedLinks: fc.array(
      textLine(1, 10).map((title) => ({ title })),
      { maxLength: 4 },
    ),
    tags: fc.uniqueArray(
      textLine(1, 3)
        .map((t) => t.replace(/,/g, ""))
        .filter((t) => t.trim() === t && t !== "" && !isChromeLike(t)),
      { minLength: 1, maxLength: 5, selector: (t) => t.toLowerCase() },
    ),
    comments: fc.array(parsedComment, { maxLength: 12 }),
  })
  .map(({ photo: p, ...rest }) => ({
    ...rest,
    imageCaption: p?.caption ?? null,
    imageCredit: p?.credit ?? null,
  }));

const renderOptions = fc.record({
  crlf: fc.boolean(),
  bom: fc.boolean(),
  utcOffsetHours: fc.integer({ min: -12, max: 14 }),
  footerCount: fc.nat(500),
});

function expectTotal(result: ParsedDump | DumpError): void {
  if (result instanceof DumpError) {
    expect(result.reason).not.toMatch(/^internal/);
    expect(result.reason.length).toBeGreaterThan(0);
  } else {
    expect(typeof result.article.title).toBe("string");
    expect(Number.isNaN(result.article.publishedAt.getTime())).toBe(false);
    expect(Array.isArray(result.warnings)).toBe(true);
  }
}

const AMBIGUOUS = /^line 1: ambiguous GMT offset and day/;

describe("parseDump properties", () => {
  it("never throws on arbitrary strings", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: "binary", maxLength: 400 })), (s) => {
        expectTotal(parseDump(s));
      }),
      { numRuns: RUNS },
    );
  });

  it("never throws on dump-shaped line soup", () => {
    const fragments = [
      "15:50 GMT +324 February 2017",
      "    Get short URL",
      "",
      "    ",
      "    © Sputnik/ X",
      "    Title",
      "    Community standardsDiscussion",
      "    • Сomment",
      "    All comments",
      "    • avatar",
      "      teddy j",
      "      text",
      "    • hi",
      "    Show new comments (0)",
      "    MOSCOW (Sputnik) – x",
      "    a, b, c",
      "\t•",
      "•",
      "\uFEFF",
      "\u00A0",
      "10:00 GMT +112 May 2017",
      "00:00 GMT -1231 December 1999",
    ];
    const soup = fc
      .tuple(fc.array(fc.oneof(fc.constantFrom(...fragments), fc.string({ maxLength: 12 })), { maxLength: 40 }), fc.constantFrom("\n", "\r\n", "\r"))
      .map(([ls, eol]) => ls.join(eol));
    fc.assert(
      fc.property(soup, (s) => expectTotal(parseDump(s))),
      { numRuns: RUNS },
    );
  });

  it("never throws on truncated or mutated dumps", () => {
    const seed = readSeed(REAL_SEED);
    const source = fc.oneof(
      fc.constant(seed),
      fc.tuple(article, renderOptions).map(([a, o]) => renderDump(a, o)),
    );
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant("cut" as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
      fc.record({ kind: fc.constant("deleteLine" as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
      fc.record({ kind: fc.constant("duplicateLine" as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
      fc.record({
        kind: fc.constant("insert" as const),
        at: fc.double({ min: 0, max: 1, noNaN: true }),
        text: fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom("\n", "\n\n", "\0", "\uFFFD", "• ", "\r")),
      }),
    );
    fc.assert(
      fc.property(source, fc.array(mutation, { minLength: 1, maxLength: 4 }), (text, mutations) => {
        let t = text;
        for (const m of mutations) {
          const pos = Math.floor(m.at * t.length);
          if (m.kind === "cut") t = t.slice(0, pos);
          else if (m.kind === "insert") t = t.slice(0, pos) + m.text + t.slice(pos);
          else {
            const ls = t.split("\n");
            const i = Math.floor(m.at * ls.length);
            if (m.kind === "deleteLine") ls.splice(i, 1);
            else ls.splice(i, 0, ls[i] ?? "");
            t = ls.join("\n");
          }
        }
        expectTotal(parseDump(t));
      }),
      { numRuns: RUNS },
    );
  });

  it("gets every comment and the whole article back from renderDump", () => {
    fc.assert(
      fc.property(article, renderOptions, (a, options) => {
        const result = parseDump(renderDump(a, options));
        if (result instanceof DumpError) throw result;
        expect(result.article.comments).toEqual(a.comments);
        expect(result.article).toEqual(a);
        // Only "+1" glued to some days is ambiguous; the one-digit reading is the renderer's.
        for (const w of result.warnings) expect(w).toMatch(AMBIGUOUS);
        if (Math.abs(options.utcOffsetHours) !== 1) expect(result.warnings).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it("keeps a cut-off rendered dump importable once the body has started", () => {
    fc.assert(
      fc.property(article, fc.double({ min: 0, max: 1, noNaN: true }), (a, at) => {
        const text = renderDump(a);
        const bodyStart = text.indexOf("Get short URL\n\n    ") + "Get short URL\n\n    ".length + 1;
        const cut = text.slice(0, bodyStart + Math.floor(at * (text.length - bodyStart)));
        const result = parseDump(cut);
        if (result instanceof DumpError) throw result;
        expect(result.article.title).toBe(a.title);
        expect(result.article.publishedAt).toEqual(a.publishedAt);
        if (cut.length < text.length) expect(result.warnings.some((w) => /truncated/.test(w))).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});
