#!/usr/bin/env node
// `npm run check:cycles`: no import cycle between files under src/; the cycles between the folders
// directly under src/ (a file at src/'s top level counts as a folder of its own) are listed, and
// fail the check too with --folders (the layering is not there yet). Type-only imports are left out:
// they vanish from the built code. The graph is madge's; exits 1 and names every cycle that fails.
import madge from "madge";

const root = "src";
const result = await madge(root, { fileExtensions: ["ts"], tsConfig: "tsconfig.json", detectiveOptions: { ts: { skipTypeImports: true } } });
const fileCycles = result.circular();

/** The folder directly under src/ that holds a file ("context.ts" for a file at the top). */
const folderOf = (file) => file.split("/")[0];
const graph = new Map();
for (const [file, imports] of Object.entries(result.obj())) {
  const from = folderOf(file);
  if (!graph.has(from)) graph.set(from, new Set());
  for (const imported of imports) if (folderOf(imported) !== from) graph.get(from).add(folderOf(imported));
}

// Tarjan's strongly connected components: a component of more than one folder is a cycle.
let index = 0;
const stack = [];
const state = new Map();
const components = [];
const visit = (node) => {
  state.set(node, { index, low: index, onStack: true });
  index += 1;
  stack.push(node);
  for (const next of graph.get(node) ?? []) {
    if (!state.has(next)) {
      visit(next);
      state.get(node).low = Math.min(state.get(node).low, state.get(next).low);
    } else if (state.get(next).onStack) {
      state.get(node).low = Math.min(state.get(node).low, state.get(next).index);
    }
  }
  if (state.get(node).low === state.get(node).index) {
    const component = [];
    let member;
    do {
      member = stack.pop();
      state.get(member).onStack = false;
      component.push(member);
    } while (member !== node);
    if (component.length > 1) components.push(component.sort());
  }
};
for (const node of graph.keys()) if (!state.has(node)) visit(node);

for (const cycle of fileCycles) console.log(`file cycle: ${cycle.join(" -> ")}`);
for (const component of components) {
  const edges = component.flatMap((from) => [...graph.get(from)].filter((to) => component.includes(to)).map((to) => `${from} -> ${to}`));
  console.log(`folder cycle among ${component.join(", ")}: ${edges.join("; ")}`);
}
const strictFolders = process.argv.includes("--folders");
if (fileCycles.length > 0 || (strictFolders && components.length > 0)) {
  console.log(`${fileCycles.length} file cycles, ${components.length} folder cycles under ${root}/`);
  process.exit(1);
}
console.log(
  `no import cycles between files under ${root}/` +
    (components.length > 0 ? ` (${components.length} between its folders, listed above)` : ", nor between its folders"),
);
