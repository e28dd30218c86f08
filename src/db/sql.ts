import { DataSource, EntityManager } from "typeorm";
import { DateUtils } from "typeorm/util/DateUtils";

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

/**
 * Runs a statement on a DataSource, or inside a transaction when given its EntityManager (a
 * DataSource would take another connection of PostgreSQL's pool, outside the transaction).
 */
export async function run<T = Record<string, unknown>>(target: DataSource | EntityManager, query: Sql): Promise<T[]> {
  const dataSource = target instanceof EntityManager ? target.connection : target;
  let text = query.text;
  if (dataSource.options.type === "postgres") {
    let n = 0;
    text = text.replace(/\?/g, () => `$${++n}`);
  }
  const params = query.params.map((value) => toDriverValue(dataSource, value));
  return (await target.query(text, params)) as T[];
}

/** A timestamp as either engine returns it, as a Date. */
export function readDate(value: unknown): Date {
  if (value instanceof Date) return value;
  const text = String(value);
  return new Date(/Z|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(" ", "T")}Z`);
}
