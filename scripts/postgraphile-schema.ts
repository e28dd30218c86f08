/**
 * What PostGraphile serves in `npm run bench:compare` on PostgreSQL: views in a schema of their own
 * (`postgraphile`) over Threadline's tables in the bench database, showing what Threadline shows
 * the public and nothing more. PostGraphile builds its API from what it finds in a schema, so the
 * public's rules have to be in the database; Threadline's own tables are only read, never changed.
 *
 * The comment and author filters are the policy's own rules (src/policy) written out as SQL, so the
 * views follow the policy as it stands. Smart comments give the views the keys PostGraphile reads
 * from real tables (a view has none), and the names Threadline's schema uses where plain v4
 * inflection allows it.
 */
import { Client } from "pg";
import type { Sql } from "../src/db/sql";
import { listedComment, publicAuthor, publicComment, PUBLIC_VIEWER, ruleSql } from "../src/policy";

export const POSTGRAPHILE_SCHEMA = "postgraphile";

/** A literal for a value the policy compares with: a view takes no parameters. */
function literal(value: unknown): string {
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (typeof value === "number" && Number.isSafeInteger(value)) return String(value);
  if (typeof value === "string") return `'${value.replace(/'/g, "''")}'`;
  throw new Error(`no SQL literal for ${JSON.stringify(value)}`);
}

/** A rule's condition with its parameters written in. */
function inline(condition: Sql): string {
  let next = 0;
  const text = condition.text.replace(/\?/g, () => literal(condition.params[next++]));
  if (next !== condition.params.length) throw new Error(`a condition has ${condition.params.length} parameters and ${next} places for them: ${condition.text}`);
  return text;
}

/** Dropped and made again each run, so the views follow the policy and this file as they stand now. */
const DROP = `DROP SCHEMA IF EXISTS ${POSTGRAPHILE_SCHEMA} CASCADE`;

function statements(): string[] {
  const s = POSTGRAPHILE_SCHEMA;
  const seen = inline(ruleSql(publicComment, "c"));
  const listed = inline(ruleSql(listedComment(PUBLIC_VIEWER), "c"));
  const comment = (on: string, tags: string[]) => `COMMENT ON ${on} IS ${literal(tags.join("\n"))}`;
  return [
    `CREATE SCHEMA ${s}`,
    // Paragraphs are stored as JSON text (simple-json); the view serves them as a list of strings, as Threadline does.
    `CREATE VIEW ${s}.article AS
       SELECT a."id", a."slug", a."title", a."section", a."publishedAt", a."dateline", a."imageCaption", a."imageCredit", a."wordCount",
              ARRAY(SELECT json_array_elements_text(a."paragraphs"::json)) AS "paragraphs", a."commentCount"
       FROM public."article" a`,
    comment(`VIEW ${s}.article`, ["@primaryKey id", "@unique slug"]),
    `CREATE VIEW ${s}.tag AS SELECT t."id", t."name", t."slug", t."articleCount" FROM public."tag" t`,
    comment(`VIEW ${s}.tag`, ["@primaryKey id"]),
    // Commenters the public may find (author-visibility.ts).
    `CREATE VIEW ${s}.author AS SELECT au."id", au."name", au."commentCount" FROM public."author" au WHERE ${inline(ruleSql(publicAuthor, "au"))}`,
    comment(`VIEW ${s}.author`, ["@primaryKey id"]),
    // The comments listed to the public; one it does not see is a tombstone, with no text and no author.
    `CREATE VIEW ${s}.comment AS
       SELECT c."id", c."articleId", c."parentId",
              CASE WHEN ${seen} THEN c."authorId" END AS "authorId",
              CASE WHEN ${seen} THEN c."body" ELSE '' END AS "body",
              c."hasAvatar", c."depth", c."position", c."isDeleted", c."replyCount"
       FROM public."comment" c
       WHERE ${listed}`,
    comment(`VIEW ${s}.comment`, [
      "@primaryKey id",
      `@foreignKey ("articleId") references ${s}.article (id)|@fieldName article|@foreignFieldName comments`,
      `@foreignKey ("parentId") references ${s}.comment (id)|@fieldName parent|@foreignFieldName replies`,
      `@foreignKey ("authorId") references ${s}.author (id)|@fieldName author|@omit many`,
    ]),
    `CREATE VIEW ${s}.related_link AS SELECT rl."id", rl."articleId", rl."title", rl."position" FROM public."related_link" rl`,
    comment(`VIEW ${s}.related_link`, [
      "@primaryKey id",
      `@foreignKey ("articleId") references ${s}.article (id)|@foreignSimpleFieldName relatedLinks|@simpleCollections only`,
    ]),
    // Computed columns: PostGraphile 4 has no many-to-many relation without a plugin, and a related
    // headline names its article by title (the newest, if several), not by key.
    `CREATE FUNCTION ${s}.article_tags(a ${s}.article) RETURNS SETOF ${s}.tag LANGUAGE sql STABLE AS $$
       SELECT t.* FROM public."article_tag" atg JOIN ${s}.tag t ON t."id" = atg."tagId" WHERE atg."articleId" = a."id" ORDER BY atg."position"
     $$`,
    comment(`FUNCTION ${s}.article_tags(${s}.article)`, ["@simpleCollections only"]),
    `CREATE FUNCTION ${s}.related_link_article(rl ${s}.related_link) RETURNS ${s}.article LANGUAGE sql STABLE AS $$
       SELECT a.* FROM ${s}.article a WHERE a."title" = rl."title" ORDER BY a."publishedAt" DESC, a."id" DESC LIMIT 1
     $$`,
  ];
}

async function inTransaction(databaseUrl: string, sql: string[]): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("BEGIN");
    for (const statement of sql) await client.query(statement);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  } finally {
    await client.end();
  }
}

/** Makes the `postgraphile` schema in the database at `databaseUrl` anew. */
export function preparePostgraphileSchema(databaseUrl: string): Promise<void> {
  return inTransaction(databaseUrl, [DROP, ...statements()]);
}

/** Removes it, with everything in it and nothing else. */
export function dropPostgraphileSchema(databaseUrl: string): Promise<void> {
  return inTransaction(databaseUrl, [DROP]);
}
