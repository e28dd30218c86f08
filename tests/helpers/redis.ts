/**
 * The Redis the Redis cases use: TEST_REDIS_URL (e.g. redis://127.0.0.1:6379). Without it they are
 * skipped, and global-setup says so once.
 */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL || null;

/** Runs a suite when TEST_REDIS_URL is set and, with `postgres`, TEST_DATABASE_URL too; skips it otherwise. */
export function redisSuite(postgres: boolean): jest.Describe {
  return TEST_REDIS_URL && (!postgres || process.env.TEST_DATABASE_URL) ? describe : describe.skip;
}

/** The Redis URL of a suite that runs only with one (redisSuite). */
export function redisUrl(): string {
  return TEST_REDIS_URL ?? "redis://unset.invalid:6379";
}
