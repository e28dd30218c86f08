import { Arg, Ctx, Mutation, Resolver } from "type-graphql";
import type { Context } from "../context";
import { freshReads } from "./fresh-reads";
import { userError } from "../errors";
import { ArticleInputError, readArticleInput } from "../ingest/article-input";
import { upsertArticle } from "../ingest/upsert-article";
import { ArticleInput, ArticlePayload } from "./types/article-upsert.types";
import { requireService } from "./write-access";

@Resolver()
export class ArticleMutationResolver {
  @Mutation(() => ArticlePayload, {
    nullable: true,
    description:
      "Creates an article of the newsroom's site, or updates the one with the same externalId (else the same url; else an imported " +
      "article with the same title and publication time that has no url yet). An update writes only the fields given and keeps the " +
      "article's slug, comments, counts and moderation; the same input twice writes nothing the second time. Needs the service token " +
      "(API_TOKEN): a signed-in reader is FORBIDDEN, a caller without a token UNAUTHENTICATED. An input the service will not store " +
      "is BAD_USER_INPUT naming the field (extensions.field), and nothing is written.",
  })
  async upsertArticle(
    @Ctx() ctx: Context,
    @Arg("input", () => ArticleInput, { description: "The article as the CMS has it." }) input: ArticleInput,
  ): Promise<ArticlePayload> {
    requireService(ctx, "upsertArticle");
    let result: Awaited<ReturnType<typeof upsertArticle>>;
    try {
      result = await upsertArticle(ctx.db, readArticleInput({ ...input }));
    } catch (error) {
      if (error instanceof ArticleInputError) {
        throw userError(`"input.${error.field}": ${error.problem}`, { argumentName: "input", field: `input.${error.field}` });
      }
      throw error;
    }
    freshReads(ctx);
    const article = await ctx.loaders.articleById.load(result.articleId);
    // Only reachable if the article was removed between the commit and this read.
    if (!article) throw new Error(`upserted article ${result.articleId} is gone`);
    return { article, created: result.status === "created" };
  }
}
