/**
 * What `npm start` does before it serves: the port checked before the database is touched, a
 * development token kept across restarts, progress while it migrates and seeds. The bootstrap
 * runs as a child process, compiled (dist/src/index.js, built by the suite's global setup), as
 * `npm start` runs it.
 */
import { ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from "node:fs";
import { createServer, Server } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { builtEntry } from "../helpers/server-process";
import { DEV_JWT_SECRET_FILE, DEV_TOKEN_FILE, keptDevelopmentJwtSecret, keptDevelopmentToken, portIsFree, projectRoot } from "../../src/startup";

const ROOT = resolve(__dirname, "../..");

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Children still running: a case that fails half-way must not leave a server behind (it would keep jest from exiting). */
const running = new Set<ChildProcess>();

/**
 * Runs one of the project's entry points compiled, as `npm start` or an npm script runs it, with `env` over this process's environment and the `unset` variables
 * removed unless `env` names them.
 */
function runBuilt(script: string, args: string[], env: Record<string, string>, unset: string[]): Run {
  const childEnv: Record<string, string | undefined> = { ...process.env, ...env };
  for (const variable of unset) if (!(variable in env)) delete childEnv[variable];
  const child = spawn(process.execPath, [builtEntry(script), ...args], { cwd: ROOT, env: childEnv });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  running.add(child);
  const exited = new Promise<number | null>((resolveExit) =>
    // "close": the process has exited and its output has all been read.
    child.once("close", (code) => {
      running.delete(child);
      resolveExit(code);
    }),
  );
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

function startBootstrap(env: Record<string, string>): Run {
  return runBuilt("src/index.ts", [], { SHUTDOWN_GRACE_SECONDS: "0", ...env }, ["API_TOKEN", "REDIS_URL", "JWT_SECRET", "JWKS_URL"]);
}

/** `npm run token` as a user runs it, with only the settings in `env`. */
async function signToken(env: Record<string, string>, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = runBuilt("scripts/reader-token.ts", args, env, ["JWT_SECRET", "NODE_ENV"]);
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

async function until(check: () => boolean, what: string, run: Run, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; stdout:\n${run.stdout()}\nstderr:\n${run.stderr()}`);
    await new Promise((wait) => setTimeout(wait, 50));
  }
}

async function stop(run: Run): Promise<void> {
  run.child.kill("SIGTERM");
  await run.exited;
}

describe("npm start's bootstrap", () => {
  let work: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), "threadline-start-"));
  });
  afterEach(async () => {
    for (const child of running) child.kill("SIGKILL");
    while (running.size > 0) await new Promise((wait) => setTimeout(wait, 20));
    rmSync(work, { recursive: true, force: true });
  });

  it("says in one line that the port is taken, before it opens or seeds the database", async () => {
    const holder: Server = createServer();
    await new Promise<void>((listening) => holder.listen(0, listening));
    const port = (holder.address() as { port: number }).port;
    try {
      const run = startBootstrap({ PORT: String(port), DATABASE_URL: `sqlite:${join(work, "db.sqlite")}` });
      expect(await run.exited).toBe(1);
      expect(run.stderr()).toBe(`threadline: PORT ${port} is already in use (another Threadline?); stop it or set PORT to a free port\n`);
      expect(run.stdout()).toBe("");
      expect(existsSync(join(work, "db.sqlite"))).toBe(false);
    } finally {
      holder.close();
    }
  }, 60_000);

  it("reports its progress, seeds an empty database, and keeps the development token across a restart", async () => {
    const env = { PORT: "0", DATABASE_URL: `sqlite:${join(work, "db.sqlite")}` };
    const first = startBootstrap(env);
    await until(() => /Bearer (\S+)/.test(first.stdout()), "the token", first);
    await stop(first);
    const token = /Bearer (\S+)/.exec(first.stdout())?.[1];
    const lines = first.stdout().split("\n");
    expect(lines[0]).toBe(`threadline: opening the database at sqlite:${join(work, "db.sqlite")} and bringing its schema up to date…`);
    expect(lines[1]).toBe("threadline: the database is empty: importing 8 dumps from seeds/…");
    expect(lines[2]).toBe("threadline: imported 8 dumps from seeds/, 0 rejected");
    expect(lines[3]).toMatch(/^threadline: reader app at http:\/\/localhost:\d+\/$/);
    expect(first.stdout()).toMatch(/GraphiQL at http:\/\/localhost:\d+\/graphiql \(works offline\)/);
    expect(first.stdout()).toContain(`(made now and kept in ${join(work, DEV_TOKEN_FILE)} (mode 0600))`);
    expect(first.stderr()).toBe("");

    const file = join(work, DEV_TOKEN_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, "utf8").trim()).toBe(token);

    // A development JWT_SECRET is kept beside it, for the reader app's development sign-in.
    const secretFile = join(work, DEV_JWT_SECRET_FILE);
    expect(first.stdout()).toContain(`readers' tokens are signed with a development secret (made now and kept in ${secretFile} (mode 0600))`);
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(secretFile, "utf8").trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // `npm run token` signs with the kept secret when JWT_SECRET is unset.
    const signed = await signToken({ DATABASE_URL: env.DATABASE_URL }, ["--sub", "reader-1", "--name", "Anna"]);
    expect(signed.stderr).toBe("");
    expect(signed.code).toBe(0);

    const second = startBootstrap(env);
    await until(() => /Bearer (\S+)/.test(second.stdout()), "the token", second);
    try {
      expect(/Bearer (\S+)/.exec(second.stdout())?.[1]).toBe(token);
      expect(second.stdout()).toContain(`(kept in ${file})`);
      expect(second.stdout()).toContain(`development secret (kept in ${secretFile})`);
      expect(second.stdout()).not.toContain("importing");

      // A reader token from the development sign-in is one the API accepts.
      const base = /reader app at (http:\/\/localhost:\d+)\//.exec(second.stdout())?.[1];
      const signedIn = await fetch(`${base}/dev/reader-token`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "Dev Reader", role: "moderator" }),
      });
      expect(signedIn.status).toBe(200);
      const { token: readerToken } = (await signedIn.json()) as { token: string };
      const viewer = await fetch(`${base}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${readerToken}` },
        body: JSON.stringify({ query: "{ viewer { name role canModerate } }" }),
      });
      expect(((await viewer.json()) as { data: unknown }).data).toEqual({ viewer: { name: "Dev Reader", role: "MODERATOR", canModerate: true } });
      const asAnna = await fetch(`${base}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${signed.stdout.trim()}` },
        body: JSON.stringify({ query: "{ viewer { name role } }" }),
      });
      expect(((await asAnna.json()) as { data: unknown }).data).toEqual({ viewer: { name: "Anna", role: "COMMENTER" } });
    } finally {
      await stop(second);
    }
  }, 120_000);

  it("npm run token says where it looked when there is neither JWT_SECRET nor a kept secret, and makes none", async () => {
    const databaseUrl = `sqlite:${join(work, "db.sqlite")}`;
    const missing = await signToken({ DATABASE_URL: databaseUrl }, ["--sub", "reader-1"]);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe("");
    expect(missing.stderr).toBe(
      `threadline token: JWT_SECRET is not set and no development secret is kept in ${join(work, DEV_JWT_SECRET_FILE)}; start the server once (npm start) to make one, or set JWT_SECRET to the secret the server uses\n`,
    );
    expect(existsSync(join(work, DEV_JWT_SECRET_FILE))).toBe(false);
    // In production the kept secret is never used.
    writeFileSync(join(work, DEV_JWT_SECRET_FILE), "k".repeat(43));
    const production = await signToken({ DATABASE_URL: databaseUrl, NODE_ENV: "production" }, ["--sub", "reader-1"]);
    expect(production.code).toBe(2);
    expect(production.stderr).toBe("threadline token: JWT_SECRET is not set; set it to the secret the server uses\n");
  }, 60_000);

  it("uses API_TOKEN and JWT_SECRET when they are set, keeps no file, and signs no reader token with that secret", async () => {
    const secret = "a-set-jwt-secret-of-at-least-32-characters";
    // NODE_ENV is not production (jest's "test"): only the secret decides whether the development sign-in exists.
    const run = startBootstrap({ PORT: "0", DATABASE_URL: `sqlite:${join(work, "db.sqlite")}`, API_TOKEN: "a-set-token-123", JWT_SECRET: secret });
    await until(() => run.stdout().includes("development sign-in is off"), "the start", run);
    expect(run.stdout()).toContain("threadline: JWT_SECRET is set, so the reader app's development sign-in is off: readers sign in through the host site\n");
    const base = /reader app at (http:\/\/localhost:\d+)\//.exec(run.stdout())?.[1];
    const signIn = await fetch(`${base}/dev/reader-token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Mallory", role: "moderator" }),
    });
    expect(signIn.status).toBe(404);
    await stop(run);
    expect(run.stdout()).not.toContain("a-set-token-123");
    expect(run.stdout()).not.toContain(secret);
    expect(run.stdout()).not.toContain("development secret");
    expect(existsSync(join(work, DEV_TOKEN_FILE))).toBe(false);
    expect(existsSync(join(work, DEV_JWT_SECRET_FILE))).toBe(false);
  }, 60_000);
});

describe("startup helpers", () => {
  let work: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), "threadline-token-"));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it("makes the token once, mode 0600, tightens a loosened file and replaces one that holds no usable token", async () => {
    const dir = join(work, "data");
    const made = await keptDevelopmentToken(dir);
    expect(made.created).toBe(true);
    expect(made.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(statSync(made.file).mode & 0o777).toBe(0o600);
    chmodSync(made.file, 0o644);
    expect(await keptDevelopmentToken(dir)).toEqual({ token: made.token, file: made.file, created: false });
    expect(statSync(made.file).mode & 0o777).toBe(0o600);
    writeFileSync(made.file, "short\n");
    const replaced = await keptDevelopmentToken(dir);
    expect(replaced.created).toBe(true);
    expect(replaced.token).not.toBe(made.token);
  });

  it("keeps the development JWT secret the same way, long enough for HS256", async () => {
    const made = await keptDevelopmentJwtSecret(work);
    expect(made).toEqual({ token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), file: join(work, DEV_JWT_SECRET_FILE), created: true });
    expect(statSync(made.file).mode & 0o777).toBe(0o600);
    chmodSync(made.file, 0o640);
    expect(await keptDevelopmentJwtSecret(work)).toEqual({ ...made, created: false });
    expect(statSync(made.file).mode & 0o777).toBe(0o600);
    // A secret too short to sign with (the API would refuse it as JWT_SECRET) is replaced.
    writeFileSync(made.file, "only-31-characters-long-secret!\n");
    const replaced = await keptDevelopmentJwtSecret(work);
    expect(replaced.created).toBe(true);
    expect(replaced.token).toHaveLength(43);
  });

  it("tells a free port from a taken one", async () => {
    const holder: Server = createServer();
    await new Promise<void>((listening) => holder.listen(0, listening));
    const port = (holder.address() as { port: number }).port;
    expect(await portIsFree(port)).toBe(false);
    await new Promise<void>((closed) => holder.close(() => closed()));
    expect(await portIsFree(port)).toBe(true);
  });

  it("finds the project root from the source folder and from the compiled one", () => {
    expect(projectRoot(resolve(ROOT, "src"))).toBe(ROOT);
    expect(projectRoot(resolve(ROOT, "dist", "src"))).toBe(ROOT);
  });
});
