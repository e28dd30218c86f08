import { timingSafeEqual } from "node:crypto";
import { DataSource } from "typeorm";
import type { Database } from "./db/data-source";
import { QueryTally } from "./db/query-counter";
import { createLoaders, Loaders } from "./loaders";
import type { CommentEvents } from "./events/comment-events";
import type { AbuseLimits } from "./abuse/abuse-limits";

export interface Auth {
  /** True when the request carried the right bearer token. */
  canWrite: boolean;
}

export interface Context {
  /** The database that writes go to (through inTransaction). */
  db: Database;
  /**
   * Where this request's reads go: loaders, lists and lookups. On SQLite a read-only connection
   * of its own, so a read never runs inside a write transaction; on PostgreSQL the pool.
   */
  read: DataSource;
  loaders: Loaders;
  auth: Auth;
  events: CommentEvents;
  /** How often this client may write (per address, per reader). */
  limits: AbuseLimits;
  /** The client's address (the TCP peer of the request or socket); null for an operation run in-process. */
  clientAddress: string | null;
  /** SQL statements this request has run; served as extensions.sqlQueries. */
  queryTally: QueryTally;
}

export interface ContextDeps {
  db: Database;
  apiToken: string;
  events: CommentEvents;
  limits: AbuseLimits;
}

/** Whether an Authorization header value carries the service token. */
export function tokenMatches(authorization: string | undefined, apiToken: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  if (!match) return false;
  const given = Buffer.from(match[1]);
  const expected = Buffer.from(apiToken);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function buildContext(
  deps: ContextDeps,
  authorization: string | undefined,
  queryTally: QueryTally = { count: 0 },
  clientAddress: string | null = null,
): Context {
  const read = deps.db.reader();
  return {
    db: deps.db,
    read,
    loaders: createLoaders(read),
    auth: { canWrite: tokenMatches(authorization, deps.apiToken) },
    events: deps.events,
    limits: deps.limits,
    clientAddress,
    queryTally,
  };
}
