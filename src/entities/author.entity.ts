import { Field, ObjectType } from "type-graphql";
import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";
import { Node } from "./node.interface";
import { COLUMN_LENGTHS } from "./column-lengths";

/** What Author.sanction holds. */
export type AuthorSanction = "BANNED" | "SUSPENDED";

/** The default the migrations gave the boolean columns, as SQL: TypeORM would write `false` as 0 on SQLite. */
const FALSE = () => "false";

@ObjectType({
  implements: Node,
  description:
    "A commenter. A signed-in reader is one author, whatever their name (two readers with the same name are two authors); " +
    "commenters from imported dumps and names given by the service token are shared by exact display name, and never merge with a signed-in reader.",
  simpleResolvers: true,
})
@Entity("author")
export class Author {
  @PrimaryGeneratedColumn()
  id: number;

  @Field(() => String, {
    description: "The display name: as a dump or the service token gave it, or the name claim of the token a signed-in reader last wrote with.",
  })
  // Unique among authors without a reader behind them only (a partial index on both engines).
  @Index("UQ_author_name", { unique: true, where: `"sub" IS NULL` })
  @Column({ type: "varchar", length: COLUMN_LENGTHS.authorName })
  name: string;

  /** The signed-in reader's `sub` claim; null for commenters from dumps and from the service token. */
  @Index("UQ_author_sub", { unique: true })
  @Column({ type: "varchar", length: COLUMN_LENGTHS.authorSub, nullable: true })
  sub: string | null;

  /** foldKey(name): what `author(name:)` is compared with, alike on both engines. */
  @Index("IDX_author_name_key")
  // The default only lets SQLite add the NOT NULL column to existing rows (folded-keys migration); every writer sets it.
  @Column({ type: "text", default: "" })
  nameKey: string;

  /** Author.commentCount, kept by the writers of comments (see read/stored-counts.ts). */
  @Column({ type: "integer", default: 0 })
  commentCount: number;

  /** The sanction in force or last given: BANNED (until unbanAuthor) or SUSPENDED (until sanctionedUntil); null for none. See Author.standing. */
  @Column({ type: "varchar", length: 16, nullable: true })
  sanction: AuthorSanction | null;

  /** When a suspension ends; null for a ban or none. */
  @Column({ type: Date, nullable: true })
  sanctionedUntil: Date | null;

  /** The moderator's reason for the sanction. */
  @Column({ type: "text", nullable: true })
  sanctionReason: string | null;

  /** setAuthorPremoderation: the reader's new comments are PENDING until a moderator publishes them. */
  @Column({ type: "boolean", default: FALSE })
  premoderated: boolean;

  /** Whether the reader's last write came with a moderator's token: moderators are not sanctioned. */
  @Column({ type: "boolean", default: FALSE })
  isModerator: boolean;
}
