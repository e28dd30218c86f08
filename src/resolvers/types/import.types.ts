import { ArgsType, Field, ObjectType, registerEnumType } from "type-graphql";
import { Article } from "../../entities";

export enum ImportDumpStatus {
  IMPORTED = "IMPORTED",
  UPDATED = "UPDATED",
  UNCHANGED = "UNCHANGED",
}

registerEnumType(ImportDumpStatus, {
  name: "ImportStatus",
  description: "What an import did to the database.",
  valuesConfig: {
    IMPORTED: { description: "A new article was created." },
    UPDATED: { description: "An article with the same title and publication time was changed to match the dump." },
    UNCHANGED: { description: "The article already matched the dump; nothing was written." },
  },
});

export const MAX_FILE_NAME_LENGTH = 255;

@ArgsType()
export class ImportDumpArgs {
  @Field(() => String, { description: "The whole text of one dump file." })
  text: string;

  @Field(() => String, {
    nullable: true,
    description: `Names the dump in error messages and warnings (at most ${MAX_FILE_NAME_LENGTH} characters).`,
  })
  fileName?: string | null;
}

@ObjectType({ description: "The outcome of importing one dump.", simpleResolvers: true })
export class ImportDumpPayload {
  @Field(() => Article, { description: "The article the dump describes, as now stored." })
  article: Article;

  @Field(() => [String], { description: "What the parser tolerated or guessed; empty for a clean dump." })
  warnings: string[];

  @Field(() => ImportDumpStatus, { description: "Whether the import created the article, changed it or found it already as the dump says." })
  status: ImportDumpStatus;
}
