import { Arg, Ctx, ID, Query, Resolver } from "type-graphql";
import type { Context } from "../context";
import { Article, Author, Comment, Notification, RelatedLink, Tag } from "../entities";
import { fromGlobalId } from "../schema/global-id";
import { Node } from "../entities/node.interface";

type AnyNode = Article | Author | Comment | Notification | RelatedLink | Tag;

@Resolver()
export class NodeResolver {
  @Query(() => Node, {
    nullable: true,
    description:
      "Any object by its global id; null for an unknown or malformed id, for a comment or commenter the caller may not see (as comment(id) and author(id)), and for another reader's notification.",
  })
  async node(@Ctx() ctx: Context, @Arg("id", () => ID, { description: "A global id that some object's id field gave." }) id: string): Promise<AnyNode | null> {
    const decoded = fromGlobalId(id);
    if (!decoded) return null;
    const { loaders } = ctx;
    switch (decoded.type) {
      case "Article":
        return loaders.articleById.load(decoded.id);
      case "Author":
        return loaders.authors.found(decoded.id);
      case "Comment":
        return loaders.comments.found(decoded.id);
      case "RelatedLink":
        return loaders.relatedLinkById.load(decoded.id);
      case "Tag":
        return loaders.tagById.load(decoded.id);
      case "Notification":
        return loaders.notifications.found(decoded.id);
    }
  }
}
