import { FieldNode, GraphQLObjectType, GraphQLResolveInfo, Kind, SelectionSetNode } from "graphql";

/**
 * Whether the field being resolved selects `name` directly (through fragments too), so that a
 * resolver can start work for it early, beside other work, and skip it when nobody asked.
 * Directives (@include, @skip) are not evaluated: a conditionally selected field counts as selected.
 */
export function selectsField(info: GraphQLResolveInfo, name: string): boolean {
  const seen = new Set<string>();
  const within = (set: SelectionSetNode | undefined): boolean =>
    (set?.selections ?? []).some((selection) => {
      if (selection.kind === "Field") return selection.name.value === name;
      if (selection.kind === "InlineFragment") return within(selection.selectionSet);
      const fragmentName = selection.name.value;
      if (seen.has(fragmentName)) return false;
      seen.add(fragmentName);
      return within(info.fragments[fragmentName]?.selectionSet);
    });
  return info.fieldNodes.some((node) => within(node.selectionSet));
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
  // Validation has ruled out fragment cycles; `seen` only keeps a fragment spread twice from being walked twice.
  const spread = (set: SelectionSetNode | undefined, visit: (field: FieldNode) => void, seen = new Set<string>()): void => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) visit(selection);
      else if (selection.kind === Kind.INLINE_FRAGMENT) spread(selection.selectionSet, visit, seen);
      else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        spread(info.fragments[selection.name.value]?.selectionSet, visit, seen);
      }
    }
  };
  const node = (field: FieldNode) => {
    const name = field.name.value;
    if (name === "id" || name === "__typename") return;
    if (fields[name] === undefined || fields[name].resolve !== undefined) plain = false;
    else properties.add(name);
  };
  for (const fieldNode of info.fieldNodes) {
    spread(fieldNode.selectionSet, (field) => {
      if (field.name.value === "nodes") spread(field.selectionSet, node);
      else if (field.name.value === "edges") spread(field.selectionSet, (edge) => edge.name.value === "node" && spread(edge.selectionSet, node));
    });
  }
  return plain ? [...properties] : null;
}
