import { parseGraphqlExecutor } from "../../src/config";

/** Whether this run serves on the fast path (GRAPHQL_EXECUTOR=jit, the default; see docs/decisions/). */
export const fastPath = parseGraphqlExecutor(process.env.GRAPHQL_EXECUTOR) === "jit";

/** A case about the fast path itself (what it compiles, which path a request takes): skipped on GRAPHQL_EXECUTOR=graphql-js. */
export const itOnFastPath: jest.It = fastPath ? it : it.skip;
