import { Field, ID, InterfaceType } from "type-graphql";

/**
 * Relay's Node. Entities keep their integer `id` column; each type's resolver
 * serves the global id, so the encoding lives in one place (global-id.ts).
 */
@InterfaceType({ description: "An object with a global, opaque id that node(id) resolves." })
export abstract class Node {
  @Field(() => ID, { name: "id" })
  nodeId?: string;
}
