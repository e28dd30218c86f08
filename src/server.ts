import { createServer as createHttpServer, IncomingMessage, Server, ServerResponse } from "node:http";
import { ApolloServer, ApolloServerPlugin } from "@apollo/server";
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from "@apollo/server/plugin/disabled";
import { expressMiddleware } from "@as-integrations/express5";
import cors from "cors";
import express, { ErrorRequestHandler } from "express";
import {
  DocumentNode,
  execute,
  ExecutionArgs,
  getOperationAST,
  FormattedExecutionResult,
  GraphQLError,
  GraphQLFormattedError,
  GraphQLSchema,
  parse,
} from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import { Config } from "./config";
import { databaseFailure, isClientErrorCode, RETRY_AFTER_OUTAGE_SECONDS, serviceUnavailable } from "./errors";
import { AbuseLimits, memoryAbuseLimits } from "./abuse/abuse-limits";
import { ANONYMOUS, Caller, identifyCaller } from "./auth/caller";
import { createTokenVerifier } from "./auth/verify-token";
import { closeAtExpiry, closeExpired, credentialExpired } from "./auth/socket-expiry";
import { Clock, systemClock } from "./clock";
import { buildContext, Context, ContextDeps, contextFor, identify, releaseLoaders } from "./context";
import type { Database } from "./db/data-source";
import { currentQueryTally, QueryTally, withQueryTally } from "./db/query-counter";
import { CommentEvents } from "./events/comment-events";
import { LiveDeliveries } from "./discussion/comment-feed";
import { WordListCache } from "./discussion/word-lists";
import { buildThreadlineSchema } from "./schema/build-schema";
import { resolvers } from "./resolvers";
import { checkCost, checkVariableDepth, limitRules, parseAndValidate, QUERY_LIMITS, SOCKET_LIMITS } from "./schema/limits";
import { httpCachePlugin } from "./execution/cache-policy";
import { CompiledOperations, compiledExecutionGateway } from "./execution/compiled-executor";
import { RequestBounds, responseJson, withinBounds } from "./execution/request-bounds";
import { CachePolicies, DocumentCache, PreflightVerdicts } from "./execution/operation-cache";
import { ResponseCache } from "./execution/response-cache";
import { checkTextInputs } from "./schema/text-inputs";
import { landingPageWithExplorerLinks } from "./http/landing-page.plugin";
import { plainGetHint } from "./http/plain-get.middleware";
import { countedClientFor, countedClientOf } from "./resolvers/write-access";
import { Admission, answerRefusal, clientKeyOf, laneOf, SHUTTING_DOWN, weighRequest } from "./http/admission";
import { AdmitRequest, bodyErrorResponse, graphqlPostHandler, isGraphqlJsonPost } from "./execution/graphql-post";
import { QueryLane } from "./execution/query-lane";
import { closeWhenNotDrained, httpServerOptions } from "./http/http-timeouts";
import { devSignInRoutes } from "./http/dev-sign-in.routes";
import { AddressConnections } from "./http/address-connections";
import { clientAddressReader } from "./http/client-address";
import { readerAppRoutes } from "./http/reader-app.routes";
import { compressResponses } from "./http/compression";
import { crawlerRoutes } from "./http/crawler.routes";
import { embedRoutes } from "./http/embed.routes";
import { PageAnswer, PageRequest } from "./http/server-rendering";

export const GRAPHQL_PATH = "/graphql";
export const BODY_LIMIT = "2mb";

/** A dependency /health checks: resolves when it answers, rejects with the reason when not. */
export type HealthCheck = () => Promise<void>;

export interface ServerOptions {
  /** Checks besides the database's, by name: when one fails, /health answers 503. */
  healthChecks?: Record<string, HealthCheck>;
  /**
   * Dependencies the service works on without, by name (Redis when REDIS_URL is set: events wait in
   * the outbox, limits count in memory): a failing one is "degraded", and /health still answers 200.
   */
  degradableChecks?: Record<string, HealthCheck>;
  /** The built reader app (dist/web), served at /; without it, / redirects to the API. */
  webRoot?: string;
  /** Abuse limits shared with other instances (Redis); without them, counted in this process. */
  limits?: AbuseLimits;
  /** The time as the service reads it (comment times, the edit window, token expiry); the system clock unless a test moves it. */
  clock?: Clock;
  /**
   * The development JWT secret that `npm start` made and keeps itself (never a JWT_SECRET the
   * operator supplied): only with it is the reader app's development sign-in served.
   */
  developmentJwtSecret?: string;
  /** URLs per sitemap file before /sitemap.xml becomes an index (crawler.routes.ts); the protocol's 50,000 unless a test sets fewer. */
  sitemapUrlsPerFile?: number;
}

/** What the server keeps on each WebSocket: its caller, client address, and the subscriptions counted against that address. */
type SocketExtra = {
  caller?: Caller;
  address?: string;
  counted?: Set<string>;
};

/** How long /health waits for one dependency before calling it down. */
const HEALTH_TIMEOUT_MS = 2_000;

async function runCheck(check: HealthCheck): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${HEALTH_TIMEOUT_MS} ms`)), HEALTH_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return "ok";
  } catch (error) {
    return (error as Error).message || String(error);
  } finally {
    clearTimeout(timer);
  }
}

export interface ThreadlineServer {
  app: express.Express;
  httpServer: Server;
  apollo: ApolloServer<Context>;
  /** The operations HTTP requests run, compiled once per document (compiled-executor.ts). */
  operations: CompiledOperations;
  /** Where operations wait their turn (MAX_CONCURRENT_OPERATIONS, MAX_QUEUED_OPERATIONS, MAX_QUEUED_PER_CLIENT). */
  admission: Admission;
  /** Anonymous answers kept in memory (RESPONSE_CACHE_MB), dropped by writes. */
  responseCache: ResponseCache;
  /** Repeated queries answered around Apollo's pipeline (query-lane.ts); null with GRAPHQL_EXECUTOR=graphql-js. */
  lane: QueryLane<Context> | null;
  /** Context for an operation run in-process (tests, scripts), as HTTP would build it. */
  context(authorization?: string, tally?: QueryTally, clientAddress?: string | null): Promise<Context>;
  /**
   * Stops taking new work: operations still waiting their turn, new requests and new sockets get
   * 503 with Retry-After (the listener stays open and says so, /health too) while the running
   * operations finish, up to the grace period; then closes the listener and every connection.
   */
  stop(): Promise<void>;
}

/**
 * Errors the client caused keep their message; anything else is logged in
 * full and, in production, reaches the client only as a masked
 * INTERNAL_SERVER_ERROR.
 */
export function formatError(production: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    // A stack trace helps only with a fault of ours; a client's mistake is told by its message.
    if (isClientErrorCode(code)) return withoutStacktrace(formatted);
    if (refusedByApollo(error)) return withoutStacktrace({ ...formatted, extensions: { ...formatted.extensions, code: "BAD_REQUEST" } });
    const original = error instanceof GraphQLError && error.originalError ? error.originalError : error;
    const failure = databaseFailure(original);
    if (failure) {
      console.error(`[threadline] database ${failure}: ${(original as Error).message}`);
      const outage = serviceUnavailable(failure);
      return { message: outage.message, locations: formatted.locations, path: formatted.path, extensions: outage.extensions };
    }
    console.error("[threadline] unexpected error:", original);
    if (!production) return { ...formatted, extensions: { ...formatted.extensions, code: "INTERNAL_SERVER_ERROR" } };
    return { message: "Internal server error", locations: formatted.locations, path: formatted.path, extensions: { code: "INTERNAL_SERVER_ERROR" } };
  };
}

/**
 * A request Apollo refused with an HTTP 4xx and no code (a persisted query whose hash does not match
 * its text): the client's mistake, answered as BAD_REQUEST rather than masked as our fault.
 */
function refusedByApollo(error: unknown): boolean {
  if (!(error instanceof GraphQLError) || error.extensions.code !== undefined) return false;
  const status = (error.extensions.http as { status?: number } | undefined)?.status;
  return typeof status === "number" && status >= 400 && status < 500;
}

function withoutStacktrace(formatted: GraphQLFormattedError): GraphQLFormattedError {
  if (!formatted.extensions || !("stacktrace" in formatted.extensions)) return formatted;
  const { stacktrace: _stacktrace, ...extensions } = formatted.extensions;
  return { ...formatted, extensions };
}

/**
 * Checks that need the variables: text the engines cannot store alike, and the cost. Both run
 * before any resolver, for HTTP in the plugin below and for graphql-ws in onSubscribe. A document
 * that passed with the same variables before passes again without being walked.
 */
function preflightCheck(schema: GraphQLSchema, verdicts: PreflightVerdicts, maxThreadDepth: number) {
  return (document: DocumentNode, variables: Record<string, unknown> | null | undefined, operationName?: string | null): GraphQLError[] => {
    const tooDeep = checkVariableDepth(variables);
    if (tooDeep.length > 0) return tooDeep;
    if (verdicts.hasPassed(document, operationName, variables)) return [];
    const textErrors = checkTextInputs(document, variables);
    const errors = textErrors.length > 0 ? textErrors : checkCost(schema, document, variables ?? undefined, operationName, maxThreadDepth);
    if (errors.length === 0) verdicts.recordPass(document, operationName, variables);
    return errors;
  };
}

function preflightPlugin(preflight: ReturnType<typeof preflightCheck>): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request }) {
          const errors = preflight(document, request.variables, request.operationName);
          if (errors.length > 0) throw errors[0];
        },
      };
    },
  };
}

/**
 * "Did you mean ...?" names fields, arguments and types that a production server does not reveal.
 * Apollo drops them from HTTP errors (hideSchemaDetailsFromClientErrors); graphql-ws errors are
 * cleaned here.
 */
function withoutSuggestions(error: GraphQLError): GraphQLError {
  const message = error.message.replace(/ ?Did you mean .*\?$/s, "");
  return message === error.message ? error : new GraphQLError(message, { nodes: error.nodes, extensions: error.extensions });
}

/** A refusal's HTTP status (extensions.http) is for Apollo, which drops it from HTTP answers; a socket has no status. */
function withoutHttpStatus(formatted: GraphQLFormattedError): GraphQLFormattedError {
  if (!formatted.extensions || !("http" in formatted.extensions)) return formatted;
  const { http: _http, ...extensions } = formatted.extensions;
  return { ...formatted, extensions };
}

/**
 * HTTP statuses that say what GraphQL errors say. A database outage, or a write that kept meeting
 * others', is 503 with the Retry-After its error names, whatever else the response holds. A request refused as a whole (no data at all, or data null
 * because its only root field was refused) gets the status of its first error's code, so every
 * refusal of a client's request is a 4xx; a response with some data stays 200.
 */
const STATUS_BY_CODE: Record<string, number> = {
  BAD_REQUEST: 400,
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  RATE_LIMITED: 429,
};

const statusPlugin: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        if (response.body.kind !== "single") return;
        const { errors, data } = response.body.singleResult;
        if (!errors || errors.length === 0) return;
        const unavailable = errors.find((error) => error.extensions?.code === "SERVICE_UNAVAILABLE");
        if (unavailable) {
          response.http.status = 503;
          const retryAfter = unavailable.extensions?.retryAfter;
          response.http.headers.set("retry-after", String(typeof retryAfter === "number" ? retryAfter : RETRY_AFTER_OUTAGE_SECONDS));
          return;
        }
        const refusedWhole = data === null || data === undefined || Object.values(data).every((value) => value === null);
        const status = STATUS_BY_CODE[String(errors[0].extensions?.code)];
        if (refusedWhole && status && (response.http.status === undefined || response.http.status === 200)) {
          response.http.status = status;
          const retryAfter = errors[0].extensions?.retryAfter;
          if (status === 429 && typeof retryAfter === "number") response.http.headers.set("retry-after", String(retryAfter));
        }
      },
    };
  },
};

/**
 * A request whose credential was refused (an expired or forged JWT, a wrong token) is refused as
 * a whole, before any resolver runs: UNAUTHENTICATED, HTTP 401, naming the problem.
 */
const credentialPlugin: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ contextValue }) {
        const refusal = contextValue.credentialError;
        if (!refusal) return;
        // Apollo answers 500 for an error thrown here unless told otherwise; extensions.http is not served.
        const status = STATUS_BY_CODE[String(refusal.extensions.code)] ?? 503;
        throw new GraphQLError(refusal.message, { extensions: { ...refusal.extensions, http: { status } } });
      },
    };
  },
};

/**
 * Apollo's express handler for GET, in the request's turn (`admit`, as POST takes its turn), with
 * the context that `admit` gives; express keeps it in res.locals for the context function.
 */
function admittedGet(admit: AdmitRequest<Context>, handler: express.RequestHandler): express.RequestHandler {
  return (req, res, next) => {
    admit(req, res, async (context) => {
      res.locals.context = context;
      await handler(req, res, next);
    }).catch(next);
  };
}

/**
 * Empties a result's `data` once the response is text, so the answer's objects are no longer
 * reachable from Apollo's request context, which its gateway interface keeps reachable for young
 * collections after the request (see releaseLoaders). Apollo hands stringifyResult the response's
 * own `data` object and reads the result no more once it has the text: HTTP responses only (an
 * operation run in-process, executeOperation, is never stringified).
 */
function releaseResult(result: { data?: Record<string, unknown> | null }): void {
  const data = result.data;
  if (data === null || data === undefined || typeof data !== "object") return;
  for (const key of Object.keys(data)) data[key] = null;
}

/** A request's loaders go when its response is ready (see releaseLoaders). */
const releasePlugin: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async willSendResponse({ contextValue }) {
        releaseLoaders(contextValue);
      },
    };
  },
};

/** extensions.sqlQueries: how many statements the request ran, so anyone can see batching hold. */
const sqlCountPlugin: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response, contextValue }) {
        if (response.body.kind === "single") {
          response.body.singleResult.extensions = {
            ...response.body.singleResult.extensions,
            sqlQueries: contextValue.queryTally.count,
          };
        }
      },
    };
  },
};

/** Resolves when `promise` does, or after `ms`, whichever comes first. */
async function withinMs(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  try {
    await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function createServer(config: Config, db: Database, events: CommentEvents, options: ServerOptions = {}): Promise<ThreadlineServer> {
  const schema = buildThreadlineSchema(resolvers, events);
  const cachePolicies = new CachePolicies(schema);
  const documents = new DocumentCache();
  const preflight = preflightCheck(schema, new PreflightVerdicts(), config.maxThreadDepth);
  const clock = options.clock ?? systemClock;
  const responseCache = new ResponseCache(config.responseCache, cachePolicies, config.production);
  const deps: ContextDeps = {
    db,
    apiToken: config.apiToken,
    verifyToken: createTokenVerifier(config, clock),
    clock,
    rules: {
      editWindowSeconds: config.editWindowSeconds,
      autoHoldFlags: config.autoHoldFlags,
      moderation: config.moderation,
      maxThreadDepth: config.maxThreadDepth,
      premoderateLinks: config.premoderateLinks,
    },
    // Writes publish what they changed through here: this instance's cached answers go at once.
    events: responseCache.watch(events),
    deliveries: new LiveDeliveries(() => db.reader()),
    limits: options.limits ?? memoryAbuseLimits(config.abuseLimits),
    wordLists: new WordListCache(() => db.reader(), events),
  };
  deps.wordLists.listen();
  const app = express();
  // An ETag is a hash of the whole body, worked out for every answer; GraphQL clients POST and
  // never revalidate, so it is work for nothing (hundreds of KB for a deep page).
  app.set("etag", false);
  app.disable("x-powered-by");
  let draining = false;
  // POST /graphql with a JSON body goes straight to Apollo (execution/graphql-post.ts) once it has
  // started; everything else, and everything while the server drains, goes through express.
  let graphqlPost: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  const drainMs = config.responseDrainSeconds * 1000;
  // Every answer, from express or the direct path, is compressed as the client accepts (http/compression.ts).
  const compress = compressResponses();
  const httpServer = createHttpServer(httpServerOptions(), (req, res) => {
    closeWhenNotDrained(res, drainMs);
    compress(req, res, () => {
      if (graphqlPost && !draining && isGraphqlJsonPost(req, GRAPHQL_PATH)) graphqlPost(req, res);
      else app(req, res);
    });
  });
  const admission = new Admission(config.maxConcurrentOperations, config.maxQueuedOperations, config.maxQueuedPerClient);
  const healthChecks: Record<string, HealthCheck> = {
    database: async () => {
      await db.query("SELECT 1");
    },
    // A write through the write queue: fails while writes cannot be stored (a full disk, a wedged writer).
    writer: () => db.probeWrite(),
    ...options.healthChecks,
  };

  // The client address of every request and socket, by one rule (TRUST_PROXY), for every limit.
  const clientAddress = clientAddressReader(config.clients.trustProxy);
  // Open sockets per client address, counted from the upgrade until the TCP connection closes.
  const connections = new AddressConnections(config.clients.socketsPerAddress, config.clients.subscriptionsPerAddress);
  const wsServer = new WebSocketServer({
    noServer: true,
    path: GRAPHQL_PATH,
    verifyClient: ({ req }, accept) => {
      const address = clientAddress(req) ?? "unknown";
      if (draining) {
        accept(false, 503, "the server is shutting down");
        return;
      }
      if (!connections.openSocket(address)) {
        accept(false, 429, `too many WebSocket connections from this address; the maximum is ${connections.socketsPerAddress}`);
        return;
      }
      req.socket.once("close", () => connections.closeSocket(address));
      accept(true);
    },
  });
  // Upgrades are handed over here rather than through `server:`, which would also re-emit the HTTP
  // server's own errors (a port in use) on the WebSocket server, where graphql-ws logs them as an
  // internal error with a stack trace. Whoever calls listen reports those.
  httpServer.on("upgrade", (req, socket, head) => {
    wsServer.handleUpgrade(req, socket, head, (ws) => wsServer.emit("connection", ws, req));
  });
  // Subscriptions bypass Apollo, so its error masking is applied here as well.
  const formatWsError = formatError(config.production);
  const formatWsErrors = (errors: readonly GraphQLError[]) =>
    errors.map((error) => {
      const shown = config.production ? withoutSuggestions(error) : error;
      return formatWsError(withoutHttpStatus(shown.toJSON()), shown);
    });
  // Executions answered at their deadline that have not wound down yet: stop() waits for them.
  const windingDown = new Set<Promise<unknown>>();
  // Every operation, over either transport, runs within the same deadline and answer size.
  const bounds: RequestBounds = {
    deadlineMs: config.requestTimeoutSeconds * 1000,
    maxResponseBytes: config.maxResponseMb * 1024 * 1024,
    windingDown: (execution) => {
      const settled: Promise<void> = execution.then(
        () => void windingDown.delete(settled),
        () => void windingDown.delete(settled),
      );
      windingDown.add(settled);
    },
  };
  // The subscriptions a socket holds against its address's SUBSCRIPTIONS_PER_ADDRESS, by id.
  const releaseSubscription = (extra: SocketExtra, id: string) => {
    if (extra.counted?.delete(id)) connections.releaseSubscription(extra.address ?? "unknown");
  };
  const wsCleanup = useServer<Record<string, unknown>, SocketExtra>(
    {
      schema,
      // Queries and mutations take their turn as HTTP requests do, against the same client's
      // share, and run within the same deadline and answer size; subscriptions (graphql-ws runs
      // those with `subscribe`) wait for events, not turns.
      execute: (args: ExecutionArgs) =>
        admission
          .run(
            () => withinBounds(bounds, args.contextValue, async () => execute(args)),
            clientKeyOf(countedClientOf(args.contextValue as Context)),
            laneOf(getOperationAST(args.document, args.operationName)?.operation),
          )
          .catch((error: unknown) => {
            if (error instanceof GraphQLError) return { errors: [error] };
            throw error;
          }),
      // A socket that presents a credential (the service token or a reader's JWT) must present a
      // valid one: it is refused when it opens (4403) rather than on its first operation. The caller
      // is identified once, here, and every operation on the socket runs as that caller until a
      // reader's token expires: then the socket is closed (4401, auth/socket-expiry.ts), and
      // nothing is sent on it after exp. Without a credential it may still read and subscribe, anonymously.
      onConnect: async (ctx) => {
        ctx.extra.address = clientAddress(ctx.extra.request) ?? "unknown";
        const authorization = ctx.connectionParams?.authorization;
        if (authorization === undefined || authorization === null || authorization === "") {
          ctx.extra.caller = ANONYMOUS;
          return true;
        }
        if (typeof authorization !== "string") return false;
        try {
          const caller = await identifyCaller(authorization, deps.apiToken, deps.verifyToken);
          ctx.extra.caller = caller;
          const socket = ctx.extra.socket;
          socket.once("close", closeAtExpiry(socket, caller, clock));
          return true;
        } catch (error) {
          if (error instanceof GraphQLError) return false;
          throw error;
        }
      },
      onError: (_ctx, _id, _payload, errors) => formatWsErrors(errors),
      onNext: (ctx, _id, _payload, _args, result) => {
        // A result worked out as a caller whose token has since expired is not sent: graphql-ws sends nothing on a closed socket.
        if (credentialExpired(ctx.extra.caller ?? ANONYMOUS, clock)) closeExpired(ctx.extra.socket);
        return result.errors ? { ...result, errors: formatWsErrors(result.errors) } : undefined;
      },
      onSubscribe: (ctx, id, payload) => {
        if (credentialExpired(ctx.extra.caller ?? ANONYMOUS, clock)) {
          closeExpired(ctx.extra.socket);
          return [new GraphQLError("the token expired; reconnect with a fresh one", { extensions: { code: "UNAUTHENTICATED" } })];
        }
        // graphql-ws has registered this subscription already, so the count includes it.
        if (Object.keys(ctx.subscriptions).length > SOCKET_LIMITS.subscriptionsPerSocket) {
          return [
            new GraphQLError(`too many subscriptions on this connection; the maximum is ${SOCKET_LIMITS.subscriptionsPerSocket}`, {
              extensions: { code: "RATE_LIMITED", maxSubscriptions: SOCKET_LIMITS.subscriptionsPerSocket },
            }),
          ];
        }
        // Parsed and validated here, with the same token limit, rules and cost as HTTP (and no
        // introspection in production: graphql-js's rule here, Apollo's alike over HTTP), so a
        // document either transport validated serves both; graphql-ws then runs it as given.
        let document = documents.documentFor(payload.query);
        if (!document) {
          const checked = parseAndValidate(schema, payload.query, config.production);
          if (!checked.document) return checked.errors;
          document = checked.document;
          documents.remember(payload.query, document);
        }
        const preflightErrors = preflight(document, payload.variables, payload.operationName);
        if (preflightErrors.length > 0) return preflightErrors;
        // Counted last, once nothing else refuses it: graphql-ws calls onComplete only for what runs.
        if (!connections.takeSubscription(ctx.extra.address ?? "unknown")) {
          return [
            new GraphQLError(`too many subscriptions from your address; the maximum is ${connections.subscriptionsPerAddress} over all its connections`, {
              extensions: { code: "RATE_LIMITED", maxSubscriptionsPerAddress: connections.subscriptionsPerAddress },
            }),
          ];
        }
        (ctx.extra.counted ??= new Set()).add(id);
        return {
          schema,
          document,
          variableValues: payload.variables,
          operationName: payload.operationName,
          contextValue: contextFor(deps, ctx.extra.caller ?? ANONYMOUS, undefined, null, ctx.extra.address ?? null),
        };
      },
      onComplete: (ctx, id) => releaseSubscription(ctx.extra, id),
      // A closing socket ends its subscriptions; whatever onComplete has not released yet goes here.
      onClose: (ctx) => {
        for (const id of [...(ctx.extra.counted ?? [])]) releaseSubscription(ctx.extra, id);
      },
    },
    wsServer,
  );

  // Apollo takes the schema through the gateway interface, the one way to give it an executor:
  // operations run compiled by graphql-jit. Everything else reads the same schema object.
  // GRAPHQL_EXECUTOR=graphql-js: nothing is compiled, and JSON POSTs go through express (docs/decisions/).
  const fastPath = config.graphqlExecutor === "jit";
  const operations = new CompiledOperations(schema, { bounds, compile: fastPath });
  // Apollo's default appends "\n" to the JSON, which makes a rope the response write must then
  // copy whole into one flat string: on a deep page that copy was a tenth of a request's garbage.
  // It also lets go of the result once it is text: see releaseResult.
  const stringifyResult = (result: FormattedExecutionResult): string => {
    const text = responseJson(result as Record<string, unknown>);
    releaseResult(result);
    return text;
  };
  const plugins: ApolloServerPlugin<Context>[] = [
    {
      async serverWillStart() {
        return {
          async drainServer() {
            await wsCleanup.dispose();
          },
        };
      },
    },
    config.production ? ApolloServerPluginLandingPageDisabled() : landingPageWithExplorerLinks(),
    // Apollo installs these unless told not to. Cache control wraps every field's resolver with
    // a hook (httpCachePlugin works the same policy out from the document, once per document),
    // and the others report to Apollo's cloud, which we do not use.
    ApolloServerPluginCacheControlDisabled(),
    ApolloServerPluginInlineTraceDisabled(),
    ApolloServerPluginUsageReportingDisabled(),
    credentialPlugin,
    preflightPlugin(preflight),
    statusPlugin,
    httpCachePlugin(cachePolicies),
    responseCache.plugin(),
    ...(config.production ? [] : [sqlCountPlugin]),
    releasePlugin,
  ];
  const apollo = new ApolloServer<Context>({
    gateway: compiledExecutionGateway<Context>(schema, operations),
    introspection: !config.production,
    hideSchemaDetailsFromClientErrors: config.production,
    parseOptions: { maxTokens: QUERY_LIMITS.maxTokens },
    documentStore: documents,
    validationRules: limitRules(false),
    includeStacktraceInErrorResponses: !config.production,
    formatError: formatError(config.production),
    stringifyResult,
    plugins,
  });
  await apollo.start();
  // Writes taken by other instances arrive over the bus.
  const stopFollowingWrites = responseCache.follow(events);

  // Requests that arrive while the server drains (on new or kept-alive connections) are turned away.
  app.use((_req, res, next) => {
    if (!draining) return next();
    answerRefusal(res, SHUTTING_DOWN);
  });
  app.get("/health", async (_req, res) => {
    const names = Object.keys(healthChecks);
    const degradable = Object.keys(options.degradableChecks ?? {});
    const [results, degradableResults] = await Promise.all([
      Promise.all(names.map((name) => runCheck(healthChecks[name]))),
      Promise.all(degradable.map((name) => runCheck(options.degradableChecks![name]))),
    ]);
    const checks: Record<string, string> = Object.fromEntries(names.map((name, i) => [name, results[i]]));
    const degraded: Record<string, string> = {};
    degradable.forEach((name, i) => {
      checks[name] = degradableResults[i] === "ok" ? "ok" : "degraded";
      if (degradableResults[i] !== "ok") degraded[name] = degradableResults[i];
    });
    // Only what every request needs takes the instance out of a load balancer's rotation.
    const ok = results.every((result) => result === "ok");
    res.status(ok ? 200 : 503).json(degradable.some((name) => checks[name] !== "ok") ? { ok, checks, degraded } : { ok, checks });
  });
  // Who is calling is worked out before the request takes its turn, so that its turn counts
  // against its own share; the context is made when it runs, inside its statement tally.
  const admit: AdmitRequest<Context> = async (req, res, work) => {
    const { caller, credentialError } = await identify(deps, req.headers.authorization);
    const address = clientAddress(req);
    const anonymous = caller === ANONYMOUS && credentialError === null;
    await admission.admit(
      req,
      res,
      clientKeyOf(countedClientFor(caller, address)),
      () => work(async () => contextFor(deps, caller, currentQueryTally(), credentialError, address, anonymous ? responseCache.candidateFor(req) : null)),
      weighRequest(req),
    );
  };
  app.use(
    GRAPHQL_PATH,
    cors<cors.CorsRequest>(),
    plainGetHint({ production: config.production, graphqlPath: GRAPHQL_PATH }),
    express.json({ limit: BODY_LIMIT }),
    // The tally rides on AsyncLocalStorage, whose hooks tax every promise; production serves no tally.
    ...(config.production ? [] : [(_req: express.Request, _res: express.Response, next: express.NextFunction) => withQueryTally({ count: 0 }, next)]),
    (req: express.Request, res: express.Response, next: express.NextFunction) => {
      if (!responseCache.serve(req, res)) next();
    },
    admittedGet(admit, expressMiddleware(apollo, { context: ({ res }) => (res.locals.context as () => Promise<Context>)() })),
  );
  // A repeated query goes around Apollo's pipeline when all goes well (docs/decisions/0007-query-lane.md).
  const lane = fastPath ? new QueryLane<Context>({ documents, operations, plugins, stringifyResult, logger: apollo.logger }) : null;
  if (lane)
    graphqlPost = graphqlPostHandler(apollo, {
      bodyLimit: BODY_LIMIT,
      admit,
      serveCached: (req, res) => responseCache.serve(req, res),
      lane,
      around: config.production ? undefined : (work) => withQueryTally({ count: 0 }, work),
      onError: (error, _req, res) => {
        console.error("threadline: POST /graphql failed outside Apollo:", error);
        if (res.headersSent) return void res.destroy();
        res.statusCode = 500;
        res.setHeader("content-type", "application/json; charset=utf-8");
        res.end(JSON.stringify({ errors: [{ message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } }] }));
      },
    });
  // Reader tokens for the app's development sign-in: only with the secret npm start made itself. A
  // JWT_SECRET the operator supplied is the host site's, whatever NODE_ENV says: signing with it
  // here would hand moderator tokens to anyone who can reach the server.
  const devSecret = options.developmentJwtSecret;
  const devSignIn = !config.production && devSecret !== undefined && devSecret === config.jwtSecret;
  if (devSignIn) app.use(devSignInRoutes({ jwtSecret: devSecret, verify: deps.verifyToken, clock }));
  app.use(crawlerRoutes({ db, sitemapUrlsPerFile: options.sitemapUrlsPerFile }));
  if (options.webRoot) {
    app.use(embedRoutes({ webRoot: options.webRoot, db, settings: config.embed, clock, limits: deps.limits, clientAddress }));
    // A page's queries run as the anonymous reader whoever asks, in the client's turn as its API requests do.
    const runQuery = async (request: PageRequest, address: string | null): Promise<PageAnswer> => {
      const run = async () => {
        const contextValue = contextFor(deps, ANONYMOUS, { count: 0 }, null, address);
        const response = await apollo.executeOperation<Record<string, unknown>>(
          { query: request.query, variables: request.variables, operationName: request.operationName ?? undefined },
          { contextValue },
        );
        if (response.body.kind !== "single") throw new Error("a page's query answered in parts");
        // As the browser would read it over HTTP (a DateTime is its ISO text, not a Date), which is also what the page embeds.
        const { data, errors } = JSON.parse(JSON.stringify(response.body.singleResult)) as PageAnswer;
        return errors ? { data, errors } : { data };
      };
      return admission.run(run, clientKeyOf(countedClientFor(ANONYMOUS, address))).catch((error: unknown) => {
        if (error instanceof GraphQLError) return { errors: [error.toJSON()] };
        throw error;
      });
    };
    const pageDocuments = new Map<string, DocumentNode>();
    const policyOf = (request: PageRequest) => {
      let document = pageDocuments.get(request.query);
      if (!document) pageDocuments.set(request.query, (document = parse(request.query)));
      return cachePolicies.policyFor(document, request.operationName);
    };
    app.use(
      readerAppRoutes({
        webRoot: options.webRoot,
        production: config.production,
        graphqlPath: GRAPHQL_PATH,
        devSignIn,
        rendering: { runQuery, policyOf, clientAddress },
      }),
    );
  } else {
    app.get("/", (_req, res) => {
      res.redirect(GRAPHQL_PATH);
    });
  }
  const bodyErrors: ErrorRequestHandler = (error, _req, res, next) => {
    const refusal = bodyErrorResponse(error, BODY_LIMIT);
    if (refusal) res.status(refusal.status).json(refusal.body);
    else next(error);
  };
  app.use(bodyErrors);

  return {
    app,
    httpServer,
    apollo,
    operations,
    admission,
    responseCache,
    lane,
    context: (authorization, tally, clientAddress) => buildContext(deps, authorization, tally, clientAddress ?? null),
    async stop() {
      draining = true;
      const graceMs = config.shutdownGraceSeconds * 1000;
      const deadline = Date.now() + graceMs;
      // The listener stays open meanwhile, answering 503: a load balancer sees the server leave
      // rather than connections refused.
      await withinMs(admission.close(), graceMs);
      // Operations answered at their deadline finish the reads they had started, before the
      // database they read from is closed after this.
      await withinMs(Promise.all(windingDown), Math.max(0, deadline - Date.now()));
      await apollo.stop();
      await deps.wordLists.close();
      stopFollowingWrites();
      wsServer.close();
      if (!httpServer.listening) return;
      const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      httpServer.closeIdleConnections();
      const cutOff = setTimeout(() => httpServer.closeAllConnections(), Math.max(0, deadline - Date.now()));
      await closed;
      clearTimeout(cutOff);
    },
  };
}
