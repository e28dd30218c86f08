/** Says once, up front, whether the PostgreSQL half of the suite runs. */
export default async function globalSetup(): Promise<void> {
  if (!process.env.TEST_DATABASE_URL) {
    process.stdout.write(
      "\nPostgreSQL cases skipped: TEST_DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test).\n",
    );
  }
}
