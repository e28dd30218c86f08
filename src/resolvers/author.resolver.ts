import { foldKey } from "../text/fold";
import { Arg, Args, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from "type-graphql";
import type { Context } from "../context";
import { authorList, commentsOfAuthors } from "../db/lists";
import { Author, Comment } from "../entities";
import { userError } from "../errors";
import { listConnection, toConnection } from "../loaders/page.loader";
import { pageWindow } from "../schema/connection";
import type { Page } from "../schema/connection";
import { idOfType, toGlobalId } from "../schema/global-id";
import { ConnectionArgs } from "./types/connection.args";
import { AuthorConnection, CommentConnection, connectionCost } from "./types/connections";

@Resolver(() => Author)
export class AuthorResolver {
  @Query(() => Author, { nullable: true, description: "One commenter by global id, or by display name compared without case (an exact spelling wins when several match)." })
  async author(
    @Ctx() ctx: Context,
    // type-graphql lists arguments last-decorated first; this order gives (id, name) in the schema.
    @Arg("name", () => String, { nullable: true }) name?: string | null,
    @Arg("id", () => ID, { nullable: true }) id?: string | null,
  ): Promise<Author | null> {
    if ((id == null) === (name == null)) throw userError(`pass exactly one of "id" and "name"`);
    if (id != null) {
      const rowId = idOfType(id, "Author");
      return rowId === null ? null : ctx.loaders.authorById.load(rowId);
    }
    // Compared on the folded name; when several commenters fold alike, the exact spelling wins, then the first seen.
    const candidates = await ctx.read.getRepository(Author).find({ where: { nameKey: foldKey(name!) }, order: { id: "ASC" }, take: 50 });
    return candidates.find((author) => author.name === name) ?? candidates[0] ?? null;
  }

  @Query(() => AuthorConnection, { complexity: connectionCost, description: "Every commenter, in the order they were first seen." })
  authors(@Ctx() ctx: Context, @Args(() => ConnectionArgs) args: ConnectionArgs): Promise<Page<Author>> {
    const spec = authorList();
    return listConnection(ctx.read, spec, pageWindow(args, spec.sort.length), ctx.loaders.authorById);
  }

  @FieldResolver(() => ID)
  id(@Root() author: Author): string {
    return toGlobalId("Author", author.id);
  }

  @FieldResolver(() => Int, { description: "Visible comments only." })
  commentCount(@Root() author: Author, @Ctx() ctx: Context): Promise<number> {
    return ctx.loaders.commentCountByAuthor.load(author.id);
  }

  @FieldResolver(() => CommentConnection, { complexity: connectionCost, description: "Visible comments, newest first." })
  async comments(@Root() author: Author, @Ctx() ctx: Context, @Args(() => ConnectionArgs) args: ConnectionArgs): Promise<Page<Comment>> {
    const idPage = await ctx.loaders.commentPagesByAuthor.load({ parent: author.id, window: pageWindow(args, commentsOfAuthors().sort.length), order: "NEWEST" });
    return toConnection(idPage, ctx.loaders.commentById, () => ctx.loaders.commentCountByAuthor.load(author.id));
  }
}
