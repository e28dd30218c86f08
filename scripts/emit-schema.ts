import "reflect-metadata";
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { printSchema } from "graphql";
import { buildThreadlineSchema } from "../src/schema/build-schema";
import { resolvers } from "../src/resolvers";

/** Where the committed SDL lives; a test fails when it drifts from the resolvers. */
export const SCHEMA_FILE = resolve(__dirname, "../../src/schema/schema.graphql");

export function schemaSdl(): string {
  return `# Emitted by \`npm run schema:emit\` from the resolvers; do not edit by hand.\n\n${printSchema(buildThreadlineSchema(resolvers))}\n`;
}

if (require.main === module) {
  writeFileSync(SCHEMA_FILE, schemaSdl());
  console.log(`wrote ${SCHEMA_FILE}`);
}
