import { filter, pipe } from "@graphql-yoga/subscription";
import type { Context } from "../context";
import { notFound } from "../errors";
import { commentAddedTopic, CommentAddedEvent, CommentChangeEvent, commentEventsTopic } from "../events/comment-events";
import { canSeeComment } from "../policy";
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

/**
 * The stream behind Subscription.commentEvents: every change to the article's comments, each sent
 * to this subscriber only if they may see the comment as it now is (a PENDING or REJECTED comment:
 * moderators and its author only). A comment deleted or taken from the public is still told to
 * those who could see it before, so they can take it down; it is served to them as a tombstone
 * (body "", author null), so no text leaks. The article is checked first, as for commentAdded.
 */
export async function commentEventsFeed(ctx: Context, articleId: number): Promise<AsyncIterable<CommentChangeEvent>> {
  const article = await ctx.loaders.articleById.load(articleId);
  if (!article) throw notFound(`no article with that id`);
  return pipe(
    ctx.events.subscribe(commentEventsTopic(articleId)),
    filter(async (event: CommentChangeEvent) => {
      if (event.articleId !== articleId) return false;
      freshReads(ctx);
      const comment = await ctx.loaders.commentById.load(event.commentId);
      if (comment === null || comment.articleId !== articleId) return false;
      const viewer = await ctx.loaders.viewer();
      if (canSeeComment(viewer, comment)) return true;
      if (event.kind !== "DELETED" && event.kind !== "STATUS_CHANGED") return false;
      // Who saw it before the change: the public if it was public, else whoever sees it undeleted.
      return event.wasPublic || canSeeComment(viewer, { ...comment, isDeleted: false });
    }),
  );
}
