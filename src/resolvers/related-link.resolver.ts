import { Ctx, FieldResolver, ID, Resolver, Root } from "type-graphql";
import type { Context } from "../context";
import { Article, RelatedLink } from "../entities";
import { toGlobalId } from "../schema/global-id";

@Resolver(() => RelatedLink)
export class RelatedLinkResolver {
  @FieldResolver(() => ID, { description: "Global id: opaque, for node(id) and for the arguments that take this type's id." })
  id(@Root() link: RelatedLink): string {
    return toGlobalId("RelatedLink", link.id);
  }

  @FieldResolver(() => Article, {
    nullable: true,
    description: "The article with this headline when one is known (the newest, if several), else null.",
  })
  article(@Root() link: RelatedLink, @Ctx() ctx: Context): Promise<Article | null> {
    return ctx.loaders.articles.byTitle(link.title);
  }
}
