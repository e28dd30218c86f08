/**
 * A query whose text Apollo Server has validated before, answered without Apollo's request
 * pipeline when all goes well; anything else goes to Apollo, which answers it as ever
 * (docs/decisions/0007-query-lane.md).
 *
 * Why: on a small page the pipeline around the resolvers is most of the work. A list of 20 titles
 * (q4 of `npm run bench:compare`) ran 1.50 times as fast on PostgreSQL with the pipeline taken away
 * (measured with nothing in its place), and Apollo's share of it is mostly awaits: every hook of
 * every plugin is awaited through a Promise.all, the text is hashed again, headers are copied into
 * maps twice, the answer's media type negotiated twice.
 *
 * What the lane keeps of Apollo's meaning, so that its answers are Apollo's (a test compares them
 * byte for byte):
 * - the same validated documents: Apollo's document store (DocumentCache), by the same text;
 * - the same plugins (the array Apollo runs, which it adds its own to), whose hooks it calls with a
 *   request context of the same shape, in Apollo's order: requestDidStart, didResolveSource,
 *   didResolveOperation, then willSendResponse. A listener with a hook Apollo would call here
 *   besides those (responseForOperation, executionDidStart) sends the request to Apollo;
 * - the same executor (CompiledOperations, within the request bounds), the same text of the answer
 *   (Apollo's stringifyResult, given), the same media type (negotiated as Apollo negotiates it).
 *
 * What it leaves to Apollo: every request that is not a plain JSON object with a query text it has
 * validated before, an operation that is not a query, an `extensions` field (persisted queries), an
 * Accept header that takes neither JSON type, a plugin's refusal in didResolveOperation (a
 * credential refused, a cost too high), and any answer with errors. An operation that has run when
 * Apollo takes over is not run again: its result (or what it threw) is handed to the executor
 * (`handOver`, compiled-executor.ts), so Apollo formats its errors, sets the status and calls the
 * plugins' hooks itself. A context that could not be made is made again by Apollo, which answers
 * the failure as it answers any.
 */
import type { IncomingMessage } from "node:http";
import { parse as parseUrl } from "node:url";
import { ApolloServerPlugin, BaseContext, GraphQLRequestContext, GraphQLRequestListener, HeaderMap } from "@apollo/server";
import { DocumentNode, ExecutionResult, FormattedExecutionResult, getOperationAST } from "graphql";
import Negotiator from "negotiator";
import { CompiledOperations, handOver } from "./compiled-executor";

/** What Apollo answers a single result as, in its own words (MEDIA_TYPES in @apollo/server). */
const APPLICATION_JSON = "application/json; charset=utf-8";
const APPLICATION_GRAPHQL_RESPONSE_JSON = "application/graphql-response+json; charset=utf-8";
const APPLICATION_JSON_GRAPHQL_CALLBACK = "application/json; callbackSpec=1.0; charset=utf-8";

/**
 * A listener's hooks (GraphQLRequestListener), by what the lane does with them. It calls those
 * Apollo calls for a document from its store whose operation runs without errors:
 * didResolveSource, didResolveOperation and willSendResponse. It need not call those Apollo would
 * not call then: parsing and validation (in production Apollo adds a plugin that cleans validation
 * errors), errors, incremental delivery. A listener with either of these two, which Apollo would
 * call, sends the request to Apollo.
 */
const UNSUPPORTED_HOOKS = ["responseForOperation", "executionDidStart"] as const;

/** The request's headers as Apollo's integrations give them: lower-case names, repeated ones joined. */
export function headerMapOf(req: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(", ") : value);
  }
  return headers;
}

/** The media type Apollo answers a single result as (chooseContentTypeForSingleResultResponse), or null: 406, Apollo's to say. */
function contentTypeFor(accept: string | undefined): string | null {
  if (!accept) return APPLICATION_JSON;
  return new Negotiator({ headers: { accept } }).mediaType([APPLICATION_JSON, APPLICATION_GRAPHQL_RESPONSE_JSON, APPLICATION_JSON_GRAPHQL_CALLBACK]) ?? null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The answer the lane gives: status, headers in Apollo's order, and the text. */
export interface LaneAnswer {
  status: number;
  headers: HeaderMap;
  body: string;
}

/** What the lane hands Apollo: the context it made (and, through it, a result it computed). */
export interface LaneHandover<TContext> {
  contextValue: TContext;
}

export interface QueryLaneOptions<TContext extends BaseContext> {
  documents: { documentFor(text: string): DocumentNode | undefined };
  operations: CompiledOperations;
  /** The plugins Apollo runs, in its order: the very array given to Apollo, which adds its own to it as it starts. */
  plugins: ApolloServerPlugin<TContext>[];
  /** Apollo's stringifyResult. */
  stringifyResult: (result: FormattedExecutionResult) => string;
  logger: GraphQLRequestContext<TContext>["logger"];
}

export class QueryLane<TContext extends BaseContext> {
  /** Requests the lane answered, and those it handed to Apollo with the context it made (for tests and benchmarks). */
  readonly counts = { answered: 0, handedOver: 0 };

  constructor(private readonly options: QueryLaneOptions<TContext>) {}

  /**
   * The answer to a POST of JSON (`req.body` read), or what Apollo needs to answer it: the context,
   * once made, so that Apollo serves the request with the same one (and any result computed).
   */
  async answer(req: IncomingMessage & { body?: unknown }, context: () => Promise<TContext>): Promise<LaneAnswer | LaneHandover<TContext> | null> {
    const body = req.body;
    if (!isPlainObject(body) || body.extensions !== undefined) return null;
    const { query, operationName, variables } = body;
    if (typeof query !== "string" || query === "") return null;
    if (operationName !== undefined && operationName !== null && typeof operationName !== "string") return null;
    if (variables !== undefined && variables !== null && !isPlainObject(variables)) return null;
    const document = this.options.documents.documentFor(query);
    if (!document) return null;
    const operation = getOperationAST(document, operationName);
    if (!operation || operation.operation !== "query") return null;
    const headers = headerMapOf(req);
    const contentType = contentTypeFor(headers.get("accept"));
    if (contentType === null) return null;

    let contextValue: TContext;
    try {
      contextValue = await context();
    } catch {
      // Apollo makes it again, and answers the failure as it answers any.
      return null;
    }
    const requestContext = {
      logger: this.options.logger,
      schema: this.options.operations.schema,
      request: {
        query,
        operationName: operationName ?? undefined,
        variables: variables ?? undefined,
        extensions: undefined,
        http: { method: "POST", headers, search: parseUrl(req.url ?? "").search ?? "", body },
      },
      response: { http: { headers: new HeaderMap(), status: undefined as number | undefined } },
      contextValue,
      metrics: {},
      requestIsBatched: false,
      source: query,
      document,
      operation,
      operationName: operation.name?.value ?? null,
    } as unknown as GraphQLRequestContext<TContext>;
    const handover: LaneHandover<TContext> = { contextValue };

    const listeners: GraphQLRequestListener<TContext>[] = [];
    for (const plugin of this.options.plugins) {
      const listener = await plugin.requestDidStart?.(requestContext);
      if (!listener) continue;
      if (UNSUPPORTED_HOOKS.some((hook) => listener[hook] !== undefined)) return this.handOver(handover);
      listeners.push(listener);
    }
    try {
      for (const listener of listeners) await listener.didResolveSource?.(requestContext as never);
      for (const listener of listeners) await listener.didResolveOperation?.(requestContext as never);
    } catch {
      // A refusal: Apollo calls the hooks again and answers it.
      return this.handOver(handover);
    }

    let result: ExecutionResult;
    try {
      result = await this.options.operations.execute({
        document,
        operationName: requestContext.request.operationName,
        variables: requestContext.request.variables,
        contextValue,
      });
    } catch (thrown) {
      handOver(contextValue, { thrown });
      return this.handOver(handover);
    }
    if (result.errors !== undefined || !("data" in result)) {
      handOver(contextValue, { result });
      return this.handOver(handover);
    }
    const response = requestContext.response as { http: { headers: HeaderMap; status?: number }; body?: unknown };
    response.body = { kind: "single", singleResult: { ...result, errors: undefined } };
    for (const listener of listeners) await listener.willSendResponse?.(requestContext as never);
    if (!response.http.headers.get("content-type")) response.http.headers.set("content-type", contentType);
    const single = (response.body as { singleResult: ExecutionResult }).singleResult;
    // Apollo's order of a result's fields (orderExecutionResultFields).
    const text = this.options.stringifyResult({ errors: undefined, data: single.data, extensions: single.extensions });
    this.counts.answered += 1;
    return { status: response.http.status ?? 200, headers: response.http.headers, body: text };
  }

  private handOver(handover: LaneHandover<TContext>): LaneHandover<TContext> {
    this.counts.handedOver += 1;
    return handover;
  }
}

/** Whether the lane answered (else it hands over, or leaves the request to Apollo whole). */
export function isLaneAnswer<TContext>(value: LaneAnswer | LaneHandover<TContext> | null): value is LaneAnswer {
  return value !== null && "body" in value;
}
