/**
 * `npm run token -- --sub ID [--name NAME] [--role commenter|moderator] [--minutes N]`: signs a
 * reader's token with JWT_SECRET, as a host site would, for trying readers and moderators out in
 * Sandbox, GraphiQL or curl (`Authorization: Bearer <the printed token>`). Without JWT_SECRET
 * (outside production) it signs with the development secret `npm start` keeps in the data folder
 * of DATABASE_URL, so its tokens are good on that server. Not for production: there the host site
 * signs its readers' tokens itself.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { SignJWT } from "jose";
import { Config, ConfigError, loadConfig } from "../src/config";
import { dataFolder, DEV_JWT_SECRET_FILE, readKeptDevelopmentJwtSecret } from "../src/startup";

function fail(message: string): never {
  console.error(`threadline token: ${message}`);
  process.exit(2);
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(`bad setting ${error.message}`);
    throw error;
  }
  let secret = config.jwtSecret;
  if (!secret && config.production) fail("JWT_SECRET is not set; set it to the secret the server uses");
  if (!secret) {
    const dir = dataFolder(config.database);
    secret = await readKeptDevelopmentJwtSecret(dir);
    if (!secret) {
      fail(
        `JWT_SECRET is not set and no development secret is kept in ${join(dir, DEV_JWT_SECRET_FILE)}; start the server once (npm start) to make one, or set JWT_SECRET to the secret the server uses`,
      );
    }
  }
  const { values } = parseArgs({
    options: { sub: { type: "string" }, name: { type: "string" }, role: { type: "string", default: "commenter" }, minutes: { type: "string", default: "60" } },
  });
  if (!values.sub) fail("--sub is required: the reader's stable id");
  if (values.role !== "commenter" && values.role !== "moderator") fail(`--role must be commenter or moderator, got "${values.role}"`);
  const minutes = Number(values.minutes);
  if (!Number.isInteger(minutes) || minutes < 1) fail(`--minutes must be a whole number above 0, got "${values.minutes}"`);
  if (minutes * 60 > config.jwtMaxAgeSeconds) {
    fail(
      `--minutes ${minutes} is longer than the server accepts: JWT_MAX_AGE_SECONDS is ${config.jwtMaxAgeSeconds} (${Math.floor(config.jwtMaxAgeSeconds / 60)} minutes)`,
    );
  }
  const claims: Record<string, string> = { role: values.role };
  if (values.name) claims.name = values.name;
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(values.sub)
    .setIssuedAt()
    .setExpirationTime(`${minutes}m`)
    .sign(new TextEncoder().encode(secret));
  console.log(token);
}

void main();
