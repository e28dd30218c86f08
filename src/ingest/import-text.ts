/**
 * Dump text -> database: the parser, then the importer. What the `importDump` mutation calls; the
 * seed command's file counterpart is import-files.ts.
 */
import { DataSource } from "typeorm";
import { ImportError, importArticle, ImportResult } from "./import";
import { DumpError, parseDump } from "./parse-dump";

/**
 * Parses and imports one dump's text. Throws the parser's DumpError, or a DumpError built from
 * an ImportError, so callers map one error type to BAD_USER_INPUT.
 */
export async function importDumpText(dataSource: DataSource, text: string, fileName = "<input>"): Promise<{ result: ImportResult; warnings: string[] }> {
  const parsed = parseDump(text, fileName);
  if (parsed instanceof DumpError) throw parsed;
  try {
    const result = await importArticle(dataSource, parsed.article);
    return { result, warnings: parsed.warnings };
  } catch (error) {
    if (error instanceof ImportError) throw new DumpError(fileName, null, error.reason);
    throw error;
  }
}
