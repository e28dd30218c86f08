/**
 * FROZEN COPY of src/search/search-document.ts as of commit b01becf, for the SearchIndex migration. Never change it:
 * a migration must do the same on every database it ever runs on, whatever today's code says.
 * Today's code lives in src/search/search-document.ts.
 */
/**
 * What the index holds for one article or comment, and how each engine is given it. Both engines
 * receive tokens that our code made (analyze-text.ts), never text to tokenize their own way:
 * - SQLite: an FTS5 row whose columns hold the stems of a field, space-separated, and beside each
 *   such column one with the folded forms that differ from their stems (for prefixes);
 * - PostgreSQL: a tsvector literal, where every stem stands at its word's position with its
 *   field's weight, and a form that differs from its stem stands at the same position marked
 *   with FORM_MARK. The literal is cast with ::tsvector, which takes lexemes as written.
 * Fields never run into each other, so a phrase matches inside one field only, on both engines.
 */
import { Token, tokenize } from "./analyze-text";

/** A field's weight on PostgreSQL: A for the title, B for section and tags, D for the body. */
export type FieldWeight = "A" | "B" | "D";

export interface IndexedField {
  weight: FieldWeight;
  tokens: Pick<Token, "form" | "stem">[];
}

/** An article's fields (title, labels, body) or a comment's (body), as indexed. */
export type SearchDocument = IndexedField[];

/** Marks a folded form in a tsvector, so that a word looked up by its stem never meets one. */
export const FORM_MARK = "~";

/**
 * Words indexed per document, the first ones in field order. PostgreSQL keeps positions up to
 * 16,383 only and a tsvector under 1 MB; indexing the same words on both engines keeps them alike.
 */
export const MAX_DOCUMENT_TOKENS = 16_000;
const MAX_DOCUMENT_LEXEME_BYTES = 400_000;

export interface ArticleText {
  title: string;
  section: string | null;
  tags: string[];
  paragraphs: string[];
}

/** Tokens of each field in order, cut where the document's budget ends. */
function fields(parts: { weight: FieldWeight; texts: string[] }[]): SearchDocument {
  let tokens = 0;
  let bytes = 0;
  const seen = new Set<string>();
  return parts.map(({ weight, texts }) => {
    const kept: IndexedField["tokens"] = [];
    for (const text of texts) {
      for (const token of tokenize(text)) {
        if (tokens >= MAX_DOCUMENT_TOKENS) break;
        for (const lexeme of token.form === token.stem ? [token.stem] : [token.stem, FORM_MARK + token.form]) {
          if (!seen.has(lexeme)) {
            seen.add(lexeme);
            bytes += Buffer.byteLength(lexeme) + 8;
          }
        }
        if (bytes > MAX_DOCUMENT_LEXEME_BYTES) break;
        tokens += 1;
        kept.push({ form: token.form, stem: token.stem });
      }
    }
    return { weight, tokens: kept };
  });
}

export function articleDocument(article: ArticleText): SearchDocument {
  return fields([
    { weight: "A", texts: [article.title] },
    { weight: "B", texts: [...(article.section === null ? [] : [article.section]), ...article.tags] },
    { weight: "D", texts: article.paragraphs },
  ]);
}

export function commentDocument(body: string): SearchDocument {
  return fields([{ weight: "D", texts: [body] }]);
}

/** FTS5 column values: per field, its stems, then per field, its forms that differ from their stems. */
export function ftsColumns(document: SearchDocument): string[] {
  const stems = document.map((field) => field.tokens.map((token) => token.stem).join(" "));
  const forms = document.map((field) => [...new Set(field.tokens.filter((t) => t.form !== t.stem).map((t) => t.form))].join(" "));
  return [...stems, ...forms];
}

function quoteLexeme(lexeme: string): string {
  return `'${lexeme.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}

/** The tsvector literal; positions start at 1 and skip one between fields. */
export function tsvectorLiteral(document: SearchDocument): string {
  const positions = new Map<string, string[]>();
  const add = (lexeme: string, position: string) => {
    const list = positions.get(lexeme);
    if (!list) positions.set(lexeme, [position]);
    // PostgreSQL keeps 256 positions per lexeme and drops the rest; so do we, before sending.
    else if (list.length < 256) list.push(position);
  };
  let position = 0;
  for (const field of document) {
    for (const token of field.tokens) {
      position += 1;
      const at = `${position}${field.weight}`;
      add(token.stem, at);
      if (token.form !== token.stem) add(FORM_MARK + token.form, at);
    }
    position += 1;
  }
  return [...positions].map(([lexeme, at]) => `${quoteLexeme(lexeme)}:${at.join(",")}`).join(" ");
}
