/**
 * A Threadline server in a process of its own, started as `npm start` starts it (the compiled
 * dist/src/index.js, built once per run by tests/helpers/global-setup.ts), for the cases that need
 * two real server processes on one database.
 */
import { ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";

const ROOT = resolve(__dirname, "../..");

/**
 * The compiled form of one of the project's entry points (`src/index.ts` -> `dist/src/index.js`),
 * as `npm start` and the npm scripts run it. The suite's global setup builds dist/ before any case.
 */
export function builtEntry(source: string): string {
  return resolve(ROOT, "dist", source.replace(/\.ts$/, ".js"));
}

/** Settings of the test's own environment that a child must not inherit unless the case names them. */
const UNSET = ["API_TOKEN", "REDIS_URL", "JWT_SECRET", "JWKS_URL", "NODE_ENV", "PORT", "DATABASE_URL"];

export interface ServerProcess {
  /** "127.0.0.1:port" it listens on. */
  host: string;
  /** What it wrote to stderr so far. */
  stderr(): string;
  /** SIGTERM, then waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts dist/src/index.js with `env` (and PORT=0) and resolves once it says where it serves GraphQL.
 * Rejects with its output if it exits before that or does not get there in `timeoutMs`.
 */
export function startServerProcess(env: Record<string, string>, timeoutMs = 120_000): Promise<ServerProcess> {
  const childEnv: Record<string, string | undefined> = { ...process.env };
  for (const variable of UNSET) delete childEnv[variable];
  Object.assign(childEnv, { PORT: "0", SHUTDOWN_GRACE_SECONDS: "0", ...env });
  const child: ChildProcess = spawn(process.execPath, [builtEntry("src/index.ts")], { cwd: ROOT, env: childEnv });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk) => (stdout += chunk));
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise<void>((done) => child.once("close", () => done()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  return new Promise<ServerProcess>((started, failed) => {
    const timer = setTimeout(() => {
      void stop();
      failed(new Error(`the server process did not start in ${timeoutMs} ms; stdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    const onOutput = () => {
      const port = /GraphQL at http:\/\/localhost:(\d+)\//.exec(stdout)?.[1];
      if (!port) return;
      clearTimeout(timer);
      child.stdout!.off("data", onOutput);
      started({ host: `127.0.0.1:${port}`, stderr: () => stderr, stop });
    };
    child.stdout!.on("data", onOutput);
    void exited.then(() => {
      clearTimeout(timer);
      failed(new Error(`the server process exited before it served; stdout:\n${stdout}\nstderr:\n${stderr}`));
    });
  });
}
