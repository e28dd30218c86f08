import { filter, pipe } from "@graphql-yoga/subscription";
import type { Context } from "../context";
import { notFound } from "../errors";
import { commentAddedTopic, CommentAddedEvent } from "../events/comment-events";
import { freshReads } from "./fresh-reads";

/**
 * The stream behind Subscription.commentAdded: the article's topic on the event bus (in-process,
 * or Redis shared by every instance). The article is checked first, so a subscription to an
 * unknown article fails at once instead of waiting forever.
 *
 * Events carry ids only; each one is read back from this instance's own database. An event whose
 * comment cannot be read here, or sits on another article (a Redis shared with another
 * deployment), is dropped rather than sent as an error.
 */
export async function commentAddedFeed(ctx: Context, articleId: number): Promise<AsyncIterable<CommentAddedEvent>> {
  const article = await ctx.loaders.articleById.load(articleId);
  if (!article) throw notFound(`no article with that id`);
  return pipe(
    ctx.events.subscribe(commentAddedTopic(articleId)),
    filter(async (event: CommentAddedEvent) => {
      if (event.articleId !== articleId) return false;
      // The context lives as long as the subscription; each event must see the database as it is now.
      freshReads(ctx);
      const comment = await ctx.loaders.commentById.load(event.commentId);
      return comment !== null && comment.articleId === articleId;
    }),
  );
}
