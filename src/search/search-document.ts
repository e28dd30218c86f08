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
import { forEachToken, Token, WordToken } from "./analyze-text";

/** A field's weight on PostgreSQL: A for the title, B for section and tags, D for the body. */
export type FieldWeight = "A" | "B" | "D";

/** The title's weight: search_article.title on PostgreSQL keeps the document's entries of it alone. */
export const TITLE_WEIGHT: FieldWeight = "A";

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
  // Lexemes seen so far: stems, and forms (which stand marked with FORM_MARK, one byte more).
  const stems = new Set<string>();
  const forms = new Set<string>();
  let full = false;
  const visit = (kept: IndexedField["tokens"]) => (token: WordToken) => {
    if (tokens >= MAX_DOCUMENT_TOKENS) return false;
    if (!stems.has(token.stem)) {
      stems.add(token.stem);
      // A lexeme's UTF-8 bytes and its position's 8.
      bytes += token.stemBytes + 8;
    }
    if (token.form !== token.stem && !forms.has(token.form)) {
      forms.add(token.form);
      // FORM_MARK is one byte more.
      bytes += token.formBytes + 1 + 8;
    }
    if (bytes > MAX_DOCUMENT_LEXEME_BYTES) {
      full = true;
      return false;
    }
    tokens += 1;
    kept.push(token);
    return true;
  };
  return parts.map(({ weight, texts }) => {
    const kept: IndexedField["tokens"] = [];
    const keep = visit(kept);
    for (const text of texts) {
      if (full) break;
      forEachToken(text, keep);
    }
    return { weight, tokens: kept };
  });
}

export function articleDocument(article: ArticleText): SearchDocument {
  return fields([
    { weight: TITLE_WEIGHT, texts: [article.title] },
    { weight: "B", texts: [...(article.section === null ? [] : [article.section]), ...article.tags] },
    { weight: "D", texts: article.paragraphs },
  ]);
}

export function commentDocument(body: string): SearchDocument {
  return fields([{ weight: "D", texts: [body] }]);
}

/** FTS5 column values: per field, its stems, then per field, its forms that differ from their stems. */
export function ftsColumns(document: SearchDocument): string[] {
  const columns: string[] = new Array(document.length * 2);
  document.forEach((field, f) => {
    let stems = "";
    let forms = "";
    const seen = new Set<string>();
    for (const token of field.tokens) {
      stems += stems === "" ? token.stem : ` ${token.stem}`;
      if (token.form !== token.stem && !seen.has(token.form)) {
        seen.add(token.form);
        forms += forms === "" ? token.form : ` ${token.form}`;
      }
    }
    columns[f] = stems;
    columns[document.length + f] = forms;
  });
  return columns;
}

function quoteLexeme(lexeme: string): string {
  // Tokens are letters, digits and marks: quotes and backslashes almost never need escaping.
  if (lexeme.indexOf("\\") === -1 && lexeme.indexOf("'") === -1) return `'${lexeme}'`;
  return `'${lexeme.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}

/** The tsvector literal; positions start at 1 and skip one between fields. */
export function tsvectorLiteral(document: SearchDocument): string {
  // Per lexeme (forms marked), its positions so far as text, and how many.
  const positions = new Map<string, { at: string; count: number }>();
  const add = (lexeme: string, at: string) => {
    const entry = positions.get(lexeme);
    if (!entry) positions.set(lexeme, { at, count: 1 });
    // PostgreSQL keeps 256 positions per lexeme and drops the rest; so do we, before sending.
    else if (entry.count < 256) {
      entry.at += `,${at}`;
      entry.count += 1;
    }
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
  let literal = "";
  for (const [lexeme, { at }] of positions) literal += `${literal === "" ? "" : " "}${quoteLexeme(lexeme)}:${at}`;
  return literal;
}
