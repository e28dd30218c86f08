import { Arg, Args, Ctx, ID, Mutation, Resolver } from "type-graphql";
import type { Context } from "../context";
import { addComment, deleteComment, editComment } from "../discussion/comments";
import { Comment } from "../entities";
import { AddCommentArgs, EditCommentArgs } from "./types/comment.input";
import { AddCommentPayload, CommentPayload } from "./types/comment.payload";
import { freshReads } from "./fresh-reads";
import { idArgument, requireWriter, writeRules, countedClientOf } from "./write-access";

@Resolver(() => Comment)
export class CommentMutationResolver {
  @Mutation(() => AddCommentPayload, {
    nullable: true,
    description:
      "Posts a comment, or a reply when parentId is given (depth = parent's depth + 1; placed after its siblings). " +
      "A signed-in reader posts as themself (authorName is FORBIDDEN for them); the service token posts under authorName, or anonymously without one; " +
      "anonymous callers are UNAUTHENTICATED. Subscribers to commentAdded on the article are told once it is stored.",
  })
  async addComment(@Ctx() ctx: Context, @Args(() => AddCommentArgs) args: AddCommentArgs): Promise<AddCommentPayload> {
    requireWriter(ctx);
    const comment = await ctx.limits.forComment(countedClientOf(ctx), args.body, () =>
      addComment(ctx.db, ctx.events, ctx.caller, writeRules(ctx), {
        articleId: idArgument(args.articleId, "Article", "articleId"),
        parentId: args.parentId == null ? null : idArgument(args.parentId, "Comment", "parentId"),
        body: args.body,
        authorName: args.authorName,
      }),
    );
    freshReads(ctx);
    return new AddCommentPayload(comment);
  }

  @Mutation(() => CommentPayload, {
    nullable: true,
    description:
      "Replaces a comment's text and sets editedAt. Its author may do so until Comment.editableUntil; moderators and the service token always; " +
      "anyone else signed in is FORBIDDEN and nothing changes (anonymous callers: UNAUTHENTICATED). A deleted comment cannot be edited.",
  })
  async editComment(@Ctx() ctx: Context, @Args(() => EditCommentArgs) args: EditCommentArgs): Promise<CommentPayload> {
    requireWriter(ctx);
    await ctx.limits.take(countedClientOf(ctx), null);
    const comment = await editComment(ctx.db, ctx.events, ctx.caller, writeRules(ctx), idArgument(args.id, "Comment", "id"), args.body);
    freshReads(ctx);
    return new CommentPayload(comment);
  }

  @Mutation(() => CommentPayload, {
    nullable: true,
    description:
      'Soft-deletes a comment: its body is served as "" and its author as null from then on. ' +
      "Its author may do so until Comment.editableUntil; moderators and the service token always; anyone else signed in is FORBIDDEN " +
      "and nothing changes (anonymous callers: UNAUTHENTICATED). " +
      "It stays listed as a tombstone while a visible comment hangs somewhere below it, and leaves every list otherwise " +
      "(see Comment.isDeleted); so may tombstones above it that had nothing else visible below. " +
      "Article.commentCount and Author.commentCount drop by one; the parent's replyCount drops by one only when the comment " +
      "leaves the list. Deleting an already deleted comment changes nothing and returns it again.",
  })
  async deleteComment(@Ctx() ctx: Context, @Arg("id", () => ID, { description: "The comment's global id." }) id: string): Promise<CommentPayload> {
    requireWriter(ctx);
    await ctx.limits.take(countedClientOf(ctx), null);
    const comment = await deleteComment(ctx.db, ctx.events, ctx.caller, writeRules(ctx), idArgument(id, "Comment", "id"));
    freshReads(ctx);
    return new CommentPayload(comment);
  }
}
