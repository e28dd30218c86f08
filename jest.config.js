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
  // Most test files wait on I/O (server processes, PostgreSQL, Chromium), so two workers keep
  // two cores busy; jest's default on a 2-core machine is one. Each test file still gets its own
  // databases, so files stay independent. A worker that grows past the limit is restarted.
  maxWorkers: 2,
  workerIdleMemoryLimit: "1GB",
};
