import {
  ASTVisitor,
  DirectiveNode,
  DocumentNode,
  GraphQLError,
  GraphQLSchema,
  Kind,
  NoSchemaIntrospectionCustomRule,
  parse,
  SelectionNode,
  specifiedRules,
  validate,
  ValidationContext,
  ValidationRule,
} from "graphql";
import { costLimitRule } from "@escape.tech/graphql-armor-cost-limit";
import { maxAliasesRule } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import { maxDirectivesRule } from "@escape.tech/graphql-armor-max-directives";
import { ComplexityEstimator, fieldExtensionsEstimator, getComplexity, simpleEstimator } from "graphql-query-complexity";
import { userError } from "../errors";

/**
 * Limits for a public endpoint, checked before any resolver runs and in an order that keeps the
 * checking itself cheap:
 * 1. tokens, while parsing: a document is never built for an oversized text;
 * 2. aliases, directives, depth and the expanded size, by GraphQL Armor's rules. They count each
 *    fragment once and reuse its figure at every spread, so their work is linear in the text
 *    even when fragments spread each other (graphql-depth-limit expanded them: 24 fragments that
 *    each spread the next twice blocked the event loop for 14 s);
 * 3. the cost with variables (graphql-query-complexity), which walks the expanded document and so
 *    runs only once step 2 has bounded that expansion.
 * A connection costs its page size times its items' cost, so the budget admits the README's deep
 * query (50 articles, 10 comments each with their commenters, 5 replies per comment: about
 * 30,000) and refuses 100 x 100 x 100 nested pages.
 */
export const QUERY_LIMITS = {
  /** Lexical tokens in one document; the README's deep query has about 60. */
  maxTokens: 5_000,
  /** Aliased fields in one operation, fragments included. */
  maxAliases: 30,
  /** Directives in one operation. */
  maxDirectives: 30,
  /** Nesting of fields, fragments counted where they are spread; a fragment adds no level itself. */
  maxDepth: 12,
  /**
   * Field selections once every fragment is spread out, with literal page sizes multiplying their
   * children. It bounds the work of step 3; every query within the cost budget is far below it.
   */
  maxExpandedSize: 1_000_000,
  /** graphql-query-complexity's budget, with page sizes taken from variables too. */
  maxCost: 50_000,
  /** Objects and lists nested inside each other in one variable's value. */
  maxVariableDepth: 64,
} as const;

/**
 * Live connections. Each subscription holds a listener and a context with its own loaders, and
 * every event is read back once per subscriber, so one client's count must be bounded.
 */
export const SOCKET_LIMITS = {
  /** Subscriptions running at once on one WebSocket (per address: SOCKETS_PER_ADDRESS, SUBSCRIPTIONS_PER_ADDRESS in config.ts). */
  subscriptionsPerSocket: 50,
} as const;

/**
 * A field extension: the field lists the comments above one (Comment.ancestors), so it is priced as
 * a list of the deepest a reply may sit (MAX_THREAD_DEPTH), whatever it holds today.
 */
export const PRICED_AT_THREAD_DEPTH = "pricedAtThreadDepth";

/** The fields that walk up a thread. One inside another would repeat the walk for every comment it found. */
const THREAD_WALKS: ReadonlySet<string> = new Set(["ancestors", "thread"]);

export const MAX_DEPTH = QUERY_LIMITS.maxDepth;
export const MAX_COST = QUERY_LIMITS.maxCost;

/** A refusal of the client's query: HTTP 400 with GRAPHQL_VALIDATION_FAILED. */
function limitError(message: string, extra: Record<string, unknown>): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "GRAPHQL_VALIDATION_FAILED", http: { status: 400 }, ...extra } });
}

/**
 * Variables nested deeper than maxVariableDepth, refused before anything else walks them: the
 * walks that follow (the verdicts' key, the text and cost checks, coercion) recurse, and a value
 * 5,000 levels deep overflowed the stack (a RangeError, answered as our fault with HTTP 500).
 * BAD_USER_INPUT, HTTP 400, naming the variable.
 */
export function checkVariableDepth(variables: Record<string, unknown> | null | undefined): GraphQLError[] {
  if (variables === null || variables === undefined || typeof variables !== "object") return [];
  for (const [name, value] of Object.entries(variables)) {
    if (nestedDeeperThan(value, QUERY_LIMITS.maxVariableDepth)) {
      return [
        userError(`variable "$${name}" is nested more than ${QUERY_LIMITS.maxVariableDepth} levels deep; the maximum is ${QUERY_LIMITS.maxVariableDepth}`, {
          http: { status: 400 },
          maxVariableDepth: QUERY_LIMITS.maxVariableDepth,
        }),
      ];
    }
  }
  return [];
}

/** Whether objects and lists sit more than `levels` deep in `value`; looks no deeper than that. */
function nestedDeeperThan(value: unknown, levels: number): boolean {
  if (value === null || typeof value !== "object") return false;
  if (levels === 0) return true;
  for (const item of Array.isArray(value) ? value : Object.values(value)) {
    if (nestedDeeperThan(item, levels - 1)) return true;
  }
  return false;
}

/** Armor reports "Syntax Error: <limit> exceeded, found N."; ours name the limit and its value. */
function found(error: GraphQLError): number | null {
  const match = /found (\d+(?:\.\d+)?)/.exec(error.message);
  return match ? Number(match[1]) : null;
}

function reporter(describe: (found: number | null) => GraphQLError) {
  return [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(describe(found(error)))];
}

/**
 * A directive given twice at one place (`__typename @aa @aa ...`) is refused once, by name, whether
 * or not the schema knows it: graphql-js only catches repeats of directives it knows, and reports
 * an unknown one once per copy.
 */
function repeatedDirectivesRule(context: ValidationContext): ASTVisitor {
  const check = (node: { directives?: readonly DirectiveNode[] }) => {
    const seen = new Set<string>();
    for (const directive of node.directives ?? []) {
      const name = directive.name.value;
      if (seen.has(name) && !context.getSchema().getDirective(name)?.isRepeatable) {
        context.reportError(limitError(`the directive @${name} is repeated at one place; give each directive once`, { directive: name }));
        return;
      }
      seen.add(name);
    }
  };
  return { Field: check, FragmentSpread: check, InlineFragment: check, OperationDefinition: check, FragmentDefinition: check };
}

/**
 * Refuses `ancestors` or `thread` anywhere below `ancestors` or `thread`: each walk up a thread
 * answers up to MAX_THREAD_DEPTH comments, and a walk inside a walk answers that many walks, so
 * nesting them grows as the depth to the power of the nesting. Fragments are followed, each once.
 */
function nestedThreadWalkRule(context: ValidationContext): ASTVisitor {
  const fragmentWalks = new Map<string, boolean>();
  const walks = (selections: readonly SelectionNode[], visiting: Set<string>): boolean =>
    selections.some((selection) => {
      if (selection.kind === Kind.FIELD)
        return THREAD_WALKS.has(selection.name.value) || (selection.selectionSet !== undefined && walks(selection.selectionSet.selections, visiting));
      if (selection.kind === Kind.INLINE_FRAGMENT) return walks(selection.selectionSet.selections, visiting);
      const name = selection.name.value;
      const known = fragmentWalks.get(name);
      if (known !== undefined) return known;
      const fragment = context.getFragment(name);
      if (!fragment || visiting.has(name)) return false;
      visiting.add(name);
      const found = walks(fragment.selectionSet.selections, visiting);
      visiting.delete(name);
      fragmentWalks.set(name, found);
      return found;
    });
  return {
    Field(node) {
      if (!THREAD_WALKS.has(node.name.value) || !node.selectionSet) return;
      if (walks(node.selectionSet.selections, new Set())) {
        context.reportError(
          limitError(`"${node.name.value}" asks for ancestors or thread inside it: ask for them once, at the comment you start from`, {
            field: node.name.value,
          }),
        );
      }
    },
  };
}

/**
 * Validation rules for every transport: Apollo's `validationRules` for HTTP, and the validation
 * that graphql-ws subscriptions go through. In production, introspection is refused too.
 */
export function limitRules(production: boolean): ValidationRule[] {
  const rules: ValidationRule[] = [
    repeatedDirectivesRule,
    nestedThreadWalkRule,
    maxAliasesRule({
      n: QUERY_LIMITS.maxAliases,
      // Armor lets __typename be aliased freely; every alias costs a field, so none is free here.
      allowList: [],
      propagateOnRejection: false,
      onReject: reporter((n) =>
        limitError(`the query uses ${n ?? "too many"} aliases; the maximum is ${QUERY_LIMITS.maxAliases}`, { maxAliases: QUERY_LIMITS.maxAliases }),
      ),
    }),
    maxDirectivesRule({
      n: QUERY_LIMITS.maxDirectives,
      propagateOnRejection: false,
      onReject: reporter((n) =>
        limitError(`the query uses ${n ?? "too many"} directives; the maximum is ${QUERY_LIMITS.maxDirectives}`, {
          maxDirectives: QUERY_LIMITS.maxDirectives,
        }),
      ),
    }),
    maxDepthRule({
      n: QUERY_LIMITS.maxDepth,
      // Depth is levels of fields. Unflattened, Armor adds a level per inline fragment and two per
      // spread, so a client that splits a page into fragments (as Relay and codegen users do) hits
      // the limit with a shallower query than one written out.
      flattenFragments: true,
      propagateOnRejection: false,
      onReject: reporter((n) =>
        limitError(`the query is nested ${n ?? "too"} levels deep: the maximum query depth is ${QUERY_LIMITS.maxDepth}`, {
          maxDepth: QUERY_LIMITS.maxDepth,
        }),
      ),
    }),
    costLimitRule({
      maxCost: QUERY_LIMITS.maxExpandedSize,
      objectCost: 1,
      scalarCost: 1,
      depthCostFactor: 1,
      propagateOnRejection: false,
      onReject: reporter(() =>
        limitError(`the query is too large once its fragments are spread out: ask for smaller pages or fewer fields`, {
          maxExpandedSize: QUERY_LIMITS.maxExpandedSize,
        }),
      ),
    }),
  ];
  if (production) rules.push(NoSchemaIntrospectionCustomRule);
  return rules;
}

/** Parses with the token limit; a longer document is refused before any tree is built. */
export function parseLimited(text: string): DocumentNode {
  return parse(text, { maxTokens: QUERY_LIMITS.maxTokens });
}

/** Parse, the standard rules and the limit rules: what graphql-ws runs before a subscription starts. */
export function parseAndValidate(schema: GraphQLSchema, text: string, production: boolean): { document?: DocumentNode; errors: GraphQLError[] } {
  let document: DocumentNode;
  try {
    document = parseLimited(text);
  } catch (error) {
    if (error instanceof GraphQLError) return { errors: [withCode(error, "GRAPHQL_PARSE_FAILED")] };
    throw error;
  }
  const errors = validate(schema, document, [...specifiedRules, ...limitRules(production)]);
  return errors.length > 0 ? { errors: errors.map((error) => withCode(error, "GRAPHQL_VALIDATION_FAILED")) } : { document, errors: [] };
}

/** The code Apollo gives the same error over HTTP, unless the error carries its own. */
function withCode(error: GraphQLError, code: string): GraphQLError {
  if (error.extensions.code) return error;
  return new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, extensions: { ...error.extensions, code } });
}

/** Prices a field marked PRICED_AT_THREAD_DEPTH as a list of `maxThreadDepth` items. */
function threadDepthEstimator(maxThreadDepth: number): ComplexityEstimator {
  return ({ field, childComplexity }) => (field.extensions?.[PRICED_AT_THREAD_DEPTH] ? 1 + maxThreadDepth * childComplexity : undefined);
}

/**
 * The cost of one valid operation, with its variables. Used by the HTTP server's plugin and by
 * graphql-ws, which Apollo's plugins do not reach.
 */
export function checkCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | null | undefined,
  maxThreadDepth: number,
): GraphQLError[] {
  let cost: number;
  try {
    cost = getComplexity({
      schema,
      query: document,
      variables: variables ?? {},
      operationName: operationName ?? undefined,
      estimators: [threadDepthEstimator(maxThreadDepth), fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
    });
  } catch (error) {
    const message = (error as Error).message;
    // The cost needs the variables' values, so a value of the wrong type is found here first.
    if (/^Variable "\$/.test(message)) {
      return [new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT", http: { status: 400 } } })];
    }
    return [limitError(`could not estimate the query's cost: ${message}`, {})];
  }
  if (cost > QUERY_LIMITS.maxCost) {
    return [
      limitError(`query cost ${cost} exceeds the limit of ${QUERY_LIMITS.maxCost}: ask for smaller pages or fewer nested lists`, {
        cost,
        maxCost: QUERY_LIMITS.maxCost,
      }),
    ];
  }
  return [];
}
