/**
 * POST /graphql with a JSON body, served on node's http request straight to Apollo Server, the way
 * Apollo's own integrations do (`executeHTTPGraphQLRequest`), without express's router.
 *
 * Why: a title list (q4 of `npm run bench:compare`) spends most of its CPU outside its resolvers,
 * and express's router, its request and response wrappers and the express integration took about
 * a quarter of its time (1,288 req/s through express, 1,761 without, in one bench:compare run).
 * Every other request (GET, a preflight, another content type, the app, /health, and any POST
 * while the server drains) still goes through express, which answers it as before.
 *
 * The body is read by body-parser's JSON parser, the same middleware express.json() is, with the
 * same limit, so a body too large, not JSON, compressed or in another charset is read or refused
 * exactly as before; refusals are answered by `bodyErrorResponse`. CORS headers come from the same
 * `cors` middleware. The answer is written as Apollo gives it: its status, headers and body
 * (compressed, as every answer, by the hook server.ts runs before this path: http/compression.ts).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { parse as parseUrl } from "node:url";
import { ApolloServer, BaseContext, HeaderMap } from "@apollo/server";
import bodyParser from "body-parser";
import cors from "cors";
import { headerMapOf, isLaneAnswer, QueryLane } from "./query-lane";

/** A refused body as the JSON error answer: status, and the body to send. */
export interface BodyErrorResponse {
  status: number;
  body: { errors: { message: string; extensions: { code: string } }[] };
}

/**
 * The answer to a body that body-parser refused, or null for an error that is not about the body.
 * express's error handler and the direct path both answer with it.
 */
export function bodyErrorResponse(error: unknown, bodyLimit: string): BodyErrorResponse | null {
  const status = (error as { status?: number } | null)?.status;
  const message = (error as Error | null)?.message ?? String(error);
  if (status === 413) return badRequest(413, `request body is larger than ${bodyLimit}`);
  if (status === 400) return badRequest(400, `request body is not valid JSON: ${message}`);
  // An unsupported charset or content encoding (415), or another refusal of the client's body.
  if (typeof status === "number" && status >= 400 && status < 500) return badRequest(status, `request body refused: ${message}`);
  return null;
}

function badRequest(status: number, message: string): BodyErrorResponse {
  return { status, body: { errors: [{ message, extensions: { code: "BAD_REQUEST" } }] } };
}

/** Whether this request is one the direct path serves: a POST of JSON to the GraphQL path. */
export function isGraphqlJsonPost(req: IncomingMessage, graphqlPath: string): boolean {
  if (req.method !== "POST") return false;
  const url = req.url ?? "";
  const end = url.indexOf("?");
  if ((end === -1 ? url : url.slice(0, end)) !== graphqlPath) return false;
  const type = req.headers["content-type"];
  if (type === undefined) return false;
  const semicolon = type.indexOf(";");
  return (semicolon === -1 ? type : type.slice(0, semicolon)).trim().toLowerCase() === "application/json";
}

/**
 * Runs `work` in the request's turn, as GET requests take theirs (server.ts: who is calling, then
 * Admission.admit), and gives it the request's context.
 */
export type AdmitRequest<TContext> = (req: IncomingMessage, res: ServerResponse, work: (context: () => Promise<TContext>) => Promise<void>) => Promise<void>;

export interface GraphqlPostOptions<TContext extends BaseContext> {
  bodyLimit: string;
  admit: AdmitRequest<TContext>;
  /** Runs the request's work, in its turn (the statement tally outside production wraps it); default: as is. */
  around?: <T>(work: () => Promise<T>) => Promise<T>;
  /** Answers from the response cache, before the request takes its turn (true: answered); default: never. */
  serveCached?: (req: IncomingMessage & { body?: unknown }, res: ServerResponse) => boolean;
  /** An error that is neither the client's body nor answered by Apollo: the last resort. */
  onError: (error: unknown, req: IncomingMessage, res: ServerResponse) => void;
  /** Answers repeated queries without Apollo's pipeline when all goes well (query-lane.ts); default: none. */
  lane?: QueryLane<TContext>;
}

type Next = (error?: unknown) => void;

/** The handler for requests `isGraphqlJsonPost` picks. */
export function graphqlPostHandler<TContext extends BaseContext>(
  apollo: ApolloServer<TContext>,
  options: GraphqlPostOptions<TContext>,
): (req: IncomingMessage, res: ServerResponse) => void {
  const allowOrigins = cors() as unknown as (req: IncomingMessage, res: ServerResponse, next: Next) => void;
  const readJson = bodyParser.json({ limit: options.bodyLimit }) as unknown as (req: IncomingMessage, res: ServerResponse, next: Next) => void;
  const around = options.around ?? (<T>(work: () => Promise<T>) => work());

  /** A whole answer: its status, its headers in their order, and its text. */
  function send(res: ServerResponse, status: number | undefined, headers: HeaderMap, text: string): void {
    for (const [key, value] of headers) res.setHeader(key, value);
    res.statusCode = status ?? 200;
    // Encoded once, here: given the string, node would measure it for Content-Length and then
    // encode it again into a copy of its own for the socket.
    const body = Buffer.from(text, "utf8");
    res.setHeader("content-length", body.length);
    res.end(body);
  }

  async function answer(req: IncomingMessage & { body?: unknown }, res: ServerResponse, context: () => Promise<TContext>): Promise<void> {
    if (options.lane) {
      const fromLane = await options.lane.answer(req, context);
      if (isLaneAnswer(fromLane)) return send(res, fromLane.status, fromLane.headers, fromLane.body);
      // Apollo serves it with the context the lane made (and any result it computed).
      if (fromLane) context = async () => fromLane.contextValue;
    }
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: "POST", headers: headerMapOf(req), search: parseUrl(req.url ?? "").search ?? "", body: req.body },
      context,
    });
    if (response.body.kind === "complete") return send(res, response.status, response.headers, response.body.string);
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  return (req, res) => {
    allowOrigins(req, res, (corsError) => {
      if (corsError) return options.onError(corsError, req, res);
      readJson(req, res, (bodyError) => {
        if (bodyError) {
          const refusal = bodyErrorResponse(bodyError, options.bodyLimit);
          if (!refusal) return options.onError(bodyError, req, res);
          res.statusCode = refusal.status;
          res.setHeader("content-type", "application/json; charset=utf-8");
          res.end(JSON.stringify(refusal.body));
          return;
        }
        if (options.serveCached?.(req, res)) return;
        options.admit(req, res, (context) => around(() => answer(req, res, context))).catch((error: unknown) => options.onError(error, req, res));
      });
    });
  };
}
