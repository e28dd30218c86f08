/** Browser cases: Debian's Chromium driven by playwright-core, against a whole server on a fresh database. */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { Browser, chromium } from "playwright-core";
import type { Config } from "../../src/config";
import type { CommentEvents } from "../../src/events/comment-events";
import { CHROMIUM_PATH, chromiumPresent } from "./chromium";
import { listen } from "./subscriptions";
import { startTestServer, TestServer } from "./test-server";

export { chromiumPresent };

/** `describe` when Chromium is installed, `describe.skip` otherwise. */
export const describeInBrowser: jest.Describe = chromiumPresent ? describe : describe.skip;

/** The web app as `npm run build` leaves it; global-setup builds it when missing or stale. */
export const WEB_ROOT = resolve(__dirname, "../../dist/web");

/** Screenshots and other files a run leaves for people to look at (gitignored). */
export const ARTIFACTS_DIR = resolve(__dirname, "../../test-artifacts");

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return resolve(ARTIFACTS_DIR, name);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}

export interface AppServer extends TestServer {
  /** http://127.0.0.1:PORT, no trailing slash. */
  base: string;
}

/**
 * A seeded test server that also serves the built web app, listening on a free port. Its JWT
 * secret stands for the development one `npm start` makes, so the development sign-in is served,
 * unless `suppliedJwtSecret` says the operator set JWT_SECRET.
 */
export async function startAppServer(
  engine: "sqlite" | "postgres",
  options: { production?: boolean; events?: CommentEvents; config?: Partial<Config>; suppliedJwtSecret?: boolean } = {},
): Promise<AppServer> {
  const t = await startTestServer(engine, { ...options, webRoot: WEB_ROOT, developmentSignIn: !options.suppliedJwtSecret });
  const host = await listen(t.server.httpServer);
  return { ...t, base: `http://${host}` };
}
