/**
 * A rule on a row, written once and read two ways: as a SQL condition (lists, counts, caps) and as
 * a JavaScript predicate (a row already loaded). Both are compiled from the same tree, so the SQL
 * a list runs and the check a field makes cannot disagree.
 */
import { join, raw, Sql, sql } from "../db/sql";

type Value = string | number | boolean;

export type Rule<R> =
  | { kind: "always"; holds: boolean }
  | { kind: "equals"; column: keyof R & string; value: Value }
  | { kind: "above"; column: keyof R & string; value: number }
  | { kind: "isSet"; column: keyof R & string }
  | { kind: "isNull"; column: keyof R & string }
  | { kind: "all" | "any"; rules: Rule<R>[] };

export const always = <R>(holds: boolean): Rule<R> => ({ kind: "always", holds });
export const equals = <R>(column: keyof R & string, value: Value): Rule<R> => ({ kind: "equals", column, value });
export const above = <R>(column: keyof R & string, value: number): Rule<R> => ({ kind: "above", column, value });
export const isSet = <R>(column: keyof R & string): Rule<R> => ({ kind: "isSet", column });
export const isNull = <R>(column: keyof R & string): Rule<R> => ({ kind: "isNull", column });
export const all = <R>(...rules: Rule<R>[]): Rule<R> => ({ kind: "all", rules });
export const any = <R>(...rules: Rule<R>[]): Rule<R> => ({ kind: "any", rules });

/** The rule as a SQL condition on the table under `alias` (none: bare column names). */
export function ruleSql<R>(rule: Rule<R>, alias: string | null = null): Sql {
  const column = (name: string) => raw(alias === null ? `"${name}"` : `${alias}."${name}"`);
  switch (rule.kind) {
    case "always":
      return rule.holds ? sql`1 = 1` : sql`1 = 0`;
    case "equals":
      return sql`${column(rule.column)} = ${rule.value}`;
    case "above":
      // A literal, as the statements were tuned with; the value is an integer this module wrote.
      if (!Number.isSafeInteger(rule.value)) throw new Error(`not an integer: ${rule.value}`);
      return sql`${column(rule.column)} > ${raw(String(rule.value))}`;
    case "isSet":
      return sql`${column(rule.column)} IS NOT NULL`;
    case "isNull":
      return sql`${column(rule.column)} IS NULL`;
    case "all":
    case "any":
      if (rule.rules.length === 0) return ruleSql(always<R>(rule.kind === "all"), alias);
      return sql`(${join(
        rule.rules.map((part) => ruleSql(part, alias)),
        rule.kind === "all" ? " AND " : " OR ",
      )})`;
  }
}

/** Whether a loaded row passes the rule: what ruleSql's condition says of the same row. */
export function ruleHolds<R>(rule: Rule<R>, row: R): boolean {
  switch (rule.kind) {
    case "always":
      return rule.holds;
    case "equals":
      // SQLite hands booleans back as 0 and 1.
      return typeof rule.value === "boolean" ? Boolean(row[rule.column]) === rule.value : row[rule.column] === rule.value;
    case "above":
      return Number(row[rule.column]) > rule.value;
    case "isSet":
      return row[rule.column] !== null && row[rule.column] !== undefined;
    case "isNull":
      return row[rule.column] === null || row[rule.column] === undefined;
    case "all":
      return rule.rules.every((part) => ruleHolds(part, row));
    case "any":
      return rule.rules.some((part) => ruleHolds(part, row));
  }
}
