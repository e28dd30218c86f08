import { Field, ID, InterfaceType } from "type-graphql";

/**
 * Relay's Node. Entities keep their integer `id` column; each type's resolver
 * serves `id` as a global id (schema/global-id.ts), so the encoding lives in one place.
 */
@InterfaceType({ description: "An object with a global, opaque id that node(id) resolves." })
export abstract class Node {
  @Field(() => ID, { description: "Global id: opaque, names the type and the row; node(id) resolves it." })
  id: string;
}
