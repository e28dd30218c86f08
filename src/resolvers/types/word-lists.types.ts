import { ArgsType, Field, ObjectType, registerEnumType } from "type-graphql";
import { WRITE_LIMITS } from "../../text/write-limits";

export enum WordListKind {
  BANNED = "BANNED",
  SUSPECT = "SUSPECT",
}

registerEnumType(WordListKind, {
  name: "WordListKind",
  description: "One of the moderators' word lists.",
  valuesConfig: {
    BANNED: { description: "A reader's comment (or edit) with one of these words or phrases is REJECTED at once; its author sees why (Comment.statusReason)." },
    SUSPECT: { description: "A reader's comment (or edit) with one of these words or phrases waits for a moderator (PENDING)." },
  },
});

@ObjectType({
  description:
    "The moderators' word lists. Entries are whole words or phrases, matched with Threadline's folding (case, diacritics, ё/е: " +
    '"Cafe" matches "café") at word boundaries only: "Scunthorpe" does not contain the word "scunthorp". A phrase matches its words in a row, ' +
    "whatever punctuation or space stands between them. Moderators' and the service token's comments are not screened.",
  simpleResolvers: true,
})
export class WordLists {
  @Field(() => [String], { description: "Words and phrases that reject a comment." })
  banned: string[];

  @Field(() => [String], { description: "Words and phrases that hold a comment for a moderator." })
  suspect: string[];
}

@ArgsType()
export class SetWordListArgs {
  @Field(() => WordListKind, { description: "Which list to replace." })
  kind: WordListKind;

  @Field(() => [String], {
    description:
      `The whole new list: at most ${WRITE_LIMITS.wordListEntries} entries of at most ${WRITE_LIMITS.wordListEntry} characters, each with at least one ` +
      "word; trimmed, runs of space as one; entries that fold to the same words are kept once. [] empties the list.",
  })
  words: string[];
}
