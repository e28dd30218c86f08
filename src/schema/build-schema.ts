import { GraphQLObjectType, GraphQLSchema } from "graphql";
import { DateTimeResolver } from "graphql-scalars";
import { buildSchemaSync, getMetadataStorage } from "type-graphql";
import { createLocalEvents, CommentEvents } from "../events/comment-events";
import { resolvers } from "../resolvers";
import { describeCacheHints } from "./cache-policy";

type ResolverClass = new () => object;

/**
 * The one schema, for the server, the tests and the emit script alike. It
 * depends only on its arguments: the event bus subscriptions listen on.
 *
 * No global middlewares, and every object type declares `simpleResolvers`: a field without a
 * resolver method is read straight off the object by graphql-js, not through type-graphql's
 * middleware chain, which would run for every field of every row.
 */
export function buildThreadlineSchema(events: CommentEvents = createLocalEvents()): GraphQLSchema {
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
  callFieldResolversDirectly(schema, instanceOf);
  describeRootTypes(schema);
  describeCacheHints(schema);
  return schema;
}

/** type-graphql offers no description for the root types; clients' docs start from them. */
const ROOT_DESCRIPTIONS = {
  query: "Reads. Who may read what is said on each field; most need no token.",
  mutation: "Writes. Each field says which credential it needs (Authorization: Bearer ...).",
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
 * again) and a few closures. This schema uses none of those features, and on a deep page that
 * work, run for tens of thousands of fields, cost as much as the fields themselves. A field
 * resolver whose parameters are only @Root() and @Ctx(), with no middleware and no roles, is
 * therefore resolved by calling its method directly, which is all the dispatcher would do.
 * Resolvers that take arguments keep type-graphql's dispatcher, which turns them into instances
 * of their input classes.
 */
function callFieldResolversDirectly(schema: GraphQLSchema, instanceOf: (target: ResolverClass) => object): void {
  const storage = getMetadataStorage();
  for (const resolver of storage.fieldResolvers) {
    if (resolver.kind !== "external" || !(resolvers as readonly unknown[]).includes(resolver.target)) continue;
    if ((resolver.middlewares?.length ?? 0) > 0 || resolver.roles !== undefined) continue;
    const params = [...(resolver.params ?? [])].sort((a, b) => a.index - b.index);
    const kinds = params.map((param) => ("propertyName" in param && param.propertyName ? "other" : param.kind));
    if (!kinds.every((kind) => kind === "root" || kind === "context")) continue;
    const objectClass = resolver.getObjectType?.();
    const typeName = storage.objectTypes.find((type) => type.target === objectClass)?.name;
    const type = typeName ? schema.getType(typeName) : undefined;
    const field = type instanceof GraphQLObjectType ? type.getFields()[resolver.schemaName] : undefined;
    if (!field) continue;
    const instance = instanceOf(resolver.target as ResolverClass) as Record<string, (...args: unknown[]) => unknown>;
    const method = instance[resolver.methodName];
    const rootFirst = kinds[0] === "root";
    field.resolve =
      kinds.length === 2
        ? rootFirst
          ? (root, _args, context) => method.call(instance, root, context)
          : (root, _args, context) => method.call(instance, context, root)
        : kinds.length === 1
          ? rootFirst
            ? (root) => method.call(instance, root)
            : (_root, _args, context) => method.call(instance, context)
          : () => method.call(instance);
  }
}
