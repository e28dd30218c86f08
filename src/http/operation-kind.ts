/**
 * The kind of operation a GraphQL text asks for (query, mutation, subscription), read from the text
 * without parsing it: admission (admission.ts) puts an operation in its lane before Apollo parses
 * it, and a parse there would be paid again by Apollo and outside anyone's turn.
 *
 * The scan skips what GraphQL ignores (white space, commas, comments, a byte order mark) and
 * strings (block strings too), counts braces and parentheses, and reads the words that begin each
 * definition at the top level. It picks the operation as GraphQL executes it: the one named
 * `operationName`, else the only operation. It answers null whenever that is not clear (no such
 * operation, several without a name, unbalanced braces): such a text fails in Apollo anyway, and
 * takes the read lane meanwhile. A text that looks like a mutation here is one to GraphQL too.
 */
export type OperationKind = "query" | "mutation" | "subscription";

const KINDS = new Set<string>(["query", "mutation", "subscription"]);

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const COMMA = 0x2c;
const HASH = 0x23;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const BOM = 0xfeff;

function isNameStart(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || code === 0x5f;
}

function isNameContinue(code: number): boolean {
  return isNameStart(code) || (code >= 0x30 && code <= 0x39);
}

/** The kind of the operation `operationName` (or the only one) in `text`, or null when unclear. */
export function operationKind(text: string, operationName?: string | null): OperationKind | null {
  let depth = 0;
  let found: OperationKind | null = null;
  let operations = 0;
  /** Whether a definition has begun at the top level and its selection set is still to come. */
  let inHeader = false;
  const length = text.length;
  let i = 0;
  while (i < length) {
    const code = text.charCodeAt(i);
    if (code === SPACE || code === TAB || code === LF || code === CR || code === COMMA || code === BOM) {
      i += 1;
    } else if (code === HASH) {
      while (i < length && text.charCodeAt(i) !== LF && text.charCodeAt(i) !== CR) i += 1;
    } else if (code === QUOTE) {
      if (text.startsWith('"""', i)) {
        const end = blockStringEnd(text, i + 3);
        if (end < 0) return null;
        i = end;
      } else {
        i += 1;
        while (i < length && text.charCodeAt(i) !== QUOTE) {
          const c = text.charCodeAt(i);
          if (c === LF || c === CR) return null;
          i += c === BACKSLASH ? 2 : 1;
        }
        if (i >= length) return null;
        i += 1;
      }
    } else if (code === 0x7b /* { */ || code === 0x28 /* ( */ || code === 0x5b /* [ */) {
      if (depth === 0 && code === 0x7b) {
        // A selection set at the top level: the body of the pending definition, or a query's shorthand.
        if (!inHeader) {
          operations += 1;
          if (!operationName) found = "query";
        } else inHeader = false;
      }
      depth += 1;
      i += 1;
    } else if (code === 0x7d || code === 0x29 || code === 0x5d) {
      depth -= 1;
      if (depth < 0) return null;
      i += 1;
    } else if (isNameStart(code)) {
      const start = i;
      while (i < length && isNameContinue(text.charCodeAt(i))) i += 1;
      if (depth > 0) continue;
      const word = text.slice(start, i);
      if (KINDS.has(word) && !inHeader) {
        const kind = word as OperationKind;
        operations += 1;
        // Its name, if any, is the next word.
        let j = i;
        while (j < length) {
          const c = text.charCodeAt(j);
          if (c === SPACE || c === TAB || c === LF || c === CR || c === COMMA) j += 1;
          else if (c === HASH) while (j < length && text.charCodeAt(j) !== LF && text.charCodeAt(j) !== CR) j += 1;
          else break;
        }
        let name = "";
        if (j < length && isNameStart(text.charCodeAt(j))) {
          const nameStart = j;
          while (j < length && isNameContinue(text.charCodeAt(j))) j += 1;
          name = text.slice(nameStart, j);
          i = j;
        }
        if (!operationName || name === operationName) found = kind;
        inHeader = true;
      } else if (word === "fragment" && !inHeader) {
        // A fragment's name, type condition and selection set follow.
        inHeader = true;
      }
      // Other words at the top level (names, directives' names, `on`, types) change nothing.
    } else {
      i += 1;
    }
  }
  if (depth !== 0) return null;
  if (!operationName && operations !== 1) return null;
  return found;
}

/** Where a block string that opened before `from` ends (just past its closing quotes), or -1. */
function blockStringEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    if (text.startsWith('\\"""', i)) i += 4;
    else if (text.startsWith('"""', i)) return i + 3;
    else i += 1;
  }
  return -1;
}
