import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { dirname, join } from "node:path";

/**
 * The folder with package.json above `from`: the project root whether the code runs compiled
 * (dist/src) or from source (src, under ts-node), so seeds/ and dist/web are found either way.
 */
export function projectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) return from;
  }
}

/**
 * Whether nothing listens on the port yet. Asked before the database is opened and seeded, so a
 * second `npm start` says so at once instead of after minutes of importing; the real listen
 * still reports the rare port taken in between.
 */
export function portIsFree(port: number): Promise<boolean> {
  if (port === 0) return Promise.resolve(true);
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") resolve(false);
      else reject(error);
    });
    probe.listen(port, () => probe.close(() => resolve(true)));
  });
}

export const DEV_TOKEN_FILE = "api-token";

/**
 * The development token, kept in the data folder (mode 0600) so a restart keeps it and Sandbox
 * or a signed-in reader app need not be told a new one. Made on first use; a file that does not
 * hold a usable token (at least 8 characters, no whitespace) is replaced.
 */
export async function keptDevelopmentToken(dataDir: string): Promise<{ token: string; file: string; created: boolean }> {
  const file = join(dataDir, DEV_TOKEN_FILE);
  const kept = (await readFile(file, "utf8").catch(() => "")).trim();
  if (kept.length >= 8 && !/\s/.test(kept)) {
    // Someone may have loosened it by hand; the token is a write credential.
    if (((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
    return { token: kept, file, created: false };
  }
  const token = randomBytes(24).toString("base64url");
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return { token, file, created: true };
}
