import { Field, Int, ObjectType } from "type-graphql";
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from "typeorm";
import { Node } from "./node.interface";
import { Article } from "./article.entity";
import { COLUMN_LENGTHS } from "./column-lengths";

/**
 * A related headline under an article. Dumps carry no URLs, so the linked
 * article is found by title when it is read, whatever the import order.
 */
@ObjectType({
  implements: Node,
  description: "A related headline listed under an article. Dumps carry no links, so it is matched to an article by title when read.",
  simpleResolvers: true,
})
@Entity("related_link")
@Index("IDX_related_link_article", ["articleId", "position"])
export class RelatedLink {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: "integer" })
  articleId: number;

  @Field(() => String, { description: "The headline as the dump lists it." })
  @Column({ type: "varchar", length: COLUMN_LENGTHS.relatedLinkTitle })
  title: string;

  @Field(() => Int, { description: "1-based place in the article's list." })
  @Column({ type: "integer" })
  position: number;

  @ManyToOne(() => Article, { onDelete: "CASCADE" })
  @JoinColumn({ name: "articleId", foreignKeyConstraintName: "FK_related_link_article" })
  source?: Article;
}
