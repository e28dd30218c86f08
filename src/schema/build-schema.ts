import { GraphQLSchema } from "graphql";
import { DateTimeResolver } from "graphql-scalars";
import { buildSchemaSync } from "type-graphql";
import { createLocalEvents, CommentEvents } from "../events/comment-events";
import { resolvers } from "../resolvers";

/**
 * The one schema, for the server, the tests and the emit script alike. It
 * depends only on its arguments: the event bus subscriptions listen on.
 */
export function buildThreadlineSchema(events: CommentEvents = createLocalEvents()): GraphQLSchema {
  return buildSchemaSync({
    resolvers: [...resolvers],
    pubSub: events,
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    validate: false,
    emitSchemaFile: false,
  });
}
