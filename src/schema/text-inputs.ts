// Every argument is held to text/unstorable.ts: text the engines cannot store alike is refused before any resolver runs.
import { ArgumentNode, DocumentNode, FieldNode, GraphQLError, ObjectFieldNode, visit } from "graphql";
import { UNSTORABLE, unstorableIn } from "../text/unstorable";

function refusal(argument: string, text: string): GraphQLError {
  return new GraphQLError(`"${argument}" contains ${unstorableIn(text)}, which cannot be stored or searched`, {
    extensions: { code: "BAD_USER_INPUT", argumentName: argument, http: { status: 400 } },
  });
}

/** The first string inside a JSON-like value that cannot be stored, if any. */
function findUnstorable(value: unknown, depth = 0): string | null {
  if (typeof value === "string") return UNSTORABLE.test(value) ? value : null;
  if (depth > 20 || value === null || typeof value !== "object") return null;
  for (const item of Array.isArray(value) ? value : Object.values(value as Record<string, unknown>)) {
    const found = findUnstorable(item, depth + 1);
    if (found !== null) return found;
  }
  return null;
}

/**
 * Arguments that take a whole document which our own parser reads, and which it refuses or
 * cleans with a reason naming the line: `importDump(text:)`. They are left to it.
 */
const PARSED_DOWNSTREAM = new Set(["importDump.text"]);

/**
 * Refusals for string literals and variables, before any resolver runs. Each is named by where it
 * is given, as an argument path: `after`, `where.search`, `slug`. A variable used nowhere in the
 * document's arguments (an unused one) is named by itself, `$name`.
 */
export function checkTextInputs(document: DocumentNode, variables: Record<string, unknown> | null | undefined): GraphQLError[] {
  const errors: GraphQLError[] = [];
  const fields: string[] = [];
  // Argument name, then input-object field names below it.
  const path: string[] = [];
  const usages = new Map<string, { coordinate: string; path: string }[]>();
  const here = () => ({ coordinate: `${fields.at(-1)}.${path[0]}`, path: path.join(".") });
  visit(document, {
    Field: {
      enter: (node: FieldNode) => void fields.push(node.name.value),
      leave: () => void fields.pop(),
    },
    Argument: {
      enter: (node: ArgumentNode) => void path.push(node.name.value),
      leave: () => void path.pop(),
    },
    ObjectField: {
      enter: (node: ObjectFieldNode) => void path.push(node.name.value),
      leave: () => void path.pop(),
    },
    Variable(node) {
      if (path.length === 0) return;
      usages.set(node.name.value, [...(usages.get(node.name.value) ?? []), here()]);
    },
    StringValue(node) {
      if (errors.length > 0 || path.length === 0 || PARSED_DOWNSTREAM.has(here().coordinate)) return;
      if (UNSTORABLE.test(node.value)) errors.push(refusal(here().path, node.value));
    },
  });
  for (const [name, value] of Object.entries(variables ?? {})) {
    const used = (usages.get(name) ?? []).filter((usage) => !PARSED_DOWNSTREAM.has(usage.coordinate));
    if (usages.has(name) && used.length === 0) continue;
    const found = findUnstorable(value);
    if (found !== null) errors.push(refusal(used[0]?.path ?? `$${name}`, found));
  }
  return errors;
}
