import { Arg, Args, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from "type-graphql";
import type { Context } from "../context";
import { Article, Author, Comment } from "../entities";
import type { Connection } from "../loaders/connection";
import { CommentConnection, connectionCost } from "../schema/connection";
import { idOfType, toGlobalId } from "../schema/global-id";
import { CommentConnectionArgs } from "./types/connection.args";

@Resolver(() => Comment)
export class CommentResolver {
  @Query(() => Comment, { nullable: true, description: "One comment by global id, deleted ones included; null when there is none." })
  comment(@Ctx() ctx: Context, @Arg("id", () => ID, { description: "The comment's global id." }) id: string): Promise<Comment | null> | null {
    const rowId = idOfType(id, "Comment");
    return rowId === null ? null : ctx.loaders.commentById.load(rowId);
  }

  @FieldResolver(() => ID, { description: "Global id: opaque, for node(id) and for the arguments that take this type's id." })
  id(@Root() comment: Comment): string {
    return toGlobalId("Comment", comment.id);
  }

  @FieldResolver(() => String, { description: "Empty for a deleted comment: its text is no longer served." })
  body(@Root() comment: Comment): string {
    return comment.isDeleted ? "" : comment.body;
  }

  @FieldResolver(() => Author, { nullable: true, description: "Null for an anonymous comment, and for a deleted one." })
  author(@Root() comment: Comment, @Ctx() ctx: Context): Author | Promise<Author | null> | null {
    return comment.authorId === null || comment.isDeleted ? null : ctx.loaders.authorById.get(comment.authorId);
  }

  @FieldResolver(() => Article, { description: "The article the comment is on." })
  async article(@Root() comment: Comment, @Ctx() ctx: Context): Promise<Article> {
    return (await ctx.loaders.articleById.load(comment.articleId))!;
  }

  @FieldResolver(() => Comment, { nullable: true, description: "The comment this one replies to; null at the top level." })
  parent(@Root() comment: Comment, @Ctx() ctx: Context): Comment | Promise<Comment | null> | null {
    return comment.parentId === null ? null : ctx.loaders.commentById.get(comment.parentId);
  }

  @FieldResolver(() => Int, {
    description: "How many direct replies replies lists, tombstones included (see isDeleted): always replies.totalCount.",
  })
  replyCount(@Root() comment: Comment): number {
    return comment.replyCount;
  }

  @FieldResolver(() => CommentConnection, {
    complexity: connectionCost,
    description: "Direct replies, one level down; deleted ones are listed as tombstones while a visible comment hangs below them (see isDeleted).",
  })
  replies(@Root() comment: Comment, @Ctx() ctx: Context, @Args(() => CommentConnectionArgs) args: CommentConnectionArgs): Promise<Connection<Comment>> {
    return ctx.loaders.comments.forParent(comment.id, args);
  }
}
