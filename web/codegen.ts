import type { CodegenConfig } from "@graphql-codegen/cli";

/**
 * Types for the reader app's named operations, from the committed schema (`npm run codegen`).
 * A test regenerates the file in memory and fails when the committed one differs.
 */
const config: CodegenConfig = {
  schema: "src/schema/schema.graphql",
  documents: "web/src/operations/*.graphql",
  generates: {
    "web/src/generated/graphql.ts": {
      // typescript-operations brings the enums, inputs and scalars the operations use by itself.
      plugins: ["typescript-operations", "typed-document-node"],
      config: {
        enumsAsTypes: true,
        avoidOptionals: { field: true, inputValue: false, object: true },
        scalars: { DateTime: { input: "string", output: "string" }, ID: { input: "string", output: "string" } },
        strictScalars: true,
        useTypeImports: true,
        dedupeFragments: true,
      },
    },
  },
};

export default config;
