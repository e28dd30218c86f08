import type { RequestHandler } from "express";
import { GRAPHIQL_PATH } from "./reader-app.routes";

/**
 * A GET of the endpoint with no operation in it (a curl, a health probe pointed at the wrong
 * path, a link followed from somewhere): a short hint instead of Apollo's "must contain a
 * non-empty query" with a stack trace. Browsers outside production still get Sandbox, and a GET
 * that carries a query or a persisted-query hash goes on to Apollo.
 */
export function plainGetHint(options: { production: boolean; graphqlPath: string }): RequestHandler {
  const explorers = options.production ? "" : ` Open it in a browser for Apollo Sandbox, or ${GRAPHIQL_PATH} for GraphiQL (works offline).`;
  const message =
    `This is Threadline's GraphQL endpoint. Send an operation as POST ${options.graphqlPath} with ` +
    `"content-type: application/json" and a body like {"query": "query Latest { articles(first: 5) { nodes { title } } }"}.` +
    explorers;
  return (req, res, next) => {
    if (req.method !== "GET" || req.query.query !== undefined || req.query.extensions !== undefined) return next();
    if (!options.production && req.accepts(["application/json", "text/html"]) === "text/html") return next();
    res.status(400).json({ errors: [{ message, extensions: { code: "BAD_REQUEST" } }] });
  };
}
