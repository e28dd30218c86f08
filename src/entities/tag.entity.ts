import { Field, ObjectType } from "type-graphql";
import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";
import { Node } from "./node.interface";
import { COLUMN_LENGTHS } from "./column-lengths";

@ObjectType({
  implements: Node,
  description: "A topic label, shared by every article that carries a tag of the same name (compared without case).",
  simpleResolvers: true,
})
@Entity("tag")
export class Tag {
  @PrimaryGeneratedColumn()
  id: number;

  @Field(() => String, { description: "The name as first seen in a dump." })
  @Column({ type: "varchar", length: COLUMN_LENGTHS.tagName })
  name: string;

  /** foldKey(name): a tag's identity. "Syria" and "SYRIA" are one tag; "C++" and "C#" are two. */
  @Index("UQ_tag_name_key", { unique: true })
  // The default only lets SQLite add the NOT NULL column to existing rows (folded-keys migration); every writer sets it.
  @Column({ type: "text", default: "" })
  nameKey: string;

  @Field(() => String, {
    description: "URL-safe key, unique per tag and fixed when the tag is created; pass it to `tag(slug:)` or `tagSlugIn`.",
  })
  @Index("UQ_tag_slug", { unique: true })
  @Column({ type: "varchar", length: COLUMN_LENGTHS.tagSlug })
  slug: string;

  /** Tag.articleCount, kept by the importer as it tags and untags articles (see read/stored-counts.ts). */
  @Column({ type: "integer", default: 0 })
  articleCount: number;
}
