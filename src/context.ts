import { GraphQLError } from "graphql";
import { DataSource } from "typeorm";
import { ANONYMOUS, Caller, identifyCaller } from "./auth/caller";
import type { TokenVerifier } from "./auth/verify-token";
import type { Clock } from "./clock";
import type { Database } from "./db/data-source";
import { QueryTally } from "./db/query-counter";
import { createLoaders, Loaders } from "./read";
import type { CommentEvents } from "./events/comment-events";
import type { AbuseLimits } from "./abuse/abuse-limits";
import type { LiveDeliveries } from "./discussion/comment-feed";
import type { WordListCache } from "./discussion/word-lists";
import type { DiscussionRules } from "./discussion/comments";

export { tokenMatches } from "./auth/caller";

export interface Context {
  /** The database that writes go to (through inTransaction). */
  db: Database;
  /**
   * Where this request's reads go: loaders, lists and lookups. On SQLite a read-only connection
   * of its own, so a read never runs inside a write transaction; on PostgreSQL the pool.
   */
  read: DataSource;
  loaders: Loaders;
  /** Who is calling: anonymous, the service token, or a signed-in reader (auth/caller.ts). */
  caller: Caller;
  /**
   * The credential's refusal, when the request carried one that is not good (an expired JWT, a
   * wrong token): the whole request answers with it, before any resolver runs.
   */
  credentialError: GraphQLError | null;
  clock: Clock;
  rules: DiscussionRules;
  events: CommentEvents;
  /** What this instance makes of each live event, once for all its subscribers. */
  deliveries: LiveDeliveries;
  /** How often this client may write (per address, per reader). */
  limits: AbuseLimits;
  /** This instance's copy of the moderators' word lists. */
  wordLists: WordListCache;
  /** The client's address (the TCP peer of the request or socket); null for an operation run in-process. */
  clientAddress: string | null;
  /** SQL statements this request has run; served as extensions.sqlQueries. */
  queryTally: QueryTally;
}

export interface ContextDeps {
  db: Database;
  apiToken: string;
  verifyToken: TokenVerifier;
  clock: Clock;
  rules: DiscussionRules;
  events: CommentEvents;
  deliveries: LiveDeliveries;
  limits: AbuseLimits;
  wordLists: WordListCache;
}

/** The context of a caller already identified (a WebSocket identifies its caller when it opens). */
export function contextFor(
  deps: ContextDeps,
  caller: Caller,
  queryTally: QueryTally = { count: 0 },
  credentialError: GraphQLError | null = null,
  clientAddress: string | null = null,
): Context {
  return new RequestContext(deps, caller, queryTally, credentialError, clientAddress);
}

/**
 * A context whose loaders are made on first use, and dropped by `releaseLoaders` when the response
 * is done. `loaders` is an accessor on the prototype, not a field: Apollo copies a request's
 * context (Object.assign onto an object of the same prototype), and the copy makes and drops its own.
 */
class RequestContext implements Context {
  db: Database;
  read: DataSource;
  /** The loaders, once made. */
  made: Loaders | null = null;
  clock: Clock;
  rules: DiscussionRules;
  events: CommentEvents;
  deliveries: LiveDeliveries;
  limits: AbuseLimits;
  wordLists: WordListCache;

  constructor(
    deps: ContextDeps,
    public caller: Caller,
    public queryTally: QueryTally,
    public credentialError: GraphQLError | null,
    public clientAddress: string | null,
  ) {
    this.db = deps.db;
    this.read = deps.db.reader();
    this.clock = deps.clock;
    this.rules = deps.rules;
    this.events = deps.events;
    this.deliveries = deps.deliveries;
    this.limits = deps.limits;
    this.wordLists = deps.wordLists;
  }

  /** Why the operation was stopped (its deadline passed); its resolvers then read nothing more. */
  expiredBy: GraphQLError | null = null;

  get loaders(): Loaders {
    if (this.expiredBy) throw this.expiredBy;
    return (this.made ??= createLoaders(this.read, this.caller));
  }

  set loaders(loaders: Loaders) {
    this.made = loaders;
  }

  expire(reason: GraphQLError): void {
    this.expiredBy = reason;
    this.made = null;
  }
}

/**
 * Drops a finished request's loaders and every row they cached; anything that asks for them later
 * gets new ones. Apollo's gateway interface, through which operations run compiled, keeps each
 * request's context reachable for V8's young-generation collections until the next full
 * collection (it builds an object literal with accessor closures over the request per request,
 * which V8 gives a map of its own in old space). Without this, every row a request read was
 * copied by the collections that followed and promoted to the old generation.
 */
export function releaseLoaders(ctx: Context): void {
  if (ctx instanceof RequestContext) ctx.made = null;
}

/** Who a request comes from, as its credential says; `credentialError` when the credential is not good. */
export interface Identity {
  caller: Caller;
  credentialError: GraphQLError | null;
}

/**
 * The caller behind a request's Authorization header. An anonymous request does no work here; a
 * JWT is verified (HS256: no I/O; RS256/ES256: against the cached key set). A credential that is
 * not good leaves the caller anonymous and the refusal in credentialError.
 */
export async function identify(deps: ContextDeps, authorization: string | undefined): Promise<Identity> {
  if (authorization === undefined || authorization === "") return { caller: ANONYMOUS, credentialError: null };
  try {
    return { caller: await identifyCaller(authorization, deps.apiToken, deps.verifyToken), credentialError: null };
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    return { caller: ANONYMOUS, credentialError: error };
  }
}

/** The context of one request (see identify). */
export async function buildContext(
  deps: ContextDeps,
  authorization: string | undefined,
  queryTally: QueryTally = { count: 0 },
  clientAddress: string | null = null,
): Promise<Context> {
  const { caller, credentialError } = await identify(deps, authorization);
  return contextFor(deps, caller, queryTally, credentialError, clientAddress);
}
