/**
 * "PostGraphile" in `npm run bench:compare` on PostgreSQL: PostGraphile 4, the widely deployed
 * schema-from-the-database GraphQL server, as a library on node:http, over the same database
 * Threadline-on-PostgreSQL serves. It reads the views scripts/postgraphile-schema.ts makes (what
 * the public sees, nothing else) and is set up as its documentation advises for production: no
 * GraphiQL, no schema watching, no query log, no mutations, permissions read from the database.
 *
 * Its pool holds 10 connections: Threadline's PostgreSQL pool is node-postgres's default size,
 * also 10, so neither server gets more of the database at once.
 *
 * `node dist/bench/postgraphile-server.js --database URL --schema NAME --port N`
 */
import { createServer } from "node:http";
import { Pool } from "pg";
import { postgraphile } from "postgraphile";

const POOL_SIZE = 10;

function argument(argv: string[], flag: string): string {
  const index = argv.indexOf(flag);
  if (index < 0 || index + 1 >= argv.length) throw new Error(`missing ${flag}`);
  return argv[index + 1];
}

function main(): void {
  const argv = process.argv.slice(2);
  const pool = new Pool({ connectionString: argument(argv, "--database"), max: POOL_SIZE });
  const handler = postgraphile(pool, argument(argv, "--schema"), {
    graphiql: false,
    watchPg: false,
    disableQueryLog: true,
    disableDefaultMutations: true,
    ignoreRBAC: false,
    dynamicJson: true,
    setofFunctionsContainNulls: false,
    legacyRelations: "omit",
    extendedErrors: ["errcode"],
    showErrorStack: false,
    // A schema that does not build is a broken benchmark: stop at once rather than retry.
    retryOnInitFail: false,
  });
  const server = createServer(handler);
  // A normal exit, so that `node --cpu-prof` writes its profile.
  process.once("SIGINT", () => process.exit(0));
  server.listen(Number(argument(argv, "--port")), () => console.log(`PostGraphile listening on ${argument(argv, "--port")}`));
}

main();
