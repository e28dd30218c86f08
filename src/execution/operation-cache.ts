/**
 * What a repeated operation need not redo, kept by each server for its own schema.
 *
 * - DocumentCache: parsed, validated and limit-checked documents, by the text's SHA-256, in a
 *   bounded LRU. HTTP reaches it as Apollo's `documentStore` (Apollo stores a document only once it
 *   passed every validation rule, ours included); graphql-ws looks the same text up in it and
 *   stores what it validated itself, so each distinct document is validated once, whichever
 *   transport brings it first.
 * - PreflightVerdicts: which variables a document was already checked with (text inputs, cost).
 *   The cost depends on variables (page sizes, search words), so a verdict holds for one document,
 *   operation name and set of variables.
 * - CachePolicies: each operation's HTTP cache policy (cache-policy.ts), which depends on the
 *   document alone, so it is worked out once per document and operation name.
 * - CompiledOperations (compiled-executor.ts): each operation compiled by graphql-jit, likewise
 *   once per document and operation name.
 */
import { createHash } from "node:crypto";
import type { ApolloServerOptions, BaseContext } from "@apollo/server";
import type { DocumentNode, GraphQLSchema } from "graphql";
import { CachePolicy, cachePolicyOf } from "./cache-policy";

type DocumentStore = NonNullable<ApolloServerOptions<BaseContext>["documentStore"]>;

/**
 * How much the document cache holds. A parsed document takes about 60 bytes of heap per character
 * of its text, so the text budget keeps the cache near 30 MB whatever clients send.
 */
export const DOCUMENT_CACHE_LIMITS = { documents: 2_000, characters: 500_000 } as const;

/** Variables longer than this as JSON are checked every time rather than remembered. */
const MAX_REMEMBERED_VARIABLES = 2_000;
/** Verdicts kept per document; one with endlessly varying variables starts over when full. */
const MAX_VERDICTS_PER_DOCUMENT = 256;
/** Operation names remembered per document (policies, compiled operations); more start over. */
const MAX_OPERATION_NAMES_PER_DOCUMENT = 256;

export function textHash(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * Apollo's keys are a prefix naming the schema, then the SHA-256 of the text. A server has one
 * schema, so the hash alone names the document, and graphql-ws can compute it from the text.
 */
function hashOfKey(key: string): string {
  return key.slice(key.lastIndexOf(":") + 1);
}

export class DocumentCache implements DocumentStore {
  /** In use order: the first entry is the least recently used. */
  private readonly entries = new Map<string, { document: DocumentNode; size: number }>();
  private characters = 0;

  async get(key: string): Promise<DocumentNode | undefined> {
    return this.lookup(hashOfKey(key));
  }

  async set(key: string, document: DocumentNode): Promise<void> {
    this.store(hashOfKey(key), document);
  }

  async delete(key: string): Promise<boolean> {
    return this.remove(hashOfKey(key));
  }

  /** The validated document for this text, if HTTP or an earlier subscription brought it. */
  documentFor(text: string): DocumentNode | undefined {
    return this.lookup(textHash(text));
  }

  /** Keeps a document that passed every validation rule. */
  remember(text: string, document: DocumentNode): void {
    this.store(textHash(text), document);
  }

  private lookup(hash: string): DocumentNode | undefined {
    const entry = this.entries.get(hash);
    if (!entry) return undefined;
    this.entries.delete(hash);
    this.entries.set(hash, entry);
    return entry.document;
  }

  private store(hash: string, document: DocumentNode): void {
    const size = document.loc?.end ?? 0;
    if (size > DOCUMENT_CACHE_LIMITS.characters) return;
    this.remove(hash);
    this.entries.set(hash, { document, size });
    this.characters += size;
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= DOCUMENT_CACHE_LIMITS.documents && this.characters <= DOCUMENT_CACHE_LIMITS.characters) break;
      this.entries.delete(oldest);
      this.characters -= entry.size;
    }
  }

  private remove(hash: string): boolean {
    const entry = this.entries.get(hash);
    if (!entry) return false;
    this.entries.delete(hash);
    this.characters -= entry.size;
    return true;
  }
}

export class PreflightVerdicts {
  /** Keyed by the cached document itself: a document dropped from the cache takes its verdicts along. */
  private readonly passed = new WeakMap<DocumentNode, Set<string>>();

  /** Whether this operation passed the preflight with exactly these variables before. */
  hasPassed(document: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown> | null | undefined): boolean {
    const key = verdictKey(operationName, variables);
    return key !== null && (this.passed.get(document)?.has(key) ?? false);
  }

  recordPass(document: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown> | null | undefined): void {
    const key = verdictKey(operationName, variables);
    if (key === null) return;
    let keys = this.passed.get(document);
    if (!keys) {
      keys = new Set();
      this.passed.set(document, keys);
    }
    if (keys.size >= MAX_VERDICTS_PER_DOCUMENT) keys.clear();
    keys.add(key);
  }
}

function verdictKey(operationName: string | null | undefined, variables: Record<string, unknown> | null | undefined): string | null {
  const json = JSON.stringify(variables ?? {});
  return json.length > MAX_REMEMBERED_VARIABLES ? null : `${operationName ?? ""}\u0000${json}`;
}

/**
 * Something worked out once per cached document and operation name (a cache policy, a compiled
 * operation). Keyed by the cached document, like the verdicts: it goes when the document leaves
 * the cache. A document names few operations; an endless stream of unknown names starts over.
 */
export class PerOperation<T> {
  private readonly byDocument = new WeakMap<DocumentNode, Map<string, T>>();

  constructor(private readonly make: (document: DocumentNode, operationName: string | null | undefined) => T) {}

  get(document: DocumentNode, operationName: string | null | undefined): T {
    let byName = this.byDocument.get(document);
    if (!byName) {
      byName = new Map();
      this.byDocument.set(document, byName);
    }
    const key = operationName ?? "";
    let value = byName.get(key);
    if (value === undefined) {
      value = this.make(document, operationName);
      if (byName.size >= MAX_OPERATION_NAMES_PER_DOCUMENT) byName.clear();
      byName.set(key, value);
    }
    return value;
  }
}

export class CachePolicies {
  private readonly policies: PerOperation<CachePolicy>;

  constructor(schema: GraphQLSchema) {
    this.policies = new PerOperation((document, operationName) => cachePolicyOf(schema, document, operationName));
  }

  policyFor(document: DocumentNode, operationName: string | null | undefined): CachePolicy {
    return this.policies.get(document, operationName);
  }
}
