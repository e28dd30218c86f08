import { DocumentNode, GraphQLError, GraphQLSchema, validate } from "graphql";
import depthLimit from "graphql-depth-limit";
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from "graphql-query-complexity";

/**
 * Limits for a public endpoint. A connection costs its page size times its
 * items' cost, so the budget admits README's deep query (50 articles, 10
 * comments each with their commenters, 5 replies per comment: about 30,000)
 * and refuses 100 x 100 x 100 nested pages before any resolver runs.
 */
export const MAX_DEPTH = 12;
export const MAX_COST = 50_000;

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
