import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { CHROMIUM_PATH, chromiumPresent } from "./chromium";

/**
 * Says once, up front, which parts of the suite are skipped, and builds the server (run from dist/
 * by the cases that start it as a process of its own, tests/helpers/server-process.ts) and the web
 * app (served by the browser and explorer cases) when either is missing or older than its sources;
 * the build script decides, and an up-to-date build costs nothing.
 */
export default async function globalSetup(): Promise<void> {
  if (!process.env.TEST_DATABASE_URL) {
    process.stdout.write("\nPostgreSQL cases skipped: TEST_DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test).\n");
  }
  if (!process.env.TEST_REDIS_URL) {
    process.stdout.write("Redis cases skipped: TEST_REDIS_URL is not set (e.g. redis://127.0.0.1:6379).\n");
  }
  if (!chromiumPresent) {
    process.stdout.write(`Browser cases skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium).\n`);
  }
  const root = resolve(__dirname, "../..");
  execFileSync(process.execPath, [resolve(root, "scripts/build.mjs"), "server", "web"], { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
}
