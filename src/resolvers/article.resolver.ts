import { Arg, Args, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from "type-graphql";
import type { Context } from "../context";
import { articleList, commentsOfArticles } from "../db/lists";
import { Article, RelatedLink, Tag } from "../entities";
import { userError } from "../errors";
import { listConnection, toConnection } from "../loaders/page.loader";
import { pageWindow } from "../schema/connection";
import type { Page } from "../schema/connection";
import { idOfType, toGlobalId } from "../schema/global-id";
import { ArticlesArgs } from "./types/article.input";
import { CommentConnectionArgs } from "./types/connection.args";
import { ArticleConnection, CommentConnection, connectionCost } from "./types/connections";
import { Comment } from "../entities";

@Resolver(() => Article)
export class ArticleResolver {
  @Query(() => Article, { nullable: true, description: "One article by global id or by slug." })
  async article(
    @Ctx() ctx: Context,
    // type-graphql lists arguments last-decorated first; this order gives (id, slug) in the schema.
    @Arg("slug", () => String, { nullable: true }) slug?: string | null,
    @Arg("id", () => ID, { nullable: true }) id?: string | null,
  ): Promise<Article | null> {
    if ((id == null) === (slug == null)) throw userError(`pass exactly one of "id" and "slug"`);
    if (id != null) {
      const rowId = idOfType(id, "Article");
      return rowId === null ? null : ctx.loaders.articleById.load(rowId);
    }
    return ctx.read.getRepository(Article).findOneBy({ slug: slug! });
  }

  @Query(() => ArticleConnection, { complexity: connectionCost })
  articles(@Ctx() ctx: Context, @Args(() => ArticlesArgs) args: ArticlesArgs): Promise<Page<Article>> {
    const where = args.where ?? {};
    if (where.publishedAfter && where.publishedBefore && where.publishedAfter >= where.publishedBefore) {
      throw userError(`"publishedAfter" must be earlier than "publishedBefore"`);
    }
    const spec = articleList(where, args.orderBy);
    return listConnection(ctx.read, spec, pageWindow(args, spec.sort.length), ctx.loaders.articleById);
  }

  @FieldResolver(() => ID)
  id(@Root() article: Article): string {
    return toGlobalId("Article", article.id);
  }

  @FieldResolver(() => [Tag])
  tags(@Root() article: Article, @Ctx() ctx: Context): Promise<Tag[]> {
    return ctx.loaders.tagsByArticle.load(article.id);
  }

  @FieldResolver(() => [RelatedLink])
  relatedLinks(@Root() article: Article, @Ctx() ctx: Context): Promise<RelatedLink[]> {
    return ctx.loaders.relatedLinksByArticle.load(article.id);
  }

  @FieldResolver(() => CommentConnection, {
    complexity: connectionCost,
    description: "Top-level comments only; replies hang off each comment. Deleted comments with replies stay as tombstones.",
  })
  async comments(@Root() article: Article, @Ctx() ctx: Context, @Args(() => CommentConnectionArgs) args: CommentConnectionArgs): Promise<Page<Comment>> {
    const window = pageWindow(args, commentsOfArticles(args.orderBy).sort.length);
    const idPage = await ctx.loaders.commentPagesByArticle.load({ parent: article.id, window, order: args.orderBy });
    return toConnection(idPage, ctx.loaders.commentById, () => ctx.loaders.listedCommentCountByArticle.load(article.id));
  }

  @FieldResolver(() => Int, { description: "Every visible comment, replies included; deleted comments are not counted." })
  commentCount(@Root() article: Article, @Ctx() ctx: Context): Promise<number> {
    return ctx.loaders.commentCountByArticle.load(article.id);
  }
}
