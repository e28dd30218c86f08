import { ClassType, Field, Int, ObjectType } from "type-graphql";
import { userError } from "../errors";

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

@ObjectType({ description: "Relay page information." })
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage: boolean;

  @Field(() => Boolean)
  hasPreviousPage: boolean;

  @Field(() => String, { nullable: true })
  startCursor: string | null;

  @Field(() => String, { nullable: true })
  endCursor: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

/** What a page query returns; resolvers hand it to GraphQL as a connection. */
export interface Page<T> {
  edges: Edge<T>[];
  nodes: T[];
  pageInfo: PageInfo;
  /** A getter, so the count is only queried when a client asks for totalCount. */
  readonly totalCount: Promise<number>;
}

/**
 * A Relay connection type for `nodeType`, named `${name}Connection` with
 * `${name}Edge` edges.
 */
export function connectionType<T extends object>(nodeType: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`)
  class EdgeType {
    @Field(() => String, { description: "Opaque; pass it to after or before." })
    cursor: string;

    @Field(() => nodeType)
    node: T;
  }

  @ObjectType(`${name}Connection`)
  class ConnectionType {
    @Field(() => [EdgeType])
    edges: EdgeType[];

    @Field(() => [nodeType], { description: "The edges' nodes, for clients that need no cursors." })
    nodes: T[];

    @Field(() => PageInfo)
    pageInfo: PageInfo;

    @Field(() => Int, { description: "How many items the whole list holds, across all pages." })
    totalCount: number;
  }
  return ConnectionType;
}

/** Pagination arguments as a client sent them. */
export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/** Validated pagination: a direction, a size and an optional cursor's values. */
export interface PageWindow {
  forward: boolean;
  size: number;
  /** Sort-key values of the `after` (forward) or `before` (backward) cursor. */
  cursor: CursorValues | null;
  /** The cursor on the far side, when the client sent both after and before. */
  bound: CursorValues | null;
}

export type CursorValues = (string | number)[];

const CURSOR_PREFIX = "c1";

export function encodeCursor(values: CursorValues): string {
  return Buffer.from(JSON.stringify([CURSOR_PREFIX, ...values]), "utf8").toString("base64url");
}

/**
 * Decodes a cursor made by encodeCursor for a list sorted on `arity` keys.
 * Anything else is the client's mistake: BAD_USER_INPUT naming the argument.
 */
export function decodeCursor(cursor: string, arity: number, argument: string): CursorValues {
  const invalid = () => userError(`"${argument}" is not a valid cursor for this list`, { argumentName: argument });
  if (cursor.length > 1000 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed[0] !== CURSOR_PREFIX || parsed.length !== arity + 1) throw invalid();
  const values = parsed.slice(1);
  if (!values.every((value) => typeof value === "string" || (typeof value === "number" && Number.isFinite(value)))) {
    throw invalid();
  }
  return values as CursorValues;
}

function checkSize(value: number | null | undefined, argument: string): number | null {
  if (value === null || value === undefined) return null;
  if (value < 0 || value > MAX_PAGE_SIZE) {
    throw userError(`"${argument}" must be between 0 and ${MAX_PAGE_SIZE}, got ${value}`, { argumentName: argument });
  }
  return value;
}

/** Turns client arguments into a page window, rejecting what cannot be served. */
export function pageWindow(args: PageArgs, sortKeyCount: number): PageWindow {
  const first = checkSize(args.first, "first");
  const last = checkSize(args.last, "last");
  if (first !== null && last !== null) {
    throw userError(`pass "first" or "last", not both`, { argumentName: "last" });
  }
  const after = args.after ? decodeCursor(args.after, sortKeyCount, "after") : null;
  const before = args.before ? decodeCursor(args.before, sortKeyCount, "before") : null;
  if (last !== null || (before !== null && first === null && after === null)) {
    return { forward: false, size: last ?? DEFAULT_PAGE_SIZE, cursor: before, bound: after };
  }
  return { forward: true, size: first ?? DEFAULT_PAGE_SIZE, cursor: after, bound: before };
}
