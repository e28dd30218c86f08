import { readFileSync } from "fs";
import { join } from "path";
import { DumpError, parseDump } from "../../src/ingest/parse-dump";
import { renderDump } from "../../src/ingest/render-dump";
import type { ParsedArticle, ParsedDump } from "../../src/ingest/dump.types";
import { BAD_DUMPS_DIR, BASE, REAL_SEED, REAL_SEED_ARTICLE, comment, readSeed } from "./dump-fixtures";

/** The base article's dump as lines (see BASE), so each test can bend one part of it. */
function baseLines(article: ParsedArticle = BASE): string[] {
  return renderDump(article).split("\n");
}

function ok(article: ParsedArticle, warnings: string[] = []): ParsedDump {
  return { article, warnings };
}

function expectError(result: ParsedDump | DumpError, line: number | null, reason: string | RegExp): void {
  expect(result).toBeInstanceOf(DumpError);
  const error = result as DumpError;
  expect(error.line).toBe(line);
  if (typeof reason === "string") expect(error.reason).toBe(reason);
  else expect(error.reason).toMatch(reason);
}

describe("parseDump on the real seed", () => {
  it("reads every field, all six comments in order, with no warnings", () => {
    expect(parseDump(readSeed(REAL_SEED), REAL_SEED)).toEqual(ok(REAL_SEED_ARTICLE));
  });

  it("gives the same article with CRLF, a BOM, a final newline and trailing whitespace", () => {
    const text = readSeed(REAL_SEED)
      .split("\n")
      .map((l) => (l === "" ? l : `${l} \t`))
      .join("\r\n");
    expect(parseDump(`\uFEFF${text}\r\n`)).toEqual(ok(REAL_SEED_ARTICLE));
  });

  it("gives the same article with lone CR line endings", () => {
    expect(parseDump(readSeed(REAL_SEED).replace(/\n/g, "\r"))).toEqual(ok(REAL_SEED_ARTICLE));
  });
});

describe("parseDump: layout variations", () => {
  it("reads the base dump back exactly", () => {
    expect(parseDump(renderDump(BASE))).toEqual(ok(BASE));
  });

  it("reads an article without a photo: no caption, no credit", () => {
    const article = { ...BASE, imageCaption: null, imageCredit: null };
    const text = renderDump(article);
    expect(text.split("\n").slice(0, 5)).toEqual(["12:00 GMT +310 March 2017", "    Test Title", "", "    World", "    Get short URL"]);
    expect(parseDump(text)).toEqual(ok(article));
  });

  it("keeps quotes, colons and dashes in titles", () => {
    const article = { ...BASE, title: `'Not a Toy': Minister — "We Will Respond" - Reports` };
    expect(parseDump(renderDump(article))).toEqual(ok(article));
  });

  it("normalises non-breaking and other odd spaces to plain spaces in stored text", () => {
    const lines = baseLines();
    lines[3] = "    Test\u00A0Title\u202F ";
    lines[9] = "    First\u00A0paragraph\u2009with\u3000spaces. \u00A0";
    lines[25] = "    • Plain\u00A0text.";
    expect(parseDump(lines.join("\n"))).toEqual(
      ok({
        ...BASE,
        paragraphs: ["First paragraph with spaces.", "Second paragraph."],
        comments: [BASE.comments[0], comment(null, false, "Plain text.")],
      }),
    );
  });

  it("recognises chrome lines written with Cyrillic/Greek homoglyphs and any case", () => {
    const lines = baseLines();
    lines[7] = "    G\u0435t sh\u043Ert URL"; // Cyrillic е, о
    lines[16] = "    \u0421ommunity standards\u0394iscussion".replace("\u0394", "D"); // Cyrillic С
    lines[17] = "    COMMENT VIA FACEBOOKCOMMENT VIA SPUTNIK";
    lines[18] = "    • C\u03BFmment"; // Greek ο
    lines[20] = "    \u0391ll c\u043Emments"; // Greek Α, Cyrillic о
    lines[26] = "    Sh\u043Ew new comments (12)";
    expect(parseDump(lines.join("\n"))).toEqual(ok(BASE));
  });

  it("accepts a final newline or none, and any footer count", () => {
    const text = renderDump(BASE, { footerCount: 17 });
    expect(text.endsWith("    Show new comments (17)")).toBe(true);
    expect(parseDump(text)).toEqual(ok(BASE));
    expect(parseDump(`${text}\n\n`)).toEqual(ok(BASE));
  });

  it("reads zero related headlines: the only line before the chrome is the tags line", () => {
    const article = { ...BASE, relatedLinks: [] };
    expect(parseDump(renderDump(article))).toEqual(ok(article));
  });

  it("reads many related headlines, including ones with commas, before the tags line", () => {
    const article = {
      ...BASE,
      relatedLinks: [{ title: "Russia, China Sign Energy Deal" }, { title: "Putin: 'We Are Ready'" }, { title: "Daesh, China, Syria" }],
      tags: ["Donald Trump"],
    };
    expect(parseDump(renderDump(article))).toEqual(ok(article));
  });

  it("trims tags, keeps multi-word tags and drops case-insensitive duplicates with a warning", () => {
    const lines = baseLines();
    lines[15] = "    Donald Trump ,  Syria,syria,, European Union, DONALD TRUMP ";
    expect(parseDump(lines.join("\n"))).toEqual(
      ok({ ...BASE, tags: ["Donald Trump", "Syria", "European Union"] }, [
        'line 16: duplicate tag "syria" dropped',
        'line 16: duplicate tag "DONALD TRUMP" dropped',
      ]),
    );
  });

  it("reads an article with no comments: the footer right after the chrome", () => {
    const article = { ...BASE, comments: [] };
    const text = renderDump(article);
    expect(text.split("\n").slice(-3)).toEqual(["    All comments", "", "    Show new comments (0)"]);
    expect(parseDump(text)).toEqual(ok(article));
  });

  it("collapses runs of blank lines between paragraphs", () => {
    const lines = baseLines();
    lines.splice(10, 0, "   ");
    lines.splice(10, 0, "");
    // Three blank lines in a row would end the body, so the extra blanks must stay inside the
    // paragraph separation: the last double blank ends the body.
    expect(parseDump(lines.join("\n"))).toEqual(ok(BASE));
  });
});

describe("parseDump: blank-line and chrome anomalies", () => {
  it("ignores a double blank between the tags line and the chrome", () => {
    const lines = baseLines();
    lines.splice(16, 0, "", "");
    expect(parseDump(lines.join("\n"))).toEqual(ok(BASE));
  });

  it("reads the body's last line as the tags line when the body's double blank is missing", () => {
    const lines = baseLines();
    lines.splice(12, 1);
    expect(parseDump(lines.join("\n"))).toEqual(
      ok({ ...BASE, paragraphs: ["First paragraph.", "Second paragraph.", "Related One"], relatedLinks: [] }, [
        "line 15: no double blank line after the body: related headlines, if any, were read as paragraphs",
      ]),
    );
  });

  it("still finds the thread when the discussion chrome is missing", () => {
    const lines = baseLines();
    lines.splice(16, 6);
    expect(parseDump(lines.join("\n"))).toEqual(ok(BASE, ["line 17: no discussion chrome ('Community standards', 'All comments') before the comments"]));
  });
});

describe("parseDump: datelines", () => {
  const cases: [string, string, string][] = [
    ["en dash", "MOSCOW (Sputnik) \u2013 China said.", "MOSCOW (Sputnik)"],
    ["em dash", "WASHINGTON (Sputnik) \u2014 US said.", "WASHINGTON (Sputnik)"],
    ["hyphen", "BEIJING (Sputnik) - Officials said.", "BEIJING (Sputnik)"],
    ["multi-word place", "NEW YORK (AP) \u2013 Markets fell.", "NEW YORK (AP)"],
    ["no agency", "ST. PETERSBURG \u2014 It snowed.", "ST. PETERSBURG"],
  ];
  it.each(cases)("strips a dateline with an %s", (_kind, paragraph, dateline) => {
    const lines = baseLines();
    lines[11] = `    ${paragraph}`;
    const rest = paragraph.slice(paragraph.search(/ [\u2013\u2014-] /) + 3);
    expect(parseDump(lines.join("\n"))).toEqual(ok({ ...BASE, dateline, paragraphs: ["First paragraph.", rest] }));
  });

  it("takes only the first dateline", () => {
    const lines = baseLines();
    lines[9] = "    MOSCOW (Sputnik) \u2013 First.";
    lines[11] = "    KIEV (Sputnik) \u2013 Second.";
    expect(parseDump(lines.join("\n"))).toEqual(ok({ ...BASE, dateline: "MOSCOW (Sputnik)", paragraphs: ["First.", "KIEV (Sputnik) \u2013 Second."] }));
  });

  it("leaves paragraphs alone that only look similar", () => {
    const paragraphs = [
      "A US-led coalition - as reported - struck targets.",
      "Moscow (Sputnik) \u2013 lower-case place names are not datelines.",
      "US-led strikes continued.",
      "NATO \u2013 beyond the third paragraph this is prose, not a dateline.",
    ];
    const article = { ...BASE, paragraphs };
    expect(parseDump(renderDump(article))).toEqual(ok(article));
  });
});

describe("parseDump: the publication time", () => {
  function withTime(timeLine: string): ParsedDump | DumpError {
    const lines = baseLines();
    lines[0] = timeLine;
    return parseDump(lines.join("\n"));
  }
  const at = (iso: string): ParsedArticle => ({ ...BASE, publishedAt: new Date(iso) });

  it.each([
    ["15:50 GMT +324 February 2017", "2017-02-24T12:50:00.000Z"],
    ["08:05 GMT +37 April 2017", "2017-04-07T05:05:00.000Z"],
    ["08:05 GMT +303 March 2017", "2017-03-03T05:05:00.000Z"],
    ["09:05 GMT -514 June 2017", "2017-06-14T14:05:00.000Z"],
    ["23:30 GMT -1231 December 2016", "2017-01-01T11:30:00.000Z"],
    ["06:00 GMT +1402 May 2017", "2017-05-01T16:00:00.000Z"],
    ["12:00 GMT +05 May 2017", "2017-05-05T12:00:00.000Z"],
    ["00:30 GMT +31 March 2017", "2017-02-28T21:30:00.000Z"],
    ["01:15 GMT +31 January 2018", "2017-12-31T22:15:00.000Z"],
    ["00:10 GMT +329 February 2016", "2016-02-28T21:10:00.000Z"],
  ])("reads %s as %s", (timeLine, iso) => {
    expect(withTime(timeLine)).toEqual(ok(at(iso)));
  });

  it("prefers the one-digit offset when the glued digits split two ways, and says so", () => {
    expect(withTime("10:00 GMT +112 May 2017")).toEqual(
      ok(at("2017-05-12T09:00:00.000Z"), ['line 1: ambiguous GMT offset and day "+112": read as GMT+1, day 12 (GMT+11, day 2 would also fit)']),
    );
  });

  it("rejects impossible dates, times and offsets on line 1", () => {
    expectError(
      withTime("15:50 GMT +331 February 2017"),
      1,
      'invalid publication time "15:50 GMT +331 February 2017": "+331" splits into no GMT offset (-12..+14) and day of February 2017',
    );
    expectError(withTime("15:50 GMT +329 February 2017"), 1, /splits into no GMT offset/);
    expectError(withTime("15:50 GMT +1532 May 2017"), 1, /splits into no GMT offset/);
    expectError(withTime("25:50 GMT +324 May 2017"), 1, /no such time of day 25:50/);
    expectError(withTime("15:50 GMT +324 Smarch 2017"), 1, /unknown month "Smarch"/);
  });
});

describe("parseDump: comments", () => {
  it("tells display names from text: a name is the first avatar line followed directly by more", () => {
    const article = {
      ...BASE,
      comments: [
        comment("Дмитрий Соколов", true, "Первый абзац.\n\nВторой абзац."),
        comment("王小明", true, "中文评论"),
        comment("José Álvarez-Peña", true, "line one\nline two"),
        comment(null, true, "A single line after the avatar is text, not a name."),
        comment(null, true, "First paragraph of an anonymous comment.\n\nSecond one."),
        comment(null, false, "Bullet-line text\ncontinued on a deeper line\n\nand a second paragraph."),
      ],
    };
    expect(parseDump(renderDump(article))).toEqual(ok(article));
  });

  it("keeps bullets, URLs, emoji, quotes, 'All comments' and footer-like text inside bodies", () => {
    const article = {
      ...BASE,
      comments: [
        comment("x", true, "• not a new comment\nAll comments\nShow new comments (3)"),
        comment(null, false, 'see https://example.org/a?b=1&c="2" 😀 — «quoted»'),
        comment(null, true, "• avatar\n\nCommunity standardsDiscussion"),
      ],
    };
    expect(parseDump(renderDump(article))).toEqual(ok(article));
  });

  it("keeps relative indentation inside a comment and strips the comment's own", () => {
    const lines = baseLines();
    lines.splice(24, 1, "      Hello:", "          indented code", "      back.");
    expect(parseDump(lines.join("\n"))).toEqual(ok({ ...BASE, comments: [comment("Ann", true, "Hello:\n    indented code\nback."), BASE.comments[1]] }));
  });

  it("keeps a stray unindented line inside the thread as comment text, with a warning", () => {
    const lines = baseLines();
    lines.splice(25, 0, "    Stray line");
    expect(parseDump(lines.join("\n"))).toEqual(
      ok({ ...BASE, comments: [comment("Ann", true, "Hello.\nStray line"), BASE.comments[1]] }, [
        'line 26: unindented line kept as text of comment 1: "Stray line"',
      ]),
    );
  });

  it("warns about a line between the chrome and the first comment, and drops empty comments", () => {
    const lines = baseLines();
    lines.splice(22, 0, "    Sort by: newest", "    • avatar");
    expect(parseDump(lines.join("\n"))).toEqual(
      ok(BASE, ['line 23: unrecognised line before the first comment: "Sort by: newest"', "line 24: comment 1 has no text and was dropped"]),
    );
  });

  it("reads a long first line running into the next as text, not as a name", () => {
    const long = "x".repeat(80);
    const lines = baseLines();
    lines[23] = `      ${long}`;
    expect(parseDump(lines.join("\n"))).toEqual(ok({ ...BASE, comments: [comment(null, true, `${long}\nHello.`), BASE.comments[1]] }));
  });

  it("works out the outer indentation instead of assuming four spaces", () => {
    const text = renderDump(BASE)
      .split("\n")
      .map((l) => l.replace(/^ {4}/, "  "))
      .join("\n");
    expect(parseDump(text)).toEqual(ok(BASE));
  });
});

describe("parseDump: header anomalies", () => {
  it("warns when the section is missing", () => {
    const lines = baseLines();
    lines.splice(6, 1);
    expect(parseDump(lines.join("\n"))).toEqual(ok({ ...BASE, section: null }, ["line 7: no section line above 'Get short URL'"]));
  });

  it("warns about extra header lines, quoting them (cut to 80 characters)", () => {
    const lines = baseLines();
    const extra = `Updated ${"y".repeat(100)}`;
    lines.splice(1, 0, `    ${extra}`);
    expect(parseDump(lines.join("\n"))).toEqual(ok(BASE, [`line 2: unrecognised header line left out: ${JSON.stringify(`${extra.slice(0, 79)}…`)}`]));
  });

  it("warns about a caption without a credit line", () => {
    const lines = baseLines();
    lines.splice(5, 1);
    expect(parseDump(lines.join("\n"))).toEqual(ok({ ...BASE, imageCredit: null }, ['line 2: photo caption without a © credit line: "A caption"']));
  });

  it("guesses the end of the header when 'Get short URL' is missing", () => {
    const lines = baseLines();
    lines.splice(7, 1);
    expect(parseDump(lines.join("\n"))).toEqual(ok(BASE, ["no 'Get short URL' line: the header was taken to end at line 7"]));
  });
});

describe("parseDump: truncated dumps", () => {
  const text = renderDump(BASE);
  const cutAfter = (marker: string): string => text.slice(0, text.indexOf(marker) + marker.length);

  it("imports a dump cut inside the body", () => {
    expect(parseDump(cutAfter("Second para"))).toEqual(
      ok({ ...BASE, paragraphs: ["First paragraph.", "Second para"], relatedLinks: [], tags: [], comments: [] }, [
        "no tags line: the dump looks truncated (it ends inside the body at line 12)",
      ]),
    );
  });

  it("imports a dump cut in the related headlines, keeping them as headlines", () => {
    expect(parseDump(cutAfter("Related One"))).toEqual(
      ok({ ...BASE, tags: [], comments: [] }, ["no tags line: the dump looks truncated (it ends after the related headlines at line 15)"]),
    );
  });

  it("imports a dump cut in the discussion chrome", () => {
    expect(parseDump(cutAfter("Comment via Sputnik"))).toEqual(
      ok({ ...BASE, comments: [] }, ["no 'Show new comments' footer: the dump looks truncated after line 18"]),
    );
  });

  it("imports a dump cut inside a comment", () => {
    expect(parseDump(cutAfter("Hel"))).toEqual(
      ok({ ...BASE, comments: [comment("Ann", true, "Hel")] }, [
        "no 'Show new comments' footer: the dump looks truncated after line 25; the last comment may be incomplete",
      ]),
    );
  });

  it("rejects a dump cut before any body", () => {
    expectError(parseDump(cutAfter("Get short URL")), 8, "no body paragraphs after the header");
    expectError(parseDump(cutAfter("12:00 GMT +310 March 2017\n")), 1, "no title: the dump ends after the publication time");
    expectError(parseDump(cutAfter("Test Title")), 4, "no 'Get short URL' line and no discussion: the dump looks cut off inside the header");
  });
});

describe("parseDump: inputs that are not dumps", () => {
  const bad = (name: string): string => readFileSync(join(BAD_DUMPS_DIR, name), "utf8");

  it("rejects an empty file, whitespace and a lone BOM", () => {
    for (const text of [bad("empty.txt"), "", "  \n\r\n\t", "\uFEFF", "\uFEFF\u00A0\n"]) {
      expectError(parseDump(text, "empty.txt"), null, "empty file");
    }
  });

  it("rejects a stray note on line 1 and names the file in the message", () => {
    const result = parseDump(bad("stray-note.txt"), "stray-note.txt");
    const reason =
      "expected a publication time like '15:50 GMT +324 February 2017', found " + '"Note to self: re-run the scraper for the March articles, the download"';
    expectError(result, 1, reason);
    expect((result as DumpError).file).toBe("stray-note.txt");
    expect((result as DumpError).message).toBe(`stray-note.txt: line 1: ${reason}`);
  });

  it("rejects binary junk", () => {
    const result = parseDump(bad("binary-junk.txt"), "binary-junk.txt");
    expect(result).toBeInstanceOf(DumpError);
    expect((result as DumpError).reason).toMatch(/^binary data/);
    expectError(parseDump("15:50 GMT +324 February 2017\n    Title\n\0\0"), 3, "binary data (NUL bytes): not a text dump");
    const mojibake = parseDump("\uFFFD\uFFFD\uFFFDa\uFFFD\uFFFD\n\uFFFD\uFFFD", "x.txt");
    expectError(mojibake, null, "binary data (mostly undecodable bytes): not a text dump");
    expect((mojibake as DumpError).message).toBe("x.txt: binary data (mostly undecodable bytes): not a text dump");
  });

  it("rejects a dump whose time line is broken, at line 1", () => {
    expectError(
      parseDump(bad("broken-time-line.txt"), "broken-time-line.txt"),
      1,
      'invalid publication time "15:50 GMT +331 February 2017": "+331" splits into no GMT offset (-12..+14) and day of February 2017',
    );
  });

  it("rejects a header without a title", () => {
    expectError(
      parseDump("15:50 GMT +324 February 2017\n    © Sputnik\n    World\n    Get short URL\n\n    Body."),
      4,
      "no title line above the photo credit or section",
    );
  });
});

describe("parseDump: text the database cannot store as given", () => {
  const LONE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
  const fix = (s: string) => s.replace(LONE, "\uFFFD");

  it("replaces lone UTF-16 surrogates in every field with U+FFFD, warning once per line", () => {
    const article: ParsedArticle = {
      ...BASE,
      title: "Title \uD800 high",
      section: "World \uDC00",
      imageCaption: "Caption \uDBFF",
      paragraphs: ["First \uDFFF paragraph.", "Second 😀 paragraph, a pair left alone."],
      relatedLinks: [{ title: "Related \uD83D" }],
      tags: ["Russia\uDE00", "China"],
      comments: [comment("Ann\uD800", true, "Hello \uDC01."), comment(null, false, "Plain 🇷🇺.")],
    };
    const text = renderDump(article);
    const lines = text.split("\n");
    const affected = lines.flatMap((line, i) => (line.search(LONE) >= 0 ? [i + 1] : []));
    expect(affected).toHaveLength(8);
    const fixed: ParsedArticle = {
      ...article,
      title: fix(article.title),
      section: fix(article.section as string),
      imageCaption: fix(article.imageCaption as string),
      paragraphs: article.paragraphs.map(fix),
      relatedLinks: article.relatedLinks.map((link) => ({ title: fix(link.title) })),
      tags: article.tags.map(fix),
      comments: article.comments.map((c) => ({ ...c, author: c.author === null ? null : fix(c.author), body: fix(c.body) })),
    };
    expect(parseDump(text)).toEqual(
      ok(
        fixed,
        affected.map((n) => `line ${n}: unpaired UTF-16 surrogate replaced with U+FFFD`),
      ),
    );
    // What was replaced parses to the same article, with nothing left to warn about.
    expect(parseDump(fix(text))).toEqual(ok(fixed));
  });

  it("refuses NUL anywhere, naming its line, rather than store text one engine cannot hold", () => {
    const lines = baseLines();
    const at = lines.findIndex((line) => line.includes("Hello."));
    lines[at] = lines[at].replace("Hello.", "Hel\u0000lo.");
    expectError(parseDump(lines.join("\n")), at + 1, "binary data (NUL bytes): not a text dump");
  });
});
