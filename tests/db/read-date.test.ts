/**
 * readDate (src/db/sql.ts) reads SQLite's own timestamp form, and PostgreSQL's text of a
 * `timestamptz` (what named statements answer), digit by digit; other forms go through Date's
 * parser, or node-postgres's for PostgreSQL's. Each must give the instant its parser gives.
 */
import fc from "fast-check";
import { Pool, types } from "pg";
import { TIMESTAMPS_AS_TEXT } from "../../src/db/prepared-statements";
import { readDate, run, sql } from "../../src/db/sql";
import { engines, openTestDatabase, TestDatabase } from "../helpers/databases";

/** node-postgres's own reading of a `timestamptz` (postgres-date), as a Date. */
const pgParse = types.getTypeParser(types.builtins.TIMESTAMPTZ, "text") as (text: string) => Date | number | null;

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

  it("reads PostgreSQL's text of a timestamptz as node-postgres does, in any zone and precision", () => {
    const offset = fc.record({
      sign: fc.constantFrom("+", "-"),
      hours: fc.integer({ min: 0, max: 15 }),
      minutes: fc.constantFrom(null, 0, 30, 45, 59),
      seconds: fc.constantFrom(null, 0, 17),
    });
    fc.assert(
      fc.property(
        fc.date({ min: new Date("0100-01-02T00:00:00Z"), max: new Date("9999-12-30T00:00:00Z"), noInvalidDate: true }),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 0, max: 999_999 }),
        offset,
        (date, digits, micros, zone) => {
          const fraction = digits === 0 ? "" : `.${pad(micros, 6).slice(0, digits)}`;
          let suffix = `${zone.sign}${pad(zone.hours, 2)}`;
          if (zone.minutes !== null) suffix += `:${pad(zone.minutes, 2)}${zone.seconds !== null ? `:${pad(zone.seconds, 2)}` : ""}`;
          const text = `${date.toISOString().slice(0, 19).replace("T", " ")}${fraction}${suffix}`;
          expect(readDate(text).getTime()).toBe((pgParse(text) as Date).getTime());
        },
      ),
    );
  });

  it("reads PostgreSQL's other forms through node-postgres's parser", () => {
    for (const text of ["0099-06-01 12:00:00+00", "0001-01-01 00:00:00+00 BC", "12345-01-01 00:00:00+00", "2024-05-06 07:08:09.5-03:30"]) {
      expect(readDate(text).getTime()).toBe((pgParse(text) as Date).getTime());
    }
    expect(readDate("infinity").getTime()).toBeNaN();
  });
});

const onPostgres = engines.includes("postgres") ? describe : describe.skip;

onPostgres("readDate on PostgreSQL's answers", () => {
  const instants = ["2024-02-29 23:59:59.999+00", "1950-06-01 12:00:00+00", "2030-06-15 08:30:00.001+00", "0150-03-01 00:00:00+00"];
  const query = sql`SELECT CAST(t AS timestamptz) AS at FROM unnest(CAST(${`{${instants.join(",")}}`} AS text[])) t`;
  const text = query.text.replace("?", "$1");
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase("postgres");
  });
  afterAll(() => db.close());

  it("answers a named statement's timestamps as text, read as the instants TypeORM reads", async () => {
    const expected = (await db.dataSource.query(text, query.params)) as { at: Date }[];
    for (let round = 0; round < 3; round++) {
      const rows = await run(db.dataSource, query, { prepare: true });
      expect(rows.map((row) => typeof row.at)).toEqual(instants.map(() => "string"));
      expect(rows.map((row) => readDate(row.at).getTime())).toEqual(expected.map((row) => row.at.getTime()));
    }
  });

  it("reads the text of every session zone as node-postgres reads it", async () => {
    const pool = (db.dataSource.driver as unknown as { master: Pool }).master;
    const client = await pool.connect();
    try {
      // The session's zone decides the offset PostgreSQL writes (Monrovia's was -00:44:30 in 1950).
      for (const zone of ["UTC", "Asia/Kolkata", "America/St_Johns", "Africa/Monrovia", "Pacific/Chatham"]) {
        await client.query(`SET TimeZone TO '${zone}'`);
        const parsed = (await client.query<{ at: Date }>(text, query.params)).rows;
        const texts = (await client.query<{ at: string }>({ text, values: query.params, types: TIMESTAMPS_AS_TEXT })).rows;
        expect(texts.map((row) => readDate(row.at).getTime())).toEqual(parsed.map((row) => row.at.getTime()));
      }
    } finally {
      await client.query("RESET TimeZone");
      client.release();
    }
  });
});
