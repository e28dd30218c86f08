import { Field, ObjectType } from "type-graphql";
import { Author, Role } from "../../entities";

export { Role };

@ObjectType({ description: "The caller of this request, as their credential says." })
export class Viewer {
  @Field(() => Role, { description: "The caller's role: from the reader's token, or SERVICE for the service token." })
  role: Role;

  @Field(() => Boolean, { description: "True for moderators and the service token: they see every comment and may use the moderation tools." })
  canModerate: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'The reader\'s display name from their token (the name claim, or "Reader" without one); null for the service token.',
  })
  name: string | null;

  /** The reader's sub, to find their author row; not served. */
  sub: string | null;

  // Resolved by ViewerResolver.author.
  author?: Author | null;
}
