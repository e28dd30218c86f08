import { Field, ObjectType } from "type-graphql";
import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";
import { Node } from "../schema/node.interface";

@ObjectType({ implements: Node, description: "A commenter, shared by display name." })
@Entity("author")
export class Author {
  @PrimaryGeneratedColumn()
  id: number;

  @Field(() => String)
  @Index("UQ_author_name", { unique: true })
  @Column({ type: "varchar", length: 200 })
  name: string;
}
