import { Column, Entity, PrimaryColumn } from "typeorm";

/** One of the moderators' word lists (discussion/word-lists.ts): its entries, and a version every change raises. */
@Entity("word_list")
export class WordList {
  /** BANNED or SUSPECT. */
  @PrimaryColumn({ type: "varchar", length: 16 })
  kind: string;

  /** The entries as a JSON array of strings, as setWordList stored them. */
  @Column({ type: "text" })
  words: string;

  @Column({ type: "integer" })
  version: number;

  @Column({ type: Date })
  updatedAt: Date;
}
