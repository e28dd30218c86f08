/**
 * An ArticleInput (from upsertArticle, or from a line of a seed's .json/.ndjson file) -> the
 * checked ArticleUpsert the writer takes. Pure: no database. GraphQL has typed the mutation's
 * input already; a file's object is typed here by the same function, so both are refused alike.
 */
import { DateTimeResolver } from "graphql-scalars";
import { COLUMN_LENGTHS } from "../entities/column-lengths";
import { unstorableIn } from "../text/unstorable";
import { characterCount } from "../text/write-limits";
import { articleLimitBreach, ImportError } from "./import";

/**
 * An article as upsertArticle writes it. A field left undefined was not given: an update leaves it
 * as stored (a new article starts without it). Null clears a text field; lists are never null.
 */
export interface ArticleUpsert {
  /** Absolute http(s), as the WHATWG URL parser writes it. */
  url: string;
  externalId?: string | null;
  title: string;
  publishedAt: Date;
  section?: string | null;
  paragraphs?: string[];
  tags?: string[];
  imageCaption?: string | null;
  imageCredit?: string | null;
  dateline?: string | null;
  relatedLinks?: string[];
}

/** The ArticleInput fields, in the schema's order. */
export const ARTICLE_INPUT_FIELDS = [
  "url",
  "externalId",
  "title",
  "publishedAt",
  "section",
  "paragraphs",
  "tags",
  "imageCaption",
  "imageCredit",
  "dateline",
  "relatedLinks",
] as const;

export type ArticleInputField = (typeof ARTICLE_INPUT_FIELDS)[number];

/**
 * An ArticleInput the service will not write, naming the field. An ImportError, so the seed
 * reports it like any refused dump; upsertArticle answers it as BAD_USER_INPUT.
 */
export class ArticleInputError extends ImportError {
  constructor(
    readonly field: ArticleInputField,
    readonly problem: string,
  ) {
    super(`"${field}": ${problem}`);
    this.name = "ArticleInputError";
  }
}

/**
 * The URL as stored and looked up: absolute http or https, written as the WHATWG parser writes it
 * (host lower-cased and punycoded, path percent-encoded) and without its #fragment, which names a
 * place in the page, so that one page has one spelling. Null for anything else.
 */
export function normalizeArticleUrl(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  if (url.username !== "" || url.password !== "") return null;
  url.hash = "";
  return url.href;
}

const TEXT_FIELDS = ["section", "imageCaption", "imageCredit", "dateline"] as const;
const LIST_FIELDS = ["paragraphs", "tags", "relatedLinks"] as const;

/** Checks an ArticleInput, typed by GraphQL or straight from JSON, against every rule of an article. */
export function readArticleInput(raw: unknown): ArticleUpsert {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new ImportError("an article must be a JSON object");
  const input = raw as Record<string, unknown>;
  const known = new Set<string>(ARTICLE_INPUT_FIELDS);
  const unknown = Object.keys(input).find((key) => !known.has(key));
  if (unknown !== undefined) throw new ImportError(`"${unknown}" is not a field of ArticleInput`);
  // GraphQL arguments are checked at the edge (checkTextInputs); a file's strings are checked here.
  for (const field of ARTICLE_INPUT_FIELDS) {
    const value = input[field];
    const texts = typeof value === "string" ? [value] : Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
    const problem = texts.map(unstorableIn).find((found) => found !== null);
    if (problem) throw new ArticleInputError(field, `contains ${problem}, which cannot be stored`);
  }

  const url = input.url;
  if (typeof url !== "string") throw new ArticleInputError("url", "required, an absolute http(s) URL");
  const normalized = normalizeArticleUrl(url);
  if (normalized === null) throw new ArticleInputError("url", `not an absolute http(s) URL: "${Array.from(url).slice(0, 80).join("")}"`);
  if (normalized.length > COLUMN_LENGTHS.articleUrl) {
    throw new ArticleInputError("url", `${normalized.length} characters long; the limit is ${COLUMN_LENGTHS.articleUrl}`);
  }

  const title = input.title;
  if (typeof title !== "string") throw new ArticleInputError("title", "required, a string");
  if (title.trim() === "") throw new ArticleInputError("title", "must not be empty");

  const upsert: ArticleUpsert = { url: normalized, title: title.trim(), publishedAt: readTime(input.publishedAt) };

  if (input.externalId !== undefined) {
    const externalId = input.externalId;
    if (externalId !== null && typeof externalId !== "string") throw new ArticleInputError("externalId", "must be a string or null");
    if (externalId !== null && externalId.trim() === "") throw new ArticleInputError("externalId", "must not be empty; leave it out or pass null");
    if (externalId !== null && characterCount(externalId) > COLUMN_LENGTHS.articleExternalId) {
      throw new ArticleInputError("externalId", `${characterCount(externalId)} characters long; the limit is ${COLUMN_LENGTHS.articleExternalId}`);
    }
    upsert.externalId = externalId === null ? null : externalId.trim();
  }
  for (const field of TEXT_FIELDS) {
    const value = input[field];
    if (value === undefined) continue;
    if (value !== null && typeof value !== "string") throw new ArticleInputError(field, "must be a string or null");
    // A blank value says "none", as a dump without the line does.
    upsert[field] = value === null || value.trim() === "" ? null : value.trim();
  }
  for (const field of LIST_FIELDS) {
    const value = input[field];
    if (value === undefined) continue;
    if (value !== null && (!Array.isArray(value) || value.some((item) => typeof item !== "string"))) {
      throw new ArticleInputError(field, "must be a list of strings or null");
    }
    const items = ((value as string[] | null) ?? []).map((item) => item.trim());
    // A paragraph may be blank in a CMS body; a blank tag or headline names nothing.
    if (field !== "paragraphs" && items.some((item) => item === "")) throw new ArticleInputError(field, "holds a blank entry");
    upsert[field] = field === "paragraphs" ? items.filter((item) => item !== "") : items;
  }

  const breach = articleLimitBreach(upsert, "the article");
  if (breach) throw new ArticleInputError(breach.field as ArticleInputField, breach.reason);
  return upsert;
}

/** publishedAt: a Date from GraphQL's DateTime, or in a file the same RFC 3339 text, which must carry its zone. */
function readTime(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value !== "string") throw new ArticleInputError("publishedAt", "required, a date-time with its zone (2024-05-01T10:00:00Z)");
  try {
    return DateTimeResolver.parseValue(value) as Date;
  } catch {
    throw new ArticleInputError("publishedAt", `not a date-time with its zone (2024-05-01T10:00:00Z or +02:00): "${value.slice(0, 40)}"`);
  }
}
