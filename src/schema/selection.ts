import { FieldNode, GraphQLObjectType, GraphQLResolveInfo, Kind, SelectionSetNode } from "graphql";

/**
 * Calls `visit` with every field of `set`, fragments spread out (inline or named; a named fragment
 * spread twice is walked once, and validation has ruled out cycles). Directives (@include, @skip)
 * are not evaluated: a conditionally selected field counts as selected.
 */
function forEachField(info: GraphQLResolveInfo, set: SelectionSetNode | undefined, visit: (field: FieldNode) => void, seen = new Set<string>()): void {
  for (const selection of set?.selections ?? []) {
    if (selection.kind === Kind.FIELD) visit(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) forEachField(info, selection.selectionSet, visit, seen);
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      forEachField(info, info.fragments[selection.name.value]?.selectionSet, visit, seen);
    }
  }
}

/**
 * Whether the field being resolved selects `name` directly (through fragments too), so that a
 * resolver can start work for it early, beside other work, and skip it when nobody asked.
 */
export function selectsField(info: GraphQLResolveInfo, name: string): boolean {
  let selected = false;
  const seen = new Set<string>();
  for (const node of info.fieldNodes) forEachField(info, node.selectionSet, (field) => (selected ||= field.name.value === name), seen);
  return selected;
}

/**
 * The properties a connection's nodes are asked for, when every field selected on them (under
 * `nodes`, or `edges { node }`, through fragments too) is a plain property of `typeName`: a field
 * without a resolver, which graphql-js reads off the object by its name. `id` (a global id made of
 * the row id, which every row has) and `__typename` need no property. Null when any other field is
 * selected (a field with a resolver may read any column): then nodes need their whole row.
 */
export function plainNodeProperties(info: GraphQLResolveInfo, typeName: string): string[] | null {
  const type = info.schema.getType(typeName);
  if (!(type instanceof GraphQLObjectType)) return null;
  const fields = type.getFields();
  const properties = new Set<string>();
  let plain = true;
  const node = (field: FieldNode) => {
    const name = field.name.value;
    if (name === "id" || name === "__typename") return;
    if (fields[name] === undefined || fields[name].resolve !== undefined) plain = false;
    else properties.add(name);
  };
  for (const fieldNode of info.fieldNodes) {
    forEachField(info, fieldNode.selectionSet, (field) => {
      if (field.name.value === "nodes") forEachField(info, field.selectionSet, node);
      else if (field.name.value === "edges")
        forEachField(info, field.selectionSet, (edge) => edge.name.value === "node" && forEachField(info, edge.selectionSet, node));
    });
  }
  return plain ? [...properties] : null;
}
