import { parseDump } from "../../src/ingest/parse-dump";
import { renderDump, renderTimeLine } from "../../src/ingest/render-dump";
import { BASE, REAL_SEED, REAL_SEED_ARTICLE, readSeed } from "./dump-fixtures";

describe("renderDump", () => {
  it("writes the real seed's layout byte for byte (spaces normalised, dateline on the first paragraph)", () => {
    const expected = readSeed(REAL_SEED)
      .replace(/\u00A0/g, " ")
      .replace("MOSCOW (Sputnik) \u2013 China is", "China is")
      .replace("    China could join", "    MOSCOW (Sputnik) \u2013 China could join");
    expect(renderDump(REAL_SEED_ARTICLE)).toBe(expected);
  });

  it("writes CRLF and a BOM on request", () => {
    const text = renderDump(BASE, { crlf: true, bom: true });
    expect(text.startsWith("\uFEFF12:00 GMT +310 March 2017\r\n")).toBe(true);
    expect(text.split("\r\n")).toEqual(
      renderDump(BASE)
        .split("\n")
        .map((l, i) => (i === 0 ? `\uFEFF${l}` : l)),
    );
    expect(parseDump(text)).toEqual({ article: BASE, warnings: [] });
  });

  it("glues offset and day so that they read back one way only", () => {
    const at = new Date("2017-05-01T16:00:00.000Z");
    expect(renderTimeLine(at, 3)).toBe("19:00 GMT +31 May 2017");
    expect(renderTimeLine(at, 14)).toBe("06:00 GMT +1402 May 2017");
    expect(renderTimeLine(at, -5)).toBe("11:00 GMT -51 May 2017");
    expect(renderTimeLine(at, 0)).toBe("16:00 GMT +01 May 2017");
    expect(renderTimeLine(new Date("2017-12-31T22:15:00.000Z"), 3)).toBe("01:15 GMT +31 January 2018");
  });
});
