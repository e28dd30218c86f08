/**
 * readDate (src/db/sql.ts) reads SQLite's own timestamp form digit by digit; every other form goes
 * through Date's parser. Both must give the same instant for the same text.
 */
import fc from "fast-check";
import { readDate } from "../../src/db/sql";

/** Date's own reading of a timestamp without a zone, taken as UTC (what readDate did before). */
function parsed(text: string): number {
  return new Date(/Z|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(" ", "T")}Z`).getTime();
}

const pad = (value: number, width: number) => String(value).padStart(width, "0");

describe("readDate", () => {
  it("reads SQLite's form as Date's parser does, for any instant it can hold", () => {
    fc.assert(
      fc.property(fc.date({ min: new Date("0100-01-01T00:00:00Z"), max: new Date("9999-12-31T23:59:59.999Z"), noInvalidDate: true }), (date) => {
        const text = date.toISOString().replace("T", " ").replace("Z", "");
        expect(readDate(text).getTime()).toBe(date.getTime());
        expect(readDate(text).getTime()).toBe(parsed(text));
      }),
    );
  });

  it("gives the parser's answer for text of that length that is not a valid timestamp", () => {
    const field = (max: number, width: number) => fc.integer({ min: 0, max }).map((value) => pad(value, width));
    fc.assert(
      fc.property(field(9999, 4), field(99, 2), field(99, 2), field(99, 2), field(99, 2), field(99, 2), field(999, 3), (y, mo, d, h, mi, s, ms) => {
        const text = `${y}-${mo}-${d} ${h}:${mi}:${s}.${ms}`;
        const expected = parsed(text);
        const actual = readDate(text).getTime();
        if (Number.isNaN(expected)) expect(actual).toBeNaN();
        else expect(actual).toBe(expected);
      }),
    );
  });

  it("reads other forms and Date values as before", () => {
    const date = new Date("2024-05-06T07:08:09.010Z");
    expect(readDate(date)).toBe(date);
    for (const text of [
      "2024-05-06T07:08:09.010Z",
      "2024-05-06 07:08:09",
      "2024-05-06 07:08:09.010+02:00",
      "2024-05-06 07:08:09+0000",
      "0099-01-01 00:00:00.000",
      "2024-05-06 07:08:09.01x",
    ]) {
      const actual = readDate(text).getTime();
      const expected = parsed(text);
      if (Number.isNaN(expected)) expect(actual).toBeNaN();
      else expect(actual).toBe(expected);
    }
  });
});
