import { Field, ObjectType } from "type-graphql";
import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";
import { Node } from "../schema/node.interface";
import { COLUMN_LENGTHS } from "./column-lengths";

@ObjectType({ implements: Node, description: "A commenter, shared by exact display name.", simpleResolvers: true })
@Entity("author")
export class Author {
  @PrimaryGeneratedColumn()
  id: number;

  @Field(() => String, { description: "The display name the comments carry; one commenter per exact spelling." })
  @Index("UQ_author_name", { unique: true })
  @Column({ type: "varchar", length: COLUMN_LENGTHS.authorName })
  name: string;

  /** foldKey(name): what `author(name:)` is compared with, alike on both engines. */
  @Index("IDX_author_name_key")
  @Column({ type: "text" })
  nameKey: string;

  /** Author.commentCount, kept by the writers of comments (see db/stored-counts.ts). */
  @Column({ type: "integer", default: 0 })
  commentCount: number;
}
