import type { GraphQLResolveInfo } from "graphql";
import { Args, Ctx, FieldResolver, Info, Query, Resolver, Root } from "type-graphql";
import type { Context } from "../context";
import { Article } from "../entities";
import type { Connection } from "../read/connection";
import type { SearchHit } from "../read/search.loader";
import { searchCost } from "../schema/connection";
import { selectsField } from "../schema/selection";
import { articleHighlights, commentHighlights, MAX_PARAGRAPH_HIGHLIGHTS } from "../search/highlight";
import type { Highlight as HighlightValue } from "../search/highlight";
import { visibleBody } from "./comment.resolver";
import { Highlight, SearchArgs, SearchConnection, SearchEdge } from "./types/search.types";

@Resolver(() => SearchEdge)
export class SearchResolver {
  @Query(() => SearchConnection, {
    complexity: searchCost,
    description:
      "Full-text search over articles and comments, one list ranked by relevance (see SearchEdge.score); ties go to " +
      "articles before comments, then to the most recently added. hasPreviousPage (paging forward) and hasNextPage " +
      "(paging backward) are true whenever a cursor was given: its own row lies on that side.",
  })
  search(@Ctx() ctx: Context, @Args(() => SearchArgs) args: SearchArgs, @Info() info: GraphQLResolveInfo): Promise<Connection<unknown>> {
    // Counting every match costs as much as the page: when asked for, it runs beside the page on another read connection.
    return ctx.loaders.search.search(args, selectsField(info, "totalCount") ? ctx.db.reader() : null);
  }

  @FieldResolver(() => [Highlight], {
    description:
      "Where the search's words occur in this hit: an article's title, section, each matching tag and its first " +
      `${MAX_PARAGRAPH_HIGHLIGHTS} matching paragraphs; a comment's body. Fields without a match are left out.`,
  })
  async highlights(@Root() hit: SearchHit, @Ctx() ctx: Context): Promise<HighlightValue[]> {
    // From the text the caller is served as the node's body, never from the raw row.
    if (!(hit.node instanceof Article)) return commentHighlights(await visibleBody(hit.node, ctx), hit.query);
    // Article rows leave the body out; it has a loader of its own.
    const [tags, paragraphs] = await Promise.all([ctx.loaders.tags.forArticle(hit.node.id), ctx.loaders.articles.paragraphs(hit.node.id)]);
    return articleHighlights({ ...hit.node, paragraphs, tags: tags.map((tag) => tag.name) }, hit.query);
  }
}
