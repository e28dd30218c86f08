import { Arg, Args, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from "type-graphql";
import type { Context } from "../context";
import { articlesOfTags, tagList } from "../db/lists";
import { Article, Tag } from "../entities";
import { listConnection, toConnection } from "../loaders/page.loader";
import { pageWindow } from "../schema/connection";
import type { Page } from "../schema/connection";
import { toGlobalId } from "../schema/global-id";
import { ConnectionArgs } from "./types/connection.args";
import { ArticleConnection, connectionCost, TagConnection } from "./types/connections";

@Resolver(() => Tag)
export class TagResolver {
  @Query(() => Tag, { nullable: true })
  tag(@Ctx() ctx: Context, @Arg("slug", () => String) slug: string): Promise<Tag | null> {
    return ctx.read.getRepository(Tag).findOneBy({ slug: slug.toLowerCase() });
  }

  @Query(() => TagConnection, { complexity: connectionCost, description: "Every tag, in the order they were first seen." })
  tags(@Ctx() ctx: Context, @Args(() => ConnectionArgs) args: ConnectionArgs): Promise<Page<Tag>> {
    const spec = tagList();
    return listConnection(ctx.read, spec, pageWindow(args, spec.sort.length), ctx.loaders.tagById);
  }

  @FieldResolver(() => ID)
  id(@Root() tag: Tag): string {
    return toGlobalId("Tag", tag.id);
  }

  @FieldResolver(() => Int)
  articleCount(@Root() tag: Tag, @Ctx() ctx: Context): Promise<number> {
    return ctx.loaders.articleCountByTag.load(tag.id);
  }

  @FieldResolver(() => ArticleConnection, { complexity: connectionCost, description: "Newest first." })
  async articles(@Root() tag: Tag, @Ctx() ctx: Context, @Args(() => ConnectionArgs) args: ConnectionArgs): Promise<Page<Article>> {
    const idPage = await ctx.loaders.articlePagesByTag.load({ parent: tag.id, window: pageWindow(args, articlesOfTags().sort.length), order: "PUBLISHED_AT_DESC" });
    return toConnection(idPage, ctx.loaders.articleById, () => ctx.loaders.articleCountByTag.load(tag.id));
  }
}
