/**
 * HTTP caching of anonymous reads.
 *
 * Apollo's cache-control plugin works the policy out while the operation runs, through a hook on
 * every resolved field; on a deep page that is tens of thousands of calls (it is disabled in
 * server.ts). The policy depends only on which fields a document selects, so here it is worked
 * out from the validated document instead, once per document (CachePolicies in operation-cache.ts
 * remembers it), from the hints below. The rules are Apollo's:
 * - a field's hint is its own, else (for a field of object, interface or union type) its type's;
 * - a field of object type with no hint at all, and a root field with none, are not cacheable;
 * - a scalar or enum field without a hint takes its parent's;
 * - the response's max-age is the smallest of its fields', and it is private when any field is.
 * `@include` and `@skip` are not evaluated: every field the document names counts, which can only
 * shorten the max-age.
 */
import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import {
  DocumentNode,
  FragmentDefinitionNode,
  getNamedType,
  GraphQLCompositeType,
  GraphQLNamedType,
  GraphQLSchema,
  isAbstractType,
  isCompositeType,
  isObjectType,
  isInterfaceType,
  Kind,
  OperationDefinitionNode,
  SelectionSetNode,
} from "graphql";

export type CacheScope = "PUBLIC" | "PRIVATE";

/** `inherit`: no hint of its own; its fields decide (Relay wrappers: connections, edges, page info). */
export type CacheHint = { maxAge: number; scope?: CacheScope } | { inherit: true };

/**
 * Every hint, by type and by `Type.field`, in seconds. Comments and counts of comments change with
 * every post, so they are kept briefly; an article's text changes only when its dump is imported
 * again; lists of articles, tags and commenters grow with imports and posts.
 */
export const CACHE_HINTS: { types: Record<string, CacheHint>; fields: Record<string, CacheHint> } = {
  types: {
    Article: { maxAge: 300 },
    Tag: { maxAge: 300 },
    RelatedLink: { maxAge: 300 },
    Author: { maxAge: 60 },
    Comment: { maxAge: 30 },
    // Served to its reader only, whose requests are credentialed and never stored; anonymous node(id) of one is null.
    Notification: { maxAge: 30 },
    ArticleConnection: { inherit: true },
    ArticleEdge: { inherit: true },
    TagConnection: { inherit: true },
    TagEdge: { inherit: true },
    AuthorConnection: { inherit: true },
    AuthorEdge: { inherit: true },
    CommentConnection: { inherit: true },
    CommentEdge: { inherit: true },
    NotificationConnection: { inherit: true },
    NotificationEdge: { inherit: true },
    SearchConnection: { inherit: true },
    SearchEdge: { inherit: true },
    Highlight: { inherit: true },
    TextRange: { inherit: true },
    PageInfo: { inherit: true },
    BoundedCount: { inherit: true },
  },
  fields: {
    "Query.articles": { maxAge: 60 },
    "Query.tags": { maxAge: 60 },
    "Query.authors": { maxAge: 60 },
    "Query.search": { maxAge: 60 },
    "Tag.articles": { maxAge: 60 },
    "Tag.articleCount": { maxAge: 60 },
    "Article.commentCount": { maxAge: 30 },
    "Author.commentCount": { maxAge: 30 },
  },
};

export interface CachePolicy {
  /** Seconds a cache may keep the response; 0 when it may not keep it at all. */
  maxAge: number;
  scope: CacheScope;
}

export const UNCACHEABLE: CachePolicy = Object.freeze({ maxAge: 0, scope: "PUBLIC" });

type Restriction = { maxAge: number; scope: CacheScope } | null;

/** A type's own hint; an interface or union without one takes the shortest of its members'. */
function typeRestriction(schema: GraphQLSchema, type: GraphQLNamedType): Restriction {
  const hint = CACHE_HINTS.types[type.name];
  if (hint) return "inherit" in hint ? null : { maxAge: hint.maxAge, scope: hint.scope ?? "PUBLIC" };
  if (isAbstractType(type)) {
    let result: Restriction = null;
    for (const member of schema.getPossibleTypes(type)) result = tighter(result, typeRestriction(schema, member) ?? { maxAge: 0, scope: "PUBLIC" });
    return result ?? { maxAge: 0, scope: "PUBLIC" };
  }
  return isCompositeType(type) ? { maxAge: 0, scope: "PUBLIC" } : null;
}

function tighter(a: Restriction, b: Restriction): Restriction {
  if (!a) return b;
  if (!b) return a;
  return { maxAge: Math.min(a.maxAge, b.maxAge), scope: a.scope === "PRIVATE" || b.scope === "PRIVATE" ? "PRIVATE" : "PUBLIC" };
}

/** The policy of one operation of a valid document; not cacheable unless it is a query. */
export function cachePolicyOf(schema: GraphQLSchema, document: DocumentNode, operationName?: string | null): CachePolicy {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  if (!operation || operation.operation !== "query") return UNCACHEABLE;
  const root = schema.getQueryType();
  if (!root) return UNCACHEABLE;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  // A fragment's restriction does not depend on where it is spread, so each is walked once.
  const fragmentRestrictions = new Map<string, Restriction>();

  const walk = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType): Restriction => {
    let result: Restriction = null;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name === "__typename") continue;
        const field = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
        // __schema, __type: introspection is never cached.
        if (!field) return { maxAge: 0, scope: "PUBLIC" };
        const type = getNamedType(field.type);
        const hint = CACHE_HINTS.fields[`${parent.name}.${name}`];
        let own: Restriction;
        if (hint) own = "inherit" in hint ? null : { maxAge: hint.maxAge, scope: hint.scope ?? "PUBLIC" };
        else if (isCompositeType(type)) own = typeRestriction(schema, type);
        else own = parent === root ? { maxAge: 0, scope: "PUBLIC" } : null;
        result = tighter(result, own);
        if (selection.selectionSet && isCompositeType(type)) result = tighter(result, walk(selection.selectionSet, type));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (type && isCompositeType(type)) result = tighter(result, walk(selection.selectionSet, type));
      } else {
        const name = selection.name.value;
        if (!fragmentRestrictions.has(name)) {
          const fragment = fragments.get(name);
          const type = fragment ? schema.getType(fragment.typeCondition.name.value) : undefined;
          fragmentRestrictions.set(name, fragment && type && isCompositeType(type) ? walk(fragment.selectionSet, type) : { maxAge: 0, scope: "PUBLIC" });
        }
        result = tighter(result, fragmentRestrictions.get(name)!);
      }
      if (result && result.maxAge === 0 && result.scope === "PRIVATE") return result;
    }
    return result;
  };

  const restriction = walk(operation.selectionSet, root);
  // A query that names no hinted field ({ __typename }) gets no max-age, as with Apollo.
  return restriction && restriction.maxAge > 0 ? restriction : { maxAge: 0, scope: restriction?.scope ?? "PUBLIC" };
}

export interface ResponseFacts {
  method: string | undefined;
  /** Whether the request carried any credential (an Authorization header). */
  credentialed: boolean;
  hasErrors: boolean;
  policy: CachePolicy;
}

/**
 * The Cache-Control header of a GraphQL response. Only an anonymous GET of a query that answered
 * without errors may be kept by shared caches, for the policy's max-age. Whatever carries a
 * credential may hold what only that reader may see (their role, what they may edit), so it is
 * private and never stored; mutations, POSTs, errors and uncacheable queries are not stored either.
 */
export function cacheControlHeader(facts: ResponseFacts): string {
  if (facts.credentialed) return "private, no-store";
  if (facts.method !== "GET" || facts.hasErrors || facts.policy.maxAge <= 0) return "no-store";
  if (facts.policy.scope === "PRIVATE") return "private, no-store";
  return `public, max-age=${facts.policy.maxAge}`;
}

/**
 * The Vary of an answer with this Cache-Control: one a shared cache may keep varies by
 * Authorization, so that no cache hands an anonymous answer to a request with a credential.
 */
export function varyOf(cacheControl: string): string | null {
  return cacheControl.startsWith("public") ? "Authorization" : null;
}

/** The policy of an answer made of several operations' (a server-rendered page): the shortest max-age, private if any is. */
export function combinedPolicy(policies: readonly CachePolicy[]): CachePolicy {
  if (policies.length === 0) return UNCACHEABLE;
  return {
    maxAge: Math.min(...policies.map((policy) => policy.maxAge)),
    scope: policies.some((policy) => policy.scope === "PRIVATE") ? "PRIVATE" : "PUBLIC",
  };
}

/** Anything that remembers policies per document (CachePolicies in operation-cache.ts). */
export interface PolicySource {
  policyFor(document: DocumentNode, operationName: string | null | undefined): CachePolicy;
}

/**
 * Sets Cache-Control (and, on a cacheable answer, Vary: Authorization, so that no cache hands an
 * anonymous answer to a request with a credential) on every GraphQL answer over HTTP. The policy is
 * looked up only for answers that may be cached.
 */
export function httpCachePlugin(policies: PolicySource): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ request, response, document }) {
          const http = request.http;
          if (!http) return;
          const hasErrors = response.body.kind !== "single" || (response.body.singleResult.errors?.length ?? 0) > 0;
          const credentialed = Boolean(http.headers.get("authorization"));
          const mayCache = !credentialed && http.method === "GET" && !hasErrors && document !== undefined;
          const policy = mayCache ? policies.policyFor(document, request.operationName) : UNCACHEABLE;
          const header = cacheControlHeader({ method: http.method, credentialed, hasErrors, policy });
          response.http.headers.set("cache-control", header);
          const vary = varyOf(header);
          if (vary) response.http.headers.set("vary", vary);
        },
      };
    },
  };
}

/** The hint of a type or field, as its description tells it. */
export function describeCacheHint(hint: CacheHint): string | null {
  if ("inherit" in hint) return null;
  return hint.scope === "PRIVATE"
    ? "Not kept by shared HTTP caches (private)."
    : `Cache hint: ${hint.maxAge} s. An anonymous GET answer may be kept by HTTP caches for the shortest hint among its fields (docs/api.md: HTTP caching).`;
}

/** Appends each hint to the description of the type or field it is declared on. */
export function describeCacheHints(schema: GraphQLSchema): void {
  for (const [name, hint] of Object.entries(CACHE_HINTS.types)) {
    const type = schema.getType(name);
    const text = describeCacheHint(hint);
    if (type && text) type.description = type.description ? `${type.description}\n\n${text}` : text;
  }
  for (const [coordinate, hint] of Object.entries(CACHE_HINTS.fields)) {
    const [typeName, fieldName] = coordinate.split(".");
    const type = schema.getType(typeName);
    const field = type && (isObjectType(type) || isInterfaceType(type)) ? type.getFields()[fieldName] : undefined;
    const text = describeCacheHint(hint);
    if (field && text) field.description = field.description ? `${field.description}\n\n${text}` : text;
  }
}
