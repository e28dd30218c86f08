import { Field, ObjectType } from "type-graphql";
import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";
import { Node } from "../schema/node.interface";

@ObjectType({ implements: Node, description: "A topic label; shared by slug across articles." })
@Entity("tag")
export class Tag {
  @PrimaryGeneratedColumn()
  id: number;

  @Field(() => String, { description: "The name as first seen in a dump." })
  @Column({ type: "varchar", length: 200 })
  name: string;

  @Field(() => String)
  @Index("UQ_tag_slug", { unique: true })
  @Column({ type: "varchar", length: 200 })
  slug: string;
}
