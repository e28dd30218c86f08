import { DocumentNode, GraphQLError, GraphQLSchema, validate } from "graphql";
import depthLimit from "graphql-depth-limit";
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from "graphql-query-complexity";

/**
 * Limits for a public endpoint. The budget admits a page of 20 articles with
 * 20 comments each, their commenters and 10 replies per comment (README's
 * "deep page" example); a request for 100 x 100 x 100 is refused before any
 * resolver runs.
 */
export const MAX_DEPTH = 12;
export const MAX_COST = 25_000;

function limitError(message: string, extra: Record<string, unknown>): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "GRAPHQL_VALIDATION_FAILED", ...extra } });
}

/**
 * Depth and cost of one operation, with its variables. Used by the HTTP
 * server's plugin and by graphql-ws, which Apollo's validation rules do not reach.
 */
export function checkLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName?: string | null,
): GraphQLError[] {
  const depthErrors = validate(schema, document, [depthLimit(MAX_DEPTH)]);
  if (depthErrors.length > 0) {
    return depthErrors.map((error) =>
      limitError(`${error.message.replace(/\.$/, "")}: the maximum query depth is ${MAX_DEPTH}`, { maxDepth: MAX_DEPTH }),
    );
  }
  let cost: number;
  try {
    cost = getComplexity({
      schema,
      query: document,
      variables: variables ?? {},
      operationName: operationName ?? undefined,
      estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
    });
  } catch (error) {
    return [limitError(`could not estimate the query's cost: ${(error as Error).message}`, {})];
  }
  if (cost > MAX_COST) {
    return [
      limitError(`query cost ${cost} exceeds the limit of ${MAX_COST}: ask for smaller pages or fewer nested lists`, {
        cost,
        maxCost: MAX_COST,
      }),
    ];
  }
  return [];
}
