/**
 * MAX_SELECTED_COLUMNS (src/read/rows.ts): sqlite3 builds a row by setting one property per
 * column, and from some width on V8 keeps the object as a dictionary, which every list then pays
 * for. The limit is checked against the installed sqlite3 and V8, in a child node that may ask V8
 * (--allow-natives-syntax), and every row shape and the widest list statement keep within it.
 */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import * as rows from "../../src/read/rows";
import { MAX_SELECTED_COLUMNS, RowShape } from "../../src/read/rows";

/** Whether a row of `width` columns, as sqlite3 answers it, is a fast object (not a dictionary). */
function fastRowWidths(widths: number[]): boolean[] {
  const script = `
    const sqlite3 = require(${JSON.stringify(resolve(__dirname, "../../node_modules/sqlite3"))});
    const db = new sqlite3.Database(":memory:");
    const widths = ${JSON.stringify(widths)};
    (async () => {
      const fast = [];
      for (const width of widths) {
        const columns = Array.from({ length: width }, (_, i) => i + " AS c" + i).join(", ");
        const [row] = await new Promise((done, fail) => db.all("SELECT " + columns, (error, found) => (error ? fail(error) : done(found))));
        fast.push(%HasFastProperties(row));
      }
      process.stdout.write(JSON.stringify(fast));
      db.close();
    })();
  `;
  const child = spawnSync(process.execPath, ["--allow-natives-syntax", "-e", script], { encoding: "utf8" });
  if (child.status !== 0) throw new Error(`the child node failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as boolean[];
}

describe("the width of a row the read path selects", () => {
  it(`is fast up to MAX_SELECTED_COLUMNS (${MAX_SELECTED_COLUMNS}) columns, and a dictionary past it`, () => {
    expect(fastRowWidths([MAX_SELECTED_COLUMNS, MAX_SELECTED_COLUMNS + 1])).toEqual([true, false]);
  });

  it("keeps every row shape within the limit, with room for a list's sort keys", () => {
    const shapes = (Object.entries(rows) as [string, unknown][]).filter(
      (entry): entry is [string, RowShape<unknown>] => typeof entry[1] === "object" && entry[1] !== null && "width" in entry[1],
    );
    expect(shapes.map(([name]) => name)).toEqual(expect.arrayContaining(["articleRows", "commentRows", "authorRows"]));
    for (const [name, shape] of shapes) {
      expect({ name, width: shape.width }).toEqual({ name, width: expect.any(Number) });
      expect(shape.width).toBeLessThanOrEqual(MAX_SELECTED_COLUMNS);
      // `width` is the number of columns the statement text names.
      expect(shape.columns.text.split(", ").length).toBe(shape.width);
    }
    // The article lists (the busiest) read their rows in the page statement: the shape, and up to
    // three sort keys.
    expect(rows.articleRows.width + 3).toBeLessThanOrEqual(MAX_SELECTED_COLUMNS);
  });

  it("builds an entity from a row with every column read as the entity declares it", () => {
    const article = rows.articleRows.build({
      id: "7",
      slug: "a-slug",
      url: null,
      externalId: "ext-7",
      title: "A title",
      section: null,
      publishedAt: "2024-01-02 03:04:05.678",
      imageCaption: null,
      imageCredit: "Credit",
      dateline: null,
      wordCount: "120",
      commentCount: 3,
      moderation: null,
    });
    expect(article.constructor.name).toBe("Article");
    expect(article).toMatchObject({ id: 7, slug: "a-slug", url: null, externalId: "ext-7", wordCount: 120, commentCount: 3, imageCredit: "Credit" });
    expect(article.publishedAt.toISOString()).toBe("2024-01-02T03:04:05.678Z");
  });
});
