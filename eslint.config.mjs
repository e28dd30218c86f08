// ESLint over the whole repository: typescript-eslint's recommended rules on every TypeScript file.
// Formatting is Prettier's (`npm run lint` runs both); no rule here is about layout.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "coverage/**", "data/**", "web/src/generated/**", "test-artifacts/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Tests read JSON answers and TypeORM internals field by field; typing each would say nothing more.
    files: ["tests/**/*.ts", "bench/**/*.ts", "scripts/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    languageOptions: {
      globals: { process: "readonly", console: "readonly", Buffer: "readonly", __dirname: "readonly", require: "readonly", module: "writable" },
    },
    rules: {
      // A name starting with "_" is left unused on purpose (a destructured field dropped, a required parameter).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
    },
  },
);
