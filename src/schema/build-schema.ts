import { GraphQLObjectType, GraphQLSchema } from "graphql";
import { DateTimeResolver } from "graphql-scalars";
import { buildSchemaSync, getMetadataStorage } from "type-graphql";
import { createLocalEvents, CommentEvents } from "../events/comment-events";
import { describeCacheHints } from "../execution/cache-policy";

type ResolverClass = new () => object;

/**
 * The one schema, for the server, the tests and the emit script alike. It
 * depends only on its arguments: the resolvers (resolvers/index.ts, which every caller passes:
 * the schema is built from them, so schema/ does not import resolvers/, which use its types) and
 * the event bus subscriptions listen on.
 *
 * No global middlewares, and every object type declares `simpleResolvers`: a field without a
 * resolver method is read straight off the object by graphql-js, not through type-graphql's
 * middleware chain, which would run for every field of every row.
 */
export function buildThreadlineSchema(resolvers: readonly [ResolverClass, ...ResolverClass[]], events: CommentEvents = createLocalEvents()): GraphQLSchema {
  // One instance per resolver class for this schema, shared with the direct calls below.
  const instances = new Map<ResolverClass, object>();
  const instanceOf = (target: ResolverClass) => {
    let instance = instances.get(target);
    if (!instance) {
      instance = new target();
      instances.set(target, instance);
    }
    return instance;
  };
  const schema = buildSchemaSync({
    resolvers: [...resolvers],
    pubSub: events,
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    validate: false,
    emitSchemaFile: false,
    container: { get: instanceOf },
  });
  callFieldResolversDirectly(schema, resolvers, instanceOf);
  describeRootTypes(schema);
  describeCacheHints(schema);
  return schema;
}

/** type-graphql offers no description for the root types; clients' docs start from them. */
const ROOT_DESCRIPTIONS = {
  query: "Reads. Who may read what is said on each field; most need no token.",
  mutation:
    "Writes. Each field says which credential it needs (Authorization: Bearer ...). Every field is nullable: a write that fails " +
    "answers null with its own error, and the other writes of the same operation keep their results (HTTP 200 when any was made).",
  subscription: "Live events over graphql-ws on /graphql: open to anyone.",
} as const;

function describeRootTypes(schema: GraphQLSchema): void {
  const roots = { query: schema.getQueryType(), mutation: schema.getMutationType(), subscription: schema.getSubscriptionType() };
  for (const [kind, type] of Object.entries(roots)) {
    if (type && !type.description) type.description = ROOT_DESCRIPTIONS[kind as keyof typeof ROOT_DESCRIPTIONS];
  }
}

/**
 * type-graphql resolves every field through a dispatcher built for middlewares, authorization and
 * argument validation: per call it builds a parameter list (sorting the parameters' metadata
 * again) and a few closures, and copies the arguments into an instance of their class. This
 * schema uses none of those features, and on a deep page that work, run for tens of thousands of
 * fields, cost as much as the fields themselves. A field resolver whose parameters are only
 * @Root(), @Ctx() and @Args() of a class of plain fields (scalars and enums, which graphql-js has
 * coerced and given their defaults already), with no middleware and no roles, is therefore
 * resolved by calling its method directly, which is all the dispatcher would do. Resolvers with
 * other parameters (@Arg, input objects) keep type-graphql's dispatcher.
 */
function callFieldResolversDirectly(schema: GraphQLSchema, resolvers: readonly ResolverClass[], instanceOf: (target: ResolverClass) => object): void {
  const storage = getMetadataStorage();
  const inputClasses = new Set<unknown>(storage.inputTypes.map((type) => type.target));
  /** Whether an @ArgsType class (with the classes it extends) declares only scalar and enum fields. */
  const plainArgs = (argsClass: unknown): boolean => {
    if (typeof argsClass !== "function") return false;
    const chain: unknown[] = [];
    for (let at: unknown = argsClass; typeof at === "function" && at !== Function.prototype; at = Object.getPrototypeOf(at)) chain.push(at);
    const declared = storage.argumentTypes.filter((type) => chain.includes(type.target));
    return declared.length > 0 && declared.every((type) => (type.fields ?? []).every((field) => !inputClasses.has(field.getType())));
  };
  for (const resolver of storage.fieldResolvers) {
    if (resolver.kind !== "external" || !(resolvers as readonly unknown[]).includes(resolver.target)) continue;
    if ((resolver.middlewares?.length ?? 0) > 0 || resolver.roles !== undefined) continue;
    const params = [...(resolver.params ?? [])].sort((a, b) => a.index - b.index);
    // Which of graphql-js's (root, args, context) each parameter takes, or null when it is none of them.
    const picks = params.map((param) => {
      if ("propertyName" in param && param.propertyName) return null;
      if (param.kind === "root") return 0;
      if (param.kind === "context") return 2;
      if (param.kind === "args" && plainArgs(param.getType())) return 1;
      return null;
    });
    if (picks.length > 3 || !picks.every((pick) => pick !== null)) continue;
    const objectClass = resolver.getObjectType?.();
    const typeName = storage.objectTypes.find((type) => type.target === objectClass)?.name;
    const type = typeName ? schema.getType(typeName) : undefined;
    const field = type instanceof GraphQLObjectType ? type.getFields()[resolver.schemaName] : undefined;
    if (!field) continue;
    const instance = instanceOf(resolver.target as ResolverClass) as Record<string, (...args: unknown[]) => unknown>;
    const method = instance[resolver.methodName];
    const [a, b, c] = (picks as number[]).map(select);
    field.resolve =
      picks.length === 3
        ? (root, args, context) => method.call(instance, a(root, args, context), b(root, args, context), c(root, args, context))
        : picks.length === 2
          ? (root, args, context) => method.call(instance, a(root, args, context), b(root, args, context))
          : picks.length === 1
            ? (root, args, context) => method.call(instance, a(root, args, context))
            : () => method.call(instance);
  }
}

type Pick = (root: unknown, args: unknown, context: unknown) => unknown;
const pickRoot: Pick = (root) => root;
const pickArgs: Pick = (_root, args) => args;
const pickContext: Pick = (_root, _args, context) => context;

function select(position: number): Pick {
  return position === 0 ? pickRoot : position === 1 ? pickArgs : pickContext;
}
