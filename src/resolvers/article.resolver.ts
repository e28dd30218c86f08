import type { GraphQLResolveInfo } from "graphql";
import { Arg, Args, Ctx, FieldResolver, ID, Info, Int, Query, Resolver, Root } from "type-graphql";
import type { Context } from "../context";
import { Article, Comment, ModerationMode, RelatedLink, Tag } from "../entities";
import { MAX_FEATURED_PER_ARTICLE } from "../policy";
import { userError } from "../errors";
import { normalizeArticleUrl } from "../ingest/article-input";
import type { Connection } from "../read/connection";
import { ArticleConnection, articlesCost, cappedListCost, CommentConnection, connectionCost } from "../schema/connection";
import { WRITE_LIMITS } from "../text/write-limits";
import { idOfType, toGlobalId } from "../schema/global-id";
import { plainNodeProperties, selectsField } from "../schema/selection";
import { ArticlesArgs } from "./types/article.input";
import { CommentConnectionArgs } from "./types/connection.args";

@Resolver(() => Article)
export class ArticleResolver {
  @Query(() => Article, { nullable: true, description: "One article by global id, slug, url or externalId (exactly one of them); null when there is none." })
  async article(
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
    // type-graphql lists arguments last-decorated first; this order gives (id, slug, url, externalId) in the schema.
    @Arg("externalId", () => String, { nullable: true, description: "The publisher's own id for the article (Article.externalId), compared exactly." })
    externalId?: string | null,
    @Arg("url", () => String, {
      nullable: true,
      description: "The article's URL (Article.url), compared as the WHATWG URL parser writes it, without its #fragment.",
    })
    url?: string | null,
    @Arg("slug", () => String, { nullable: true, description: "The article's slug, compared exactly." }) slug?: string | null,
    @Arg("id", () => ID, { nullable: true, description: "The article's global id." }) id?: string | null,
  ): Promise<Article | null> {
    const given = [id, slug, url, externalId].filter((value) => value != null).length;
    if (given !== 1) throw userError(`pass exactly one of "id", "slug", "url" and "externalId"`);
    if (id != null) {
      const rowId = idOfType(id, "Article");
      return rowId === null ? null : ctx.loaders.articleById.load(rowId);
    }
    // An article page reads its body with its row when it shows it.
    const withBody = selectsField(info, "paragraphs");
    if (url != null) {
      const normalized = normalizeArticleUrl(url);
      return normalized === null ? null : ctx.loaders.articles.byUrl(normalized, withBody);
    }
    if (externalId != null) return ctx.loaders.articles.byExternalId(externalId, withBody);
    return ctx.loaders.articles.bySlug(slug!, withBody);
  }

  @Query(() => ArticleConnection, {
    complexity: articlesCost,
    description: "Articles that pass where, in orderBy's order (newest first by default), a page at a time.",
  })
  articles(@Ctx() ctx: Context, @Args(() => ArticlesArgs) args: ArticlesArgs, @Info() info: GraphQLResolveInfo): Promise<Connection<Article>> {
    // A list that shows plain fields alone (titles, slugs, dates) reads only their columns.
    return ctx.loaders.articles.list(args, plainNodeProperties(info, "Article"));
  }

  @FieldResolver(() => ID, { description: "Global id: opaque, for node(id) and for the arguments that take this type's id." })
  id(@Root() article: Article): string {
    return toGlobalId("Article", article.id);
  }

  @FieldResolver(() => [String])
  paragraphs(@Root() article: Article, @Ctx() ctx: Context): Promise<string[]> {
    return ctx.loaders.articles.paragraphs(article.id);
  }

  @FieldResolver(() => [Tag], {
    complexity: cappedListCost(WRITE_LIMITS.tags),
    description: `The article's tags in the dump's order; at most ${WRITE_LIMITS.tags}.`,
  })
  tags(@Root() article: Article, @Ctx() ctx: Context): Promise<Tag[]> {
    return ctx.loaders.tags.forArticle(article.id);
  }

  @FieldResolver(() => [RelatedLink], {
    complexity: cappedListCost(WRITE_LIMITS.relatedLinks),
    description: `Related headlines in the dump's order; at most ${WRITE_LIMITS.relatedLinks}.`,
  })
  async relatedLinks(@Root() article: Article, @Ctx() ctx: Context): Promise<RelatedLink[]> {
    // Imports refuse more; the cap also holds for rows stored before that rule.
    return (await ctx.loaders.relatedLinksByArticle.load(article.id)).slice(0, WRITE_LIMITS.relatedLinks);
  }

  @FieldResolver(() => CommentConnection, {
    complexity: connectionCost,
    description:
      "Top-level comments; replies hang off each comment. Deleted ones are listed as tombstones while a visible comment " +
      "hangs below them (see Comment.isDeleted). totalCount counts what is listed, tombstones included. " +
      "The public is listed PUBLISHED comments only (others become tombstones by the same rule); a signed-in reader also their own " +
      "PENDING and REJECTED ones; moderators and the service token every comment that is not deleted (see Comment.isTombstone).",
  })
  comments(
    @Root() article: Article,
    @Ctx() ctx: Context,
    @Args(() => CommentConnectionArgs) args: CommentConnectionArgs,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Connection<Comment>> {
    return ctx.loaders.comments.forArticle(article.id, args, selectsField(info, "totalCount"));
  }

  @FieldResolver(() => Int, {
    description:
      "Every visible comment of the article (not deleted, and PUBLISHED), replies at any depth included: exactly the visible comments " +
      "the public reaches from comments. Tombstones are not counted. It is the public's count for every caller: moderators and authors " +
      "see unpublished comments in the lists that this count leaves out.",
  })
  commentCount(@Root() article: Article): number {
    return article.commentCount;
  }

  @FieldResolver(() => [Comment], {
    complexity: cappedListCost(MAX_FEATURED_PER_ARTICLE),
    description:
      `Comments moderators featured (featureComment), most recently featured first; at most ${MAX_FEATURED_PER_ARTICLE}. ` +
      "The same list for every caller: a featured comment that is later deleted, held or rejected leaves it, and stops counting toward the cap.",
  })
  featuredComments(@Root() article: Article, @Ctx() ctx: Context): Promise<Comment[]> {
    return ctx.loaders.comments.featured(article.id);
  }

  @FieldResolver(() => ModerationMode, {
    description: "The article's moderation mode: as setArticleModeration set it, or the server's MODERATION setting (default POST) when it never was.",
  })
  moderation(@Root() article: Article, @Ctx() ctx: Context): ModerationMode {
    return article.moderation ?? (ctx.rules.moderation === "PRE" ? ModerationMode.PRE : ModerationMode.POST);
  }
}
