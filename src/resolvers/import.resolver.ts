import { Args, Ctx, Mutation, Resolver } from "type-graphql";
import type { Context } from "../context";
import { userError } from "../errors";
import { ImportStatus } from "../ingest/import";
import { importDumpText } from "../ingest/import-text";
import { DumpError } from "../ingest/parse-dump";
import { ImportDumpArgs, ImportDumpPayload, ImportDumpStatus, MAX_FILE_NAME_LENGTH } from "./types/import.types";
import { freshReads } from "./fresh-reads";
import { requireService } from "./write-access";

const STATUS: Record<ImportStatus, ImportDumpStatus> = {
  imported: ImportDumpStatus.IMPORTED,
  updated: ImportDumpStatus.UPDATED,
  unchanged: ImportDumpStatus.UNCHANGED,
};

@Resolver()
export class ImportResolver {
  @Mutation(() => ImportDumpPayload, {
    nullable: true,
    description:
      "Imports one dump, as `npm run seed` does: a new article, an update of the article with the same title and " +
      "publication time, or nothing when it already matches. Needs the service token (API_TOKEN); a signed-in reader, moderators included, is FORBIDDEN. A dump the parser rejects is " +
      "BAD_USER_INPUT with the parser's reason, and nothing is written.",
  })
  async importDump(@Ctx() ctx: Context, @Args(() => ImportDumpArgs) args: ImportDumpArgs): Promise<ImportDumpPayload> {
    requireService(ctx, "importDump");
    const fileName = args.fileName?.trim() || undefined;
    if (fileName !== undefined && fileName.length > MAX_FILE_NAME_LENGTH) {
      throw userError(`"fileName" is longer than ${MAX_FILE_NAME_LENGTH} characters`, { argumentName: "fileName" });
    }
    let imported: Awaited<ReturnType<typeof importDumpText>>;
    try {
      imported = await importDumpText(ctx.db, args.text, fileName);
    } catch (error) {
      if (error instanceof DumpError) throw userError(`the dump was rejected: ${error.message}`, { argumentName: "text" });
      throw error;
    }
    freshReads(ctx);
    const article = await ctx.loaders.articleById.load(imported.result.articleId);
    // Only reachable if the article was removed between the commit and this read.
    if (!article) throw new Error(`imported article ${imported.result.articleId} is gone`);
    return { article, warnings: imported.warnings, status: STATUS[imported.result.status] };
  }
}
