import { Args, Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import type { Context } from "../context";
import { Article, Comment } from "../entities";
import type { Edge } from "../read/connection";
import { CommentEdge } from "../schema/connection";
import { AddCommentPayload, CommentEdgeArgs, CommentPayload } from "./types/comment.payload";

/** The edge of a posted comment; its cursor is read only when selected. */
interface PostedEdge extends Omit<Edge<Comment>, "cursor"> {
  cursor: Promise<string>;
}

@Resolver(() => AddCommentPayload)
export class AddCommentPayloadResolver {
  @FieldResolver(() => CommentEdge, {
    description:
      "The new comment as an edge of the list it joined: Article.comments of its article for a top-level comment, the parent's " +
      "Comment.replies for a reply. Its cursor pages on from the comment in that list, read in orderBy: append the edge " +
      "to a list in OLDEST order (a new comment comes last), prepend it in NEWEST order.",
  })
  commentEdge(@Root() payload: AddCommentPayload, @Ctx() ctx: Context, @Args(() => CommentEdgeArgs) args: CommentEdgeArgs): PostedEdge {
    return { node: payload.comment, cursor: ctx.loaders.comments.cursorInThread(payload.comment, args.orderBy) };
  }

  @FieldResolver(() => Article, { description: "The comment's article, read after the write: commentCount includes the new comment." })
  async article(@Root() payload: AddCommentPayload, @Ctx() ctx: Context): Promise<Article> {
    return (await ctx.loaders.articleById.load(payload.comment.articleId))!;
  }
}

@Resolver(() => CommentPayload)
export class CommentPayloadResolver {
  @FieldResolver(() => Article, {
    description:
      "The comment's article, read after the write: its commentCount and featuredComments as the mutation left them " +
      "(after deleteComment, commentCount no longer counts the comment).",
  })
  async article(@Root() payload: CommentPayload, @Ctx() ctx: Context): Promise<Article> {
    return (await ctx.loaders.articleById.load(payload.comment.articleId))!;
  }
}
