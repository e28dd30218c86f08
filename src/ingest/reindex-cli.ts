/**
 * `npm run reindex`: rebuilds the search index of the database named by DATABASE_URL from its rows
 * (see search/rebuild-index.ts). Exit 0 when done, 1 when the database fails, 2 on a usage or
 * configuration error.
 */
import { SingleBar } from "cli-progress";
import { ConfigError, DatabaseConfig, loadConfig, redact } from "../config";
import { Database, openDataSource } from "../db/data-source";
import type { CliIo } from "./cli";
import { rebuildSearchIndex } from "../search/rebuild-index";

const USAGE = `Usage: npm run reindex

Rebuilds the search index of the database named by DATABASE_URL (default sqlite:data/threadline.sqlite)
from its articles and comments, in batches. The service may keep running; until the
rebuild ends, its searches find only what is indexed again so far.

Exit status: 0 when done, 1 when the database fails, 2 on a usage or configuration error.
`;

export async function runReindexCli(argv: string[], io: Omit<CliIo, "cwd">): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (argv.length > 0) {
    io.stderr.write(`reindex: unexpected argument ${argv[0]}\n\n${USAGE}`);
    return 2;
  }
  let database: DatabaseConfig;
  try {
    database = loadConfig(io.env).database;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`reindex: ${error.message}\n`);
    return 2;
  }
  let db: Database;
  try {
    // Writes only; read-only connections would sit idle.
    db = await openDataSource(database, { readers: 0 });
  } catch (error) {
    const where = database.type === "sqlite" ? database.path : redact(database.url);
    io.stderr.write(`reindex: cannot open the database ${where}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  const bar = io.isTTY
    ? new SingleBar({
        stream: io.stderr,
        noTTYOutput: true,
        format: "reindexing [{bar}] {percentage}% | {value}/{total} rows | ETA {eta_formatted}",
        hideCursor: true,
        etaBuffer: 50,
      })
    : null;
  try {
    let started = false;
    const summary = await rebuildSearchIndex(db, ({ done, total }) => {
      if (!started) bar?.start(total, 0);
      started = true;
      bar?.setTotal(total);
      bar?.update(done);
    });
    bar?.stop();
    io.stdout.write(
      `search index rebuilt: ${summary.articles} article${summary.articles === 1 ? "" : "s"} and ${summary.comments} comment${summary.comments === 1 ? "" : "s"} read, ` +
        `${summary.indexedArticles} articles and ${summary.indexedComments} visible comments indexed\n`,
    );
    return 0;
  } catch (error) {
    bar?.stop();
    io.stderr.write(`reindex: failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await db.destroy();
  }
}

if (require.main === module) {
  runReindexCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, isTTY: Boolean(process.stderr.isTTY), env: process.env }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`reindex: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
