import { Column, Entity, PrimaryColumn } from "typeorm";

/** A count of a whole table, kept by its writers (see read/stored-counts.ts): `articles` is Query.articles' totalCount. */
@Entity("stored_count")
export class StoredCount {
  @PrimaryColumn({ type: "varchar", length: 40 })
  name: string;

  @Column({ type: "integer" })
  value: number;
}
