import { Arg, Args, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from "type-graphql";
import type { Context } from "../context";
import { Author, Comment } from "../entities";
import { userError } from "../errors";
import type { Connection } from "../read/connection";
import { AuthorConnection, CommentConnection, connectionCost } from "../schema/connection";
import { idOfType, toGlobalId } from "../schema/global-id";
import { ConnectionArgs } from "./types/connection.args";

@Resolver(() => Author)
export class AuthorResolver {
  @Query(() => Author, {
    nullable: true,
    description:
      "One commenter by global id, or by display name compared without case (an exact spelling wins when several match). " +
      "Null for a commenter with no published comment (see authors), except to themselves and to moderators.",
  })
  async author(
    @Ctx() ctx: Context,
    // type-graphql lists arguments last-decorated first; this order gives (id, name) in the schema.
    @Arg("name", () => String, { nullable: true, description: "The display name, compared without case. Give this or id, not both." }) name?: string | null,
    @Arg("id", () => ID, { nullable: true, description: "The commenter's global id. Give this or name, not both." }) id?: string | null,
  ): Promise<Author | null> {
    if ((id == null) === (name == null)) throw userError(`pass exactly one of "id" and "name"`);
    if (id != null) {
      const rowId = idOfType(id, "Author");
      return rowId === null ? null : ctx.loaders.authors.found(rowId);
    }
    return ctx.loaders.authors.byName(name!);
  }

  @Query(() => AuthorConnection, {
    complexity: connectionCost,
    description:
      "Every commenter with a published comment (one the public sees), in the order they were first seen. A reader whose comments are " +
      "all held, rejected or deleted is not listed; they see themselves, and moderators and the service token see every commenter.",
  })
  authors(@Ctx() ctx: Context, @Args(() => ConnectionArgs) args: ConnectionArgs): Promise<Connection<Author>> {
    return ctx.loaders.authors.list(args);
  }

  @FieldResolver(() => ID, { description: "Global id: opaque, for node(id) and for the arguments that take this type's id." })
  id(@Root() author: Author): string {
    return toGlobalId("Author", author.id);
  }

  @FieldResolver(() => Int, {
    description: "The commenter's published comments that are not deleted: what the public's comments lists (the caller's own list may hold more).",
  })
  commentCount(@Root() author: Author): number {
    return author.commentCount;
  }

  @FieldResolver(() => CommentConnection, {
    complexity: connectionCost,
    description:
      "The commenter's comments the caller sees, on every article, newest first: the published ones, and for the commenter themselves and moderators the held and rejected ones too.",
  })
  comments(@Root() author: Author, @Ctx() ctx: Context, @Args(() => ConnectionArgs) args: ConnectionArgs): Promise<Connection<Comment>> {
    return ctx.loaders.comments.forAuthor(author.id, args);
  }
}
