import { Arg, Args, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from "type-graphql";
import type { Context } from "../context";
import { Article, Tag } from "../entities";
import type { Connection } from "../read/connection";
import { ArticleConnection, connectionCost, TagConnection } from "../schema/connection";
import { toGlobalId } from "../schema/global-id";
import { ConnectionArgs } from "./types/connection.args";

@Resolver(() => Tag)
export class TagResolver {
  @Query(() => Tag, { nullable: true, description: "One tag by slug, compared in lower case; null when there is none." })
  tag(@Ctx() ctx: Context, @Arg("slug", () => String, { description: "The tag's slug; compared in lower case." }) slug: string): Promise<Tag | null> {
    return ctx.loaders.tags.bySlug(slug);
  }

  @Query(() => TagConnection, { complexity: connectionCost, description: "Every tag, in the order they were first seen." })
  tags(@Ctx() ctx: Context, @Args(() => ConnectionArgs) args: ConnectionArgs): Promise<Connection<Tag>> {
    return ctx.loaders.tags.list(args);
  }

  @FieldResolver(() => ID, { description: "Global id: opaque, for node(id) and for the arguments that take this type's id." })
  id(@Root() tag: Tag): string {
    return toGlobalId("Tag", tag.id);
  }

  @FieldResolver(() => Int, { description: "How many articles carry the tag: exactly what articles lists." })
  articleCount(@Root() tag: Tag): number {
    return tag.articleCount;
  }

  @FieldResolver(() => ArticleConnection, { complexity: connectionCost, description: "Newest first." })
  articles(@Root() tag: Tag, @Ctx() ctx: Context, @Args(() => ConnectionArgs) args: ConnectionArgs): Promise<Connection<Article>> {
    return ctx.loaders.articles.forTag(tag.id, args);
  }
}
