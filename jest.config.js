/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json", diagnostics: false }],
  },
  setupFiles: ["reflect-metadata"],
  globalSetup: "<rootDir>/tests/helpers/global-setup.ts",
  testTimeout: 30000,
};
