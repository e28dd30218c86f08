/**
 * Runs operations as JavaScript functions compiled by graphql-jit, instead of interpreting the
 * document with graphql-js's `execute` on every request.
 *
 * Why: graphql-js's executor allocates for every field it resolves (the argument dictionaries of
 * `getArgumentValues`, a resolve info and a path object, the result maps of `executeFields`), and
 * under the deep query the garbage collector spent about half of the busy CPU on those objects.
 * graphql-jit turns one operation of a document into a function once, with the field plan,
 * literal arguments and resolve infos worked out ahead, so a request pays only for its resolvers
 * and its data. Parsing, validation, plugins and HTTP stay with Apollo Server; the schema and
 * resolvers stay type-graphql's; subscriptions (graphql-ws) stay on graphql-js's `subscribe`.
 *
 * A compiled function is kept per validated document and operation name. The document is the
 * one Apollo's document store (DocumentCache in operation-cache.ts) hands back for a repeated
 * text, so the compiled functions are kept by that object (PerOperation, a WeakMap) and leave with it.
 *
 * Compiling costs far more than parsing and validating: about 9 ms for the README's deep query
 * (37 fields), 34 ms for 8 aliases of it (296 fields), and 140-270 ms for 30 aliases of it
 * (1,110 fields), which the limits let through (`node` on a compileQuery loop, this machine).
 * A client that sent ever new documents could make every request pay that, on the one thread
 * that serves everybody. So an operation is compiled when it comes back (COMPILE_ON_RUN: its
 * first run is graphql-js's, as apps repeat their operations and attackers vary theirs), and only
 * when it has at most MAX_COMPILED_FIELDS fields with its fragments spread out; a bigger one
 * always runs on graphql-js.
 *
 * The compiler keeps graphql-js's answers with its defaults (every leaf goes through its scalar's
 * or enum's `serialize`: no `disableLeafSerialization`; the result is a plain object that Apollo
 * serialises: no `customJSONSerializer`) and one option (COMPILER_OPTIONS). It asks two things of
 * the schema that graphql-js does not: a field without a resolver must hold its value, not a
 * promise of it (a plain field is read, not awaited: connections' totalCount and an edge's cursor
 * therefore have resolvers), and resolveType must answer at once (type-graphql wraps a resolveType
 * given to it in an async function, so SearchResult uses type-graphql's own). graphql-js's
 * `execute` still runs:
 * - an operation graphql-jit cannot compile (compileQuery answers errors, e.g. an operation name
 *   the document does not hold), so the client gets graphql-js's own error;
 * - subscription operations sent over HTTP, which graphql-js executes as a query of the
 *   subscription root;
 * - an operation whose variable defaults are not plain JSON values (a DateTime default):
 *   graphql-jit writes defaults into the compiled code as JSON, where a Date would become a string;
 * - a request leaving out a nullable variable that sits inside an object or list literal
 *   (`where: { search: $s }`): graphql-jit passes null there, graphql-js leaves the field out;
 * - a request whose variables graphql-jit refuses, so the errors carry graphql-js's messages and
 *   nodes (which Apollo recognises as BAD_USER_INPUT, HTTP 400).
 * Errors from a compiled run are turned into graphql-js GraphQLErrors as graphql-js's
 * `locatedError` makes them (message, locations, path, original error and its extensions).
 */
import {
  DocumentNode,
  execute,
  ExecutionResult,
  FragmentDefinitionNode,
  getNamedType,
  getOperationAST,
  GraphQLError,
  GraphQLInputType,
  GraphQLSchema,
  isInputObjectType,
  Kind,
  OperationDefinitionNode,
  printSchema,
  SelectionNode,
  typeFromAST,
  valueFromAST,
  visit,
} from "graphql";
import { CompiledQuery, compileQuery, isCompiledQuery } from "graphql-jit";
import type { ApolloServerOptionsWithGateway, BaseContext } from "@apollo/server";
import { PerOperation } from "./operation-cache";
import { RequestBounds, withinBounds } from "./request-bounds";

/**
 * `@skip` and `@include` conditions kept per response path: with graphql-jit's older behaviour a
 * condition on one spread of a fragment applied to every spread of it (a field skipped under
 * one alias went missing under another). graphql-jit records the conditions on the document's
 * field nodes, which graphql-js and Apollo ignore.
 */
const COMPILER_OPTIONS = { useExperimentalPathBasedSkipInclude: true } as const;

/** The run of an operation that compiles it: its first runs are graphql-js's. */
export const COMPILE_ON_RUN = 2;
/** The most fields (fragments spread out) an operation may have to be compiled. */
export const MAX_COMPILED_FIELDS = 300;

/** A compiled operation, or null: this operation runs on graphql-js's `execute`. */
type Plan = {
  compiled: CompiledQuery;
  /** Nullable variables without a default that appear inside an object or list literal. */
  nestedOptionalVariables: readonly string[];
} | null;

/** What is known of one operation of a document: how often it ran, and its plan once compiled. */
interface Known {
  runs: number;
  /** Undefined until the operation is compiled (or found not to compile). */
  plan?: Plan;
}

export interface CompileOptions {
  /** The run that compiles an operation (COMPILE_ON_RUN); 1 compiles on the first. */
  compileOnRun?: number;
  /** The most fields an operation may have to be compiled (MAX_COMPILED_FIELDS). */
  maxFields?: number;
  /** The deadline and answer size every operation runs within; none when absent. */
  bounds?: RequestBounds;
  /** false: compile nothing, every operation runs on graphql-js's `execute` (GRAPHQL_EXECUTOR=graphql-js). */
  compile?: boolean;
}

export interface OperationRequest {
  document: DocumentNode;
  operationName: string | null | undefined;
  variables: Record<string, unknown> | null | undefined;
  contextValue: unknown;
}

export class CompiledOperations {
  private readonly known = new PerOperation<Known>(() => ({ runs: 0 }));
  private compilationCount = 0;
  private readonly compileOnRun: number;
  private readonly maxFields: number;
  private readonly bounds: RequestBounds | undefined;
  private readonly compiles: boolean;

  constructor(
    readonly schema: GraphQLSchema,
    options: CompileOptions = {},
  ) {
    this.compileOnRun = options.compileOnRun ?? COMPILE_ON_RUN;
    this.maxFields = options.maxFields ?? MAX_COMPILED_FIELDS;
    this.compiles = options.compile !== false;
    this.bounds = options.bounds;
  }

  /** How many times an operation was compiled (or found not to compile) since the server started. */
  get compilations(): number {
    return this.compilationCount;
  }

  /** Runs one operation, within the request bounds when the server set them (request-bounds.ts). */
  execute(request: OperationRequest): Promise<ExecutionResult> {
    return this.bounds ? withinBounds(this.bounds, request.contextValue, () => this.run(request)) : this.run(request);
  }

  private async run({ document, operationName, variables, contextValue }: OperationRequest): Promise<ExecutionResult> {
    const plan = this.planFor(document, operationName);
    if (plan && !leavesOut(plan.nestedOptionalVariables, variables)) {
      const result = await plan.compiled.query(undefined, contextValue, variables);
      // A run answers data (null included); errors alone mean the variables were refused.
      if ("data" in result) return result.errors ? { data: result.data, errors: result.errors.map(asLocatedError) } : result;
    }
    return execute({ schema: this.schema, document, operationName, variableValues: variables, contextValue });
  }

  private planFor(document: DocumentNode, operationName: string | null | undefined): Plan {
    if (!this.compiles) return null;
    const known = this.known.get(document, operationName);
    if (known.plan !== undefined) return known.plan;
    known.runs += 1;
    if (known.runs < this.compileOnRun) return null;
    known.plan = this.compile(document, operationName);
    return known.plan;
  }

  private compile(document: DocumentNode, operationName: string | null | undefined): Plan {
    this.compilationCount += 1;
    const operation = getOperationAST(document, operationName);
    if (!operation || operation.operation === "subscription" || !jsonDefaults(this.schema, operation)) return null;
    if (!fieldsAtMost(document, operation, this.maxFields)) return null;
    const compiled = compileQuery(this.schema, document, operationName ?? undefined, COMPILER_OPTIONS);
    // Not compilable: graphql-js runs it and answers whatever it answers.
    if (!isCompiledQuery(compiled)) return null;
    return { compiled, nestedOptionalVariables: nestedOptionalVariables(document, operation) };
  }
}

/** Where the outcome of a run made before Apollo took the request over waits for Apollo's executor. */
const HANDED_OVER = Symbol("threadline.handedOver");

/** A run's outcome: its result, or what it threw. */
export type RunOutcome = { result: ExecutionResult } | { thrown: unknown };

type Handed = { [HANDED_OVER]?: RunOutcome };

/**
 * Gives Apollo's executor the outcome of this request's operation, run already (by the query
 * lane, query-lane.ts), so that Apollo answers it without running it again: the result, or the
 * error the run threw, thrown again. Apollo copies the context's own properties into the context
 * its executor sees, so the outcome rides along.
 */
export function handOver(contextValue: unknown, outcome: RunOutcome): void {
  (contextValue as Handed)[HANDED_OVER] = outcome;
}

/** The outcome handed over for this context, once. */
function handedOver(contextValue: unknown): RunOutcome | undefined {
  const context = contextValue as Handed | null;
  const outcome = context?.[HANDED_OVER];
  if (outcome !== undefined) context![HANDED_OVER] = undefined;
  return outcome;
}

/**
 * The interface through which Apollo Server takes a schema and an executor of its own
 * (`gateway: { load, onSchemaLoadOrUpdate, stop }`): the schema never changes, and every
 * operation Apollo has parsed, validated and resolved is run by `operations`.
 */
export function compiledExecutionGateway<TContext extends BaseContext>(
  schema: GraphQLSchema,
  operations: CompiledOperations,
): ApolloServerOptionsWithGateway<TContext>["gateway"] {
  const listeners = new Set<Parameters<ApolloServerOptionsWithGateway<TContext>["gateway"]["onSchemaLoadOrUpdate"]>[0]>();
  return {
    onSchemaLoadOrUpdate(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async load() {
      const coreSupergraphSdl = printSchema(schema);
      for (const listener of listeners) listener({ apiSchema: schema, coreSupergraphSdl });
      return {
        executor: (request) => {
          // A result the query lane computed before it handed the request over is not computed again.
          const outcome = handedOver(request.context);
          if (outcome !== undefined) return "result" in outcome ? Promise.resolve(outcome.result) : Promise.reject(outcome.thrown);
          return operations.execute({
            document: request.document,
            // What the client sent, as Apollo hands it to graphql-js's execute.
            operationName: request.request.operationName,
            variables: request.request.variables,
            contextValue: request.context,
          });
        },
      };
    },
    async stop() {
      listeners.clear();
    },
  };
}

/** Whether the operation has at most `max` fields once its fragments are spread out. */
function fieldsAtMost(document: DocumentNode, operation: OperationDefinitionNode, max: number): boolean {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  let fields = 0;
  // Depth-first, stopping as soon as the count passes `max`: validation has bounded the spreads
  // already, and this never walks more than max + 1 fields' worth of them.
  const walk = (selections: readonly SelectionNode[]): boolean => {
    for (const selection of selections) {
      if (selection.kind === Kind.FIELD) {
        fields += 1;
        if (fields > max) return false;
        if (selection.selectionSet && !walk(selection.selectionSet.selections)) return false;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (!walk(selection.selectionSet.selections)) return false;
      } else {
        const fragment = fragments.get(selection.name.value);
        if (fragment && !walk(fragment.selectionSet.selections)) return false;
      }
    }
    return true;
  };
  return walk(operation.selectionSet.selections);
}

function leavesOut(names: readonly string[], variables: Record<string, unknown> | null | undefined): boolean {
  for (const name of names) if (!variables || !Object.prototype.hasOwnProperty.call(variables, name)) return true;
  return false;
}

/** Variables that may be left out and sit inside an object or list literal of an argument. */
function nestedOptionalVariables(document: DocumentNode, operation: OperationDefinitionNode): string[] {
  const optional = new Set(
    (operation.variableDefinitions ?? [])
      .filter((definition) => definition.type.kind !== Kind.NON_NULL_TYPE && definition.defaultValue === undefined)
      .map((definition) => definition.variable.name.value),
  );
  if (optional.size === 0) return [];
  const nested = new Set<string>();
  // Fragments of other operations may add names; checking one more variable costs nothing.
  visit(document, {
    Variable(node, _key, _parent, _path, ancestors) {
      if (!optional.has(node.name.value)) return;
      if (ancestors.some((ancestor) => "kind" in ancestor && (ancestor.kind === Kind.OBJECT || ancestor.kind === Kind.LIST))) nested.add(node.name.value);
    },
  });
  return [...nested];
}

/** Whether every default the operation's variables may take is a plain JSON value. */
function jsonDefaults(schema: GraphQLSchema, operation: OperationDefinitionNode): boolean {
  const seen = new Set<string>();
  for (const definition of operation.variableDefinitions ?? []) {
    const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
    if (!type) return false;
    if (definition.defaultValue && !isJsonValue(valueFromAST(definition.defaultValue, type))) return false;
    if (!jsonFieldDefaults(type, seen)) return false;
  }
  return true;
}

function jsonFieldDefaults(type: GraphQLInputType, seen: Set<string>): boolean {
  const named = getNamedType(type);
  if (!isInputObjectType(named) || seen.has(named.name)) return true;
  seen.add(named.name);
  for (const field of Object.values(named.getFields())) {
    if (field.defaultValue !== undefined && !isJsonValue(field.defaultValue)) return false;
    if (!jsonFieldDefaults(field.type, seen)) return false;
  }
  return true;
}

function isJsonValue(value: unknown): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isJsonValue);
  if (typeof value !== "object") return false;
  const prototype = Object.getPrototypeOf(value);
  return (prototype === Object.prototype || prototype === null) && Object.values(value).every(isJsonValue);
}

/**
 * graphql-jit's errors are its own subclass of GraphQLError without nodes, and without
 * extensions when the resolver's error had none (Apollo reads `extensions.code`). graphql-js's
 * `locatedError` hands back a resolver's GraphQLError that names its path already, and wraps
 * anything else, taking the original's nodes when it has them and the field's otherwise.
 */
function asLocatedError(error: GraphQLError): GraphQLError {
  const original = error.originalError;
  if (original instanceof GraphQLError && Array.isArray(original.path)) return original;
  const fromOriginal = original instanceof GraphQLError && original.nodes !== undefined;
  const located = new GraphQLError(error.message, {
    nodes: fromOriginal ? original.nodes : undefined,
    source: fromOriginal ? original.source : undefined,
    positions: fromOriginal ? original.positions : undefined,
    path: error.path,
    // graphql-js's own failures (a null for a non-null field, a bad leaf) are thrown as Errors too.
    originalError: original ?? new Error(error.message),
  });
  if (!fromOriginal && error.locations) (located as { locations?: GraphQLError["locations"] }).locations = error.locations;
  return located;
}
