import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { DatabaseConfig, MIN_JWT_SECRET_LENGTH } from "./config";

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

/**
 * Where development secrets are kept: the SQLite file's folder, or ./data for PostgreSQL and an
 * in-memory database.
 */
export function dataFolder(database: DatabaseConfig): string {
  return database.type === "sqlite" && database.path !== ":memory:" ? dirname(resolve(database.path)) : resolve("data");
}

export const DEV_TOKEN_FILE = "api-token";
export const DEV_JWT_SECRET_FILE = "jwt-secret";

export interface KeptSecret {
  /** The secret (a token or a key). */
  token: string;
  file: string;
  created: boolean;
}

/**
 * The development token, kept in the data folder (mode 0600) so a restart keeps it and Sandbox
 * or a signed-in reader app need not be told a new one. Made on first use; a file that does not
 * hold a usable token (at least 8 characters, no whitespace) is replaced.
 */
export function keptDevelopmentToken(dataDir: string): Promise<KeptSecret> {
  return keptSecret(join(dataDir, DEV_TOKEN_FILE), 8, 24);
}

/**
 * The development JWT_SECRET, kept the same way: readers' tokens from the reader app's
 * development sign-in then stay good across restarts. 32 random bytes (256 bits, what HS256
 * wants); a file with fewer than MIN_JWT_SECRET_LENGTH characters is replaced.
 */
export function keptDevelopmentJwtSecret(dataDir: string): Promise<KeptSecret> {
  return keptSecret(join(dataDir, DEV_JWT_SECRET_FILE), MIN_JWT_SECRET_LENGTH, 32);
}

/**
 * The development JWT_SECRET that `npm start` keeps in `dataDir`, or null when it has made none
 * (or the file holds no usable secret, which the next start replaces). Makes nothing.
 */
export function readKeptDevelopmentJwtSecret(dataDir: string): Promise<string | null> {
  return readKept(join(dataDir, DEV_JWT_SECRET_FILE), MIN_JWT_SECRET_LENGTH);
}

/** The secret kept in `file`, or null when there is none or it is unusable (too short, or holds whitespace). */
async function readKept(file: string, minLength: number): Promise<string | null> {
  const kept = (await readFile(file, "utf8").catch(() => "")).trim();
  return kept.length >= minLength && !/\s/.test(kept) ? kept : null;
}

async function keptSecret(file: string, minLength: number, randomByteCount: number): Promise<KeptSecret> {
  const kept = await readKept(file, minLength);
  if (kept !== null) {
    // Someone may have loosened it by hand; it is a write credential, or the key that makes them.
    if (((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
    return { token: kept, file, created: false };
  }
  const token = randomBytes(randomByteCount).toString("base64url");
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return { token, file, created: true };
}
