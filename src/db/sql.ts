import { DataSource, EntityManager } from "typeorm";
import { DateUtils } from "typeorm/util/DateUtils";
import { types as pgTypes } from "pg";
import { preparedStatementsOf } from "./prepared-statements";

/**
 * A SQL fragment with its parameters in order. Built with the `sql` tag so
 * placeholders and values can never drift apart; `run` turns the `?`
 * placeholders into `$n` for PostgreSQL.
 */
export class Sql {
  constructor(
    readonly text: string,
    readonly params: unknown[],
  ) {}
}

/** Trusted SQL text (identifiers, keywords) spliced into a `sql` template. */
export class Raw {
  constructor(readonly text: string) {}
}

export function raw(text: string): Raw {
  return new Raw(text);
}

type SqlValue = Sql | Raw | string | number | boolean | null | Date;

export function sql(strings: TemplateStringsArray, ...values: SqlValue[]): Sql {
  let text = strings[0];
  const params: unknown[] = [];
  values.forEach((value, index) => {
    if (value instanceof Sql) {
      text += value.text;
      params.push(...value.params);
    } else if (value instanceof Raw) {
      text += value.text;
    } else {
      text += "?";
      params.push(value);
    }
    text += strings[index + 1];
  });
  return new Sql(text, params);
}

export function join(parts: Sql[], separator: string): Sql {
  return new Sql(
    parts.map((part) => part.text).join(separator),
    parts.flatMap((part) => part.params),
  );
}

/** `(?, ?, ?)` for an IN list. Callers keep lists below the engines' parameter limits. */
export function list(values: (number | string)[]): Sql {
  return new Sql(`(${values.map(() => "?").join(", ")})`, values);
}

/** Double-quoted identifier: both engines accept it, and PostgreSQL keeps the camelCase. */
export function ident(name: string): Raw {
  return raw(`"${name.replace(/"/g, '""')}"`);
}

function toDriverValue(dataSource: DataSource, value: unknown): unknown {
  if (value instanceof Date && dataSource.options.type !== "postgres") {
    // Same text form TypeORM writes, so comparisons in SQLite stay textual.
    return DateUtils.mixedDateToUtcDatetimeString(value);
  }
  if (typeof value === "boolean" && dataSource.options.type !== "postgres") return value ? 1 : 0;
  return value;
}

export interface RunOptions {
  /**
   * The statement's parameters are keys (ids, slugs, parents, cursor values), so PostgreSQL may
   * keep it prepared and plan it once for any of them (db/prepared-statements.ts). Not for a
   * search or a filter whose best plan depends on the value.
   */
  prepare?: boolean;
}

/**
 * Runs a statement on a DataSource, or inside a transaction when given its EntityManager (a
 * DataSource would take another connection of PostgreSQL's pool, outside the transaction).
 */
export async function run<T = Record<string, unknown>>(target: DataSource | EntityManager, query: Sql, options?: RunOptions): Promise<T[]> {
  const dataSource = target instanceof EntityManager ? target.connection : target;
  let text = query.text;
  if (dataSource.options.type === "postgres") {
    let n = 0;
    text = text.replace(/\?/g, () => `$${++n}`);
  }
  const params = query.params.map((value) => toDriverValue(dataSource, value));
  const prepared = options?.prepare && target === dataSource ? preparedStatementsOf(dataSource) : undefined;
  if (prepared) return (await prepared.run(dataSource, text, params)) as T[];
  return (await target.query(text, params)) as T[];
}

/**
 * A timestamp as either engine returns it, as a Date: SQLite's text, or PostgreSQL's
 * `timestamptz` as a Date or as its text (named statements take it as text, so that a column no
 * field reads, such as a list's sort key, is never parsed: db/prepared-statements.ts).
 */
export function readDate(value: unknown): Date {
  if (value instanceof Date) return value;
  const text = String(value);
  const time = sqliteTime(text) ?? postgresTime(text);
  if (time !== null) return new Date(time);
  if (POSTGRES_TEXT.test(text)) {
    const parsed = parsePostgresTimestamp(text) as Date | number | null;
    return parsed instanceof Date ? parsed : new Date(parsed ?? Number.NaN);
  }
  return new Date(/Z|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(" ", "T")}Z`);
}

/** How PostgreSQL writes a `timestamptz` that postgresTime leaves to node-postgres's own parser (BC, infinity, other forms). */
const POSTGRES_TEXT = /[+-]\d\d(?::\d\d){0,2}$|infinity$| BC$/;
const parsePostgresTimestamp = pgTypes.getTypeParser(pgTypes.builtins.TIMESTAMPTZ, "text");

/**
 * Milliseconds since the epoch of PostgreSQL's text of a `timestamptz` in its usual form,
 * "YYYY-MM-DD HH:MM:SS[.ffffff]+HH[:MM[:SS]]", worked out as node-postgres's parser
 * (postgres-date) works it out, to the same value (tests/db/read-date.test.ts); null for any other
 * text (a year before 100 or after 9999, BC, infinity), which goes to that parser itself.
 */
function postgresTime(text: string): number | null {
  if (text.length < 22 || !startsInForm(text, 19)) return null;
  let at = 19;
  let ms = 0;
  if (text.charCodeAt(at) === 46 /* . */) {
    const from = at;
    at += 1;
    while (at < text.length && isDigit(text.charCodeAt(at))) at += 1;
    if (at === from + 1) return null;
    ms = 1000 * parseFloat(text.slice(from, at));
  }
  const sign = text.charCodeAt(at);
  if (sign !== 43 /* + */ && sign !== 45 /* - */) return null;
  // The offset: hours, then ":MM" and ":SS" if there.
  let offset = 0;
  let unit = 3600;
  at += 1;
  for (let part = 0; part < 3 && at < text.length; part++) {
    if (part > 0) {
      if (text.charCodeAt(at) !== 58 /* : */) return null;
      at += 1;
    }
    if (at + 2 > text.length || !isDigit(text.charCodeAt(at)) || !isDigit(text.charCodeAt(at + 1))) return null;
    offset += digits(text, at, at + 2) * unit;
    unit /= 60;
    at += 2;
  }
  if (at !== text.length || unit === 3600) return null;
  const year = digits(text, 0, 4);
  if (year < 100) return null;
  const utc = Date.UTC(year, digits(text, 5, 7) - 1, digits(text, 8, 10), digits(text, 11, 13), digits(text, 14, 16), digits(text, 17, 19), ms);
  return utc - (sign === 45 ? -offset : offset) * 1000;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/**
 * Milliseconds since the epoch of SQLite's own form of a UTC timestamp, "YYYY-MM-DD HH:MM:SS.SSS"
 * (how TypeORM stores a Date there), or null for any other text. Read digit by digit: every row
 * of every list carries one, and a regular expression and a second string for each cost more
 * than the rest of the row.
 */
function sqliteTime(text: string): number | null {
  if (text.length !== 23 || !startsInForm(text, 23)) return null;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 7);
  const day = digits(text, 8, 10);
  const hour = digits(text, 11, 13);
  const minute = digits(text, 14, 16);
  const second = digits(text, 17, 19);
  // What Date's own parser would refuse stays with it, so both give the same answer; so do years
  // before 100, which Date.UTC would read as 19xx.
  if (year < 100 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null;
  return Date.UTC(year, month - 1, day, hour, minute, second, digits(text, 20, 23));
}

/** "#" stands for a digit. */
const SQLITE_TIME_FORM = "####-##-## ##:##:##.###";
const DIGIT = 35;

/** Whether the first `length` characters of `text` are in SQLITE_TIME_FORM ("YYYY-MM-DD HH:MM:SS" for 19, PostgreSQL's too). */
function startsInForm(text: string, length: number): boolean {
  for (let i = 0; i < length; i++) {
    const expected = SQLITE_TIME_FORM.charCodeAt(i);
    if (expected === DIGIT ? !isDigit(text.charCodeAt(i)) : text.charCodeAt(i) !== expected) return false;
  }
  return true;
}

function digits(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) value = value * 10 + text.charCodeAt(i) - 48;
  return value;
}
