import { Field, ObjectType, registerEnumType } from "type-graphql";
import type { Role as RoleKey } from "../../auth/caller";
import { Author } from "../../entities";

export enum Role {
  COMMENTER = "COMMENTER",
  MODERATOR = "MODERATOR",
  SERVICE = "SERVICE",
}

// The GraphQL enum and the rights code (auth/caller.ts) name the same roles.
const _sameRoles: Record<RoleKey, Role> = Role;

registerEnumType(Role, {
  name: "Role",
  description: "What a caller may do.",
  valuesConfig: {
    COMMENTER: {
      description: "A signed-in reader (JWT role claim \"commenter\", or none): posts as themself, edits and deletes their own comments within the edit window, flags comments.",
    },
    MODERATOR: {
      description: "A signed-in reader with role claim \"moderator\": a commenter's rights, plus every comment and status, and the moderation tools.",
    },
    SERVICE: { description: "The service token (API_TOKEN): every moderator right, imports, and posting under any authorName." },
  },
});

@ObjectType({ description: "The caller of this request, as their credential says." })
export class Viewer {
  @Field(() => Role, { description: "The caller's role: from the reader's token, or SERVICE for the service token." })
  role: Role;

  @Field(() => Boolean, { description: "True for moderators and the service token: they see every comment and may use the moderation tools." })
  canModerate: boolean;

  @Field(() => String, { nullable: true, description: "The reader's display name from their token (the name claim, or \"Reader\" without one); null for the service token." })
  name: string | null;

  /** The reader's sub, to find their author row; not served. */
  sub: string | null;

  // Resolved by ViewerResolver.author.
  author?: Author | null;
}
