import { timingSafeEqual } from "node:crypto";
import { DataSource } from "typeorm";
import { QueryTally } from "./db/query-counter";
import { createLoaders, Loaders } from "./loaders";
import type { CommentEvents } from "./events/comment-events";

export interface Auth {
  /** True when the request carried the right bearer token. */
  canWrite: boolean;
}

export interface Context {
  db: DataSource;
  loaders: Loaders;
  auth: Auth;
  events: CommentEvents;
  /** SQL statements this request has run; served as extensions.sqlQueries. */
  queryTally: QueryTally;
}

export interface ContextDeps {
  db: DataSource;
  apiToken: string;
  events: CommentEvents;
}

function tokenMatches(authorization: string | undefined, apiToken: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  if (!match) return false;
  const given = Buffer.from(match[1]);
  const expected = Buffer.from(apiToken);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function buildContext(deps: ContextDeps, authorization: string | undefined, queryTally: QueryTally = { count: 0 }): Context {
  return {
    db: deps.db,
    loaders: createLoaders(deps.db),
    auth: { canWrite: tokenMatches(authorization, deps.apiToken) },
    events: deps.events,
    queryTally,
  };
}
