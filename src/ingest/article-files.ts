/**
 * A CMS export for the seed command: `.ndjson` (one ArticleInput object a line) or `.json` (one
 * object, or an array of them). Pure text -> checked articles; knows nothing of the database.
 *
 * Each article is its own entry in the seed's report, named by where it stands: `FILE:LINE` for a
 * line of an .ndjson file, `FILE#N` for the Nth element (from 1) of a .json array, and `FILE` for
 * a .json file that holds one object. A file that cannot be read as a whole (not JSON, no
 * article in it) is one rejected entry named `FILE`.
 */
import { ArticleInputError, ArticleUpsert, readArticleInput } from "./article-input";
import { ImportError } from "./import";

export type ArticleFileKind = "json" | "ndjson";

export interface ArticleEntry {
  /** Where the article stands, as the report names it. */
  file: string;
  upsert?: ArticleUpsert;
  /** Why it was refused: "FILE:LINE: reason" or "FILE: reason". */
  error?: string;
}

/** Which reader a seed file takes, by its extension; null for a text dump. */
export function articleFileKind(file: string): ArticleFileKind | null {
  const lower = file.toLowerCase();
  if (lower.endsWith(".ndjson")) return "ndjson";
  if (lower.endsWith(".json")) return "json";
  return null;
}

export function readArticleFile(text: string, file: string, kind: ArticleFileKind): ArticleEntry[] {
  // An editor's byte-order mark is no part of the JSON.
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const entries = kind === "ndjson" ? ndjsonEntries(body, file) : jsonEntries(body, file);
  return entries.length > 0 ? entries : [{ file, error: `${file}: holds no article` }];
}

function ndjsonEntries(text: string, file: string): ArticleEntry[] {
  const entries: ArticleEntry[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    const where = `${file}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      entries.push({ file: where, error: `${where}: not JSON: ${jsonProblem(error)}` });
      return;
    }
    entries.push(checked(value, where));
  });
  return entries;
}

function jsonEntries(text: string, file: string): ArticleEntry[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const line = lineOfPosition(text, error);
    return [{ file, error: `${file}: ${line === null ? "" : `line ${line}: `}not JSON: ${jsonProblem(error)}` }];
  }
  if (!Array.isArray(value)) return [checked(value, file)];
  return value.map((item, i) => checked(item, `${file}#${i + 1}`));
}

function checked(value: unknown, where: string): ArticleEntry {
  try {
    return { file: where, upsert: readArticleInput(value) };
  } catch (error) {
    if (error instanceof ArticleInputError || error instanceof ImportError) return { file: where, error: `${where}: ${error.message}` };
    throw error;
  }
}

function jsonProblem(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The 1-based line of the "at position N" that V8's JSON.parse names, if it names one. */
function lineOfPosition(text: string, error: unknown): number | null {
  const match = /at position (\d+)/.exec(jsonProblem(error));
  if (!match) return null;
  return text.slice(0, Number(match[1])).split("\n").length;
}
