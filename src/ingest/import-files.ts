/**
 * Dump files and CMS exports on disk -> importer. Shared by the seed command and by server start,
 * so both read, parse and report files the same way. A text dump is one article; an .ndjson or
 * .json export holds ArticleInput objects (see article-files.ts), each reported on its own.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { DataSource } from "typeorm";
import { refreshStatistics } from "../db/statistics";
import { Article } from "../entities";
import { ArticleEntry, articleFileKind, readArticleFile } from "./article-files";
import type { ArticleUpsert } from "./article-input";
import type { ParsedArticle } from "./dump.types";
import { ImportError, ImportResult, ImportStatus, importArticles } from "./import";
import { UpsertResult, upsertArticles } from "./upsert-article";
import { DumpError, parseDump } from "./parse-dump";

/** "parsed" is what a dry run reports for a good file: it did not ask the database what would happen. */
export type FileStatus = ImportStatus | "rejected" | "parsed";

/** One article's outcome: a dump file's, or one article's of an export (named FILE:LINE, FILE#N or FILE). */
export interface FileOutcome {
  file: string;
  status: FileStatus;
  warnings: string[];
  /** Why the file was rejected: the parser's message (naming file and line) or the importer's. */
  error?: string;
  /** What the parser made of the file: kept for dry runs and for files the database refused. */
  parsed?: ParsedArticle;
  /** What an export's entry says, checked: kept for dry runs and for entries the database refused. */
  upsert?: ArticleUpsert;
  articleId?: number;
}

export interface ImportSummary {
  imported: number;
  updated: number;
  unchanged: number;
  rejected: number;
  /** Dry runs only: files that parsed. */
  parsed: number;
  /** Files read; fewer than outcomes when an export held several articles. */
  files: number;
  outcomes: FileOutcome[];
}

export interface ImportFilesOptions {
  /** Parse only; the data source is not touched (and may be null). */
  dryRun?: boolean;
  /** How a file is named in outcomes and messages (the CLI shows paths relative to where it ran). */
  displayName?: (file: string) => string;
  /** Called after each article, in file order: `done` of `total` files are through. */
  onProgress?: (done: number, total: number, outcome: FileOutcome) => void;
}

/** A named path that does not exist: the CLI reports it as a usage error. */
export class MissingPathError extends Error {
  constructor(readonly path: string) {
    super(`${path}: no such file or folder`);
    this.name = "MissingPathError";
  }
}

/**
 * The files under the given paths: a named file is taken as it is, a folder contributes every
 * `*.txt`, `*.json` and `*.ndjson` below it. Sorted, so imports (and their slug suffixes) are
 * reproducible.
 */
export async function collectDumpFiles(paths: string[]): Promise<string[]> {
  const found = new Set<string>();
  for (const path of paths) {
    const full = resolve(path);
    const info = await stat(full).catch(() => null);
    if (!info) throw new MissingPathError(path);
    if (info.isDirectory()) {
      for (const file of await walk(full)) found.add(file);
    } else {
      found.add(full);
    }
  }
  return [...found].sort();
}

async function walk(folder: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const full = join(folder, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(full)));
    else if (entry.isFile() && (entry.name.toLowerCase().endsWith(".txt") || articleFileKind(entry.name) !== null)) out.push(full);
  }
  return out;
}

/**
 * Articles per importArticles (or upsertArticles) call. Large enough that statement overhead is
 * shared by many articles, small enough that progress moves smoothly and a batch that has to be redone one by one
 * (because one dump in it failed) costs little.
 */
const BATCH_SIZE = 100;

const READ_AHEAD = 16;

/**
 * Imports the files, each whole or not at all; a bad file is reported and the rest go on.
 * Outcomes come back in file order. While one batch is written (SQLite works on its own thread),
 * the next batch is read and parsed. When anything was written, the planner's statistics are
 * refreshed at the end (see refreshStatistics), before the summary is returned.
 */
export async function importFiles(dataSource: DataSource | null, files: string[], options: ImportFilesOptions = {}): Promise<ImportSummary> {
  if (!options.dryRun && !dataSource) throw new Error("importFiles needs a data source unless dryRun is set");
  const outcomes: FileOutcome[] = [];
  // Which file each outcome came from (an export gives several), and whether it is the file's last.
  const fileOf: number[] = [];
  const lastOfFile: boolean[] = [];
  // Progress goes in file order: an article waits to be reported until its batch is written.
  const settled: boolean[] = [];
  let reported = 0;
  const report = () => {
    for (; reported < outcomes.length && settled[reported]; reported++) {
      options.onProgress?.(fileOf[reported] + (lastOfFile[reported] ? 1 : 0), files.length, outcomes[reported]);
    }
  };

  let inFlight: Promise<void> = Promise.resolve();
  // Dumps and export entries, in file order; a batch is written as runs of one kind.
  let batch: ({ index: number; parsed: ParsedArticle } | { index: number; upsert: ArticleUpsert })[] = [];
  const settle = (index: number, result: ImportResult | UpsertResult | ImportError) => {
    const outcome = outcomes[index];
    settled[index] = true;
    if (result instanceof ImportError) {
      outcome.status = "rejected";
      outcome.error = `${outcome.file}: ${result.reason}`;
    } else {
      outcome.status = result.status === "created" ? "imported" : result.status;
      outcome.articleId = result.articleId;
      // Written now; holding every parsed article of a 10,000-file seed would only cost memory.
      delete outcome.parsed;
      delete outcome.upsert;
    }
  };
  const write = async (db: DataSource, items: typeof batch) => {
    for (let start = 0; start < items.length;) {
      const dumps = "parsed" in items[start];
      let end = start;
      while (end < items.length && "parsed" in items[end] === dumps) end++;
      const run = items.slice(start, end);
      const results: (ImportResult | UpsertResult | ImportError)[] = dumps
        ? await importArticles(
            db,
            run.map((item) => (item as { parsed: ParsedArticle }).parsed),
          )
        : await upsertArticles(
            db,
            run.map((item) => (item as { upsert: ArticleUpsert }).upsert),
          );
      results.forEach((result, i) => settle(run[i].index, result));
      start = end;
    }
    report();
  };
  const flush = async () => {
    const current = batch;
    batch = [];
    // Keep at most one batch writing while the next is parsed; a database failure surfaces here.
    await inFlight;
    if (current.length === 0 || !dataSource) return;
    inFlight = write(dataSource, current);
    // Nothing awaits a failed batch until the next flush; this keeps Node from calling it unhandled.
    inFlight.catch(() => undefined);
  };

  // A few reads ahead, so parsing never waits on the disk one file at a time.
  const reads: Promise<string | NodeJS.ErrnoException>[] = [];
  const readAhead = (upTo: number) => {
    for (let i = reads.length; i < Math.min(upTo, files.length); i++) {
      reads.push(readUtf8(files[i]).catch((error: NodeJS.ErrnoException) => error));
    }
  };

  /** One article of an export: refused now, shown (dry run), or queued for writing. */
  const take = async (entry: ArticleEntry, fileIndex: number, last: boolean) => {
    const index = outcomes.length;
    fileOf.push(fileIndex);
    lastOfFile.push(last);
    if (!entry.upsert) {
      outcomes.push({ file: entry.file, status: "rejected", warnings: [], error: entry.error });
    } else if (options.dryRun || !dataSource) {
      outcomes.push({ file: entry.file, status: "parsed", warnings: [], upsert: entry.upsert });
    } else {
      outcomes.push({ file: entry.file, status: "rejected", warnings: [], upsert: entry.upsert });
      batch.push({ index, upsert: entry.upsert });
      if (batch.length >= BATCH_SIZE) await flush();
      return;
    }
    settled[index] = true;
    report();
  };

  for (let i = 0; i < files.length; i++) {
    const file = options.displayName ? options.displayName(files[i]) : files[i];
    readAhead(i + READ_AHEAD);
    const read = await reads[i];
    delete reads[i];
    const text = typeof read === "string" ? read : new DumpError(file, null, `cannot read: ${read.code ?? read.message}`);
    const kind = articleFileKind(files[i]);
    if (kind !== null && typeof text === "string") {
      const entries = readArticleFile(text, file, kind);
      for (let j = 0; j < entries.length; j++) await take(entries[j], i, j === entries.length - 1);
      continue;
    }
    const parsed = text instanceof DumpError ? text : parseDump(text, file);
    const index = outcomes.length;
    fileOf.push(i);
    lastOfFile.push(true);
    if (parsed instanceof DumpError) {
      outcomes.push({ file, status: "rejected", warnings: [], error: parsed.message });
    } else if (options.dryRun || !dataSource) {
      outcomes.push({ file, status: "parsed", warnings: parsed.warnings, parsed: parsed.article });
    } else {
      // The status is filled in when its batch is written.
      outcomes.push({ file, status: "rejected", warnings: parsed.warnings, parsed: parsed.article });
      batch.push({ index, parsed: parsed.article });
      if (batch.length >= BATCH_SIZE) await flush();
      continue;
    }
    settled[index] = true;
    report();
  }
  await flush();
  await inFlight;
  report();
  const summary = summarise(outcomes, files.length);
  if (dataSource && !options.dryRun && summary.imported + summary.updated > 0) await refreshStatistics(dataSource);
  return summary;
}

export function summarise(outcomes: FileOutcome[], files = outcomes.length): ImportSummary {
  const summary: ImportSummary = { imported: 0, updated: 0, unchanged: 0, rejected: 0, parsed: 0, files, outcomes };
  for (const outcome of outcomes) summary[outcome.status] += 1;
  return summary;
}

/**
 * Imports every dump in `seedsDir` when the database has no article yet; null when it had some.
 * `onStart` hears how many files there are before the first is read.
 */
export async function seedIfEmpty(
  dataSource: DataSource,
  seedsDir: string,
  options: Pick<ImportFilesOptions, "onProgress"> & { onStart?: (files: number) => void } = {},
): Promise<ImportSummary | null> {
  if ((await dataSource.getRepository(Article).count()) > 0) return null;
  const info = await stat(seedsDir).catch(() => null);
  if (!info) return summarise([]);
  const files = await collectDumpFiles([seedsDir]);
  options.onStart?.(files.length);
  return importFiles(dataSource, files, { onProgress: options.onProgress });
}

/**
 * Bytes decoded as UTF-8 without throwing: undecodable bytes become U+FFFD, which the parser
 * recognises as junk, and a byte-order mark is left for the parser to strip.
 */
async function readUtf8(file: string): Promise<string> {
  const bytes = await readFile(file);
  return new TextDecoder("utf-8", { fatal: false, ignoreBOM: true }).decode(bytes);
}
