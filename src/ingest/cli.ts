/**
 * `npm run seed -- [--dry-run [--json]] PATH...`: imports dump files, CMS exports (.json, .ndjson)
 * and folders of them into the configured database. Exit 0 when every article imported, 1 when
 * any was rejected (the rest still import), 2 on a usage or configuration error.
 */
import { isAbsolute, relative, resolve } from "node:path";
import { SingleBar } from "cli-progress";
import type { DataSource } from "typeorm";
import { ConfigError, DatabaseConfig, parseDatabaseUrl, redact } from "../config";
import { openDataSource } from "../db/data-source";
import { ARTICLE_INPUT_FIELDS, ArticleUpsert } from "./article-input";
import type { ParsedArticle } from "./dump.types";
import { collectDumpFiles, FileOutcome, ImportSummary, importFiles, MissingPathError } from "./import-files";

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Whether stderr is a terminal: the progress bar is drawn only then. */
  isTTY: boolean;
  cwd: string;
  env: Record<string, string | undefined>;
}

const USAGE = `Usage: npm run seed -- [options] PATH...

Imports text dumps and CMS exports into the database named by DATABASE_URL (default
sqlite:data/threadline.sqlite). Each PATH is a file or a folder, searched recursively for *.txt
(one dump each), *.ndjson (one ArticleInput object a line) and *.json (one ArticleInput object, or
an array of them) files. An export's articles are upserted as upsertArticle does, and reported
one by one: FILE:LINE for an .ndjson line, FILE#N for the Nth article of a .json array.

Options:
  --dry-run   parse only; write nothing and do not open the database
  --json      with --dry-run: print a JSON array, one entry per file, on stdout
  -h, --help  show this help

Exit status: 0 when every file imported, 1 when any file was rejected, 2 on a usage error.
`;

interface Options {
  dryRun: boolean;
  json: boolean;
  paths: string[];
}

class UsageError extends Error {}

function parseArgs(argv: string[]): Options | "help" {
  const options: Options = { dryRun: false, json: false, paths: [] };
  let optionsEnded = false;
  for (const arg of argv) {
    if (optionsEnded || !arg.startsWith("-") || arg === "-") {
      options.paths.push(arg);
    } else if (arg === "--") {
      optionsEnded = true;
    } else if (arg === "--help" || arg === "-h") {
      return "help";
    } else if (arg === "--dry-run") {
      options.dryRun = true;
    } else if (arg === "--json") {
      options.json = true;
    } else {
      throw new UsageError(`unknown option ${arg}`);
    }
  }
  if (options.json && !options.dryRun) throw new UsageError("--json needs --dry-run");
  if (options.paths.length === 0) throw new UsageError("no PATH given");
  return options;
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let options: Options | "help";
  try {
    options = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`seed: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options === "help") {
    io.stdout.write(USAGE);
    return 0;
  }

  // npm runs scripts from the project root; INIT_CWD is where the user typed the command.
  const base = io.env.INIT_CWD ?? io.cwd;
  let files: string[];
  try {
    files = await collectDumpFiles(options.paths.map((path) => resolve(base, path)));
  } catch (error) {
    if (!(error instanceof MissingPathError)) throw error;
    io.stderr.write(`seed: ${relative(base, error.path) || error.path}: no such file or folder\n`);
    return 2;
  }
  const displayName = (file: string): string => {
    const rel = relative(base, file);
    return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel : file;
  };

  if (options.dryRun) {
    const summary = await importFiles(null, files, { dryRun: true, displayName });
    io.stdout.write(options.json ? `${JSON.stringify(summary.outcomes.map(dryRunEntry), null, 2)}\n` : dryRunReport(summary));
    return summary.rejected > 0 ? 1 : 0;
  }

  let database: DatabaseConfig;
  try {
    database = parseDatabaseUrl(io.env.DATABASE_URL);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`seed: ${error.message}\n`);
    return 2;
  }
  let dataSource: DataSource;
  try {
    // The seed command only writes; read-only connections would sit idle.
    dataSource = await openDataSource(database, { readers: 0 });
  } catch (error) {
    const where = database.type === "sqlite" ? database.path : redact(database.url);
    io.stderr.write(`seed: cannot open the database ${where}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }

  // cli-progress rather than hand-written "\r" output: it throttles redraws (an import runs
  // hundreds of files a second), computes the ETA, and copes with terminal width and resizes.
  const bar = io.isTTY
    ? new SingleBar({
        stream: io.stderr,
        format: "seeding [{bar}] {percentage}% | {value}/{total} files | ETA {eta_formatted}",
        hideCursor: true,
        etaBuffer: 200,
      })
    : null;
  try {
    bar?.start(files.length, 0);
    const summary = await importFiles(dataSource, files, {
      displayName,
      onProgress: (done) => bar?.update(done),
    });
    bar?.stop();
    io.stdout.write(importReport(summary));
    return summary.rejected > 0 ? 1 : 0;
  } catch (error) {
    bar?.stop();
    io.stderr.write(`seed: import failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await dataSource.destroy();
  }
}

/** The contract's entry: exactly these keys, article fields named as in the GraphQL schema. */
function dryRunEntry(outcome: FileOutcome) {
  const ok = outcome.status !== "rejected";
  return {
    file: outcome.file,
    ok,
    article: !ok ? null : outcome.parsed ? articleJson(outcome.parsed) : outcome.upsert ? upsertJson(outcome.upsert) : null,
    warnings: outcome.warnings,
    error: ok ? null : (outcome.error ?? "rejected"),
  };
}

function articleJson(article: ParsedArticle) {
  return {
    title: article.title,
    publishedAt: article.publishedAt.toISOString(),
    section: article.section,
    imageCaption: article.imageCaption,
    imageCredit: article.imageCredit,
    dateline: article.dateline,
    paragraphs: article.paragraphs,
    relatedLinks: article.relatedLinks.map((link) => ({ title: link.title })),
    tags: article.tags,
    comments: article.comments.map((comment) => ({ author: comment.author, hasAvatar: comment.hasAvatar, body: comment.body })),
  };
}

/** An export's article as checked: the ArticleInput fields it gives, in the schema's order. */
function upsertJson(upsert: ArticleUpsert) {
  const json: Record<string, unknown> = {};
  for (const field of ARTICLE_INPUT_FIELDS) {
    const value = upsert[field];
    if (value !== undefined) json[field] = value instanceof Date ? value.toISOString() : value;
  }
  return json;
}

/** "3 files", or "3 files, 12 articles" when exports held several. */
function counted(summary: ImportSummary): string {
  const files = `${summary.files} file${summary.files === 1 ? "" : "s"}`;
  const total = summary.outcomes.length;
  return total === summary.files ? files : `${files}, ${total} article${total === 1 ? "" : "s"}`;
}

/** Long runs can warn about thousands of files; the first ones show the pattern. */
const WARNINGS_SHOWN = 20;

function importReport(summary: ImportSummary): string {
  const lines = [
    `${counted(summary)}: ${summary.imported} imported, ${summary.updated} updated, ` + `${summary.unchanged} unchanged, ${summary.rejected} rejected`,
  ];
  return lines.concat(details(summary)).join("\n") + "\n";
}

function dryRunReport(summary: ImportSummary): string {
  const lines = [`dry run, nothing written. ${counted(summary)}: ${summary.parsed} would import, ${summary.rejected} rejected`];
  return lines.concat(details(summary)).join("\n") + "\n";
}

function details(summary: ImportSummary): string[] {
  const lines: string[] = [];
  const rejected = summary.outcomes.filter((outcome) => outcome.status === "rejected");
  if (rejected.length > 0) {
    lines.push("Rejected:");
    // The parser's message already names the file (and the line); others get the file prepended.
    for (const outcome of rejected) {
      const reason = outcome.error ?? "rejected";
      lines.push(`  ${reason.startsWith(`${outcome.file}:`) ? reason : `${outcome.file}: ${reason}`}`);
    }
  }
  const warned = summary.outcomes.filter((outcome) => outcome.status !== "rejected" && outcome.warnings.length > 0);
  if (warned.length > 0) {
    lines.push("Warnings:");
    for (const outcome of warned.slice(0, WARNINGS_SHOWN)) {
      for (const warning of outcome.warnings) lines.push(`  ${outcome.file}: ${warning}`);
    }
    if (warned.length > WARNINGS_SHOWN) lines.push(`  ... and ${warned.length - WARNINGS_SHOWN} more files with warnings`);
  }
  return lines;
}

if (require.main === module) {
  runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    isTTY: Boolean(process.stderr.isTTY),
    cwd: process.cwd(),
    env: process.env,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`seed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
