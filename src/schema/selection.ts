import type { GraphQLResolveInfo, SelectionSetNode } from "graphql";

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
