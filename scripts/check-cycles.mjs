#!/usr/bin/env node
// `npm run check:cycles`: no import cycle between files under src/, and none between the folders
// directly under src/ (a file at src/'s top level counts as a folder of its own), so the folders
// keep the layering of docs/architecture.md. Every import counts, types included, since a file or
// a layer that names a type of another depends on it. The graphs are madge's; exits 1 and names
// every import that closes a cycle ("types only" where the built code would not keep it).
import madge from "madge";

const root = "src";
const graphOf = (skipTypeImports) => madge(root, { fileExtensions: ["ts"], tsConfig: "tsconfig.json", detectiveOptions: { ts: { skipTypeImports } } });

/** The folder directly under src/ that holds a file ("context.ts" for a file at the top). */
const folderOf = (file) => file.split("/")[0];

/** Tarjan's strongly connected components of a graph (Map of node to Set of nodes): those of more than one node. */
function components(graph) {
  let index = 0;
  const stack = [];
  const state = new Map();
  const found = [];
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
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return found;
}

/** The shortest cycle through `start` inside `members` (breadth first), as a list of folders ending where it starts. */
function shortestCycle(graph, start, members) {
  const previous = new Map([[start, null]]);
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift();
    for (const next of [...(graph.get(node) ?? [])].sort()) {
      if (!members.includes(next)) continue;
      if (next === start) {
        const path = [start];
        for (let at = node; at !== null; at = previous.get(at)) path.unshift(at);
        return path;
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start];
}

const [runtime, all] = await Promise.all([graphOf(true), graphOf(false)]);
const fileCycles = all.circular();
const runtimeFiles = runtime.obj();
const allFiles = all.obj();

// Folder graph, with the file imports behind each edge.
const folders = new Map();
const imports = new Map();
for (const [file, imported] of Object.entries(allFiles)) {
  const from = folderOf(file);
  if (!folders.has(from)) folders.set(from, new Set());
  for (const target of imported) {
    const to = folderOf(target);
    if (to === from) continue;
    folders.get(from).add(to);
    const edge = `${from} -> ${to}`;
    if (!imports.has(edge)) imports.set(edge, []);
    imports.get(edge).push(`${root}/${file} imports ${root}/${target}${runtimeFiles[file]?.includes(target) ? "" : " (types only)"}`);
  }
}
const folderCycles = components(folders);

for (const cycle of fileCycles) console.log(`file cycle: ${cycle.join(" -> ")} -> ${cycle[0]}`);
for (const component of folderCycles) {
  const cycle = shortestCycle(folders, component[0], component);
  console.log(`folder cycle: ${cycle.join(" -> ")}${component.length > cycle.length - 1 ? ` (all of ${component.join(", ")} are tied)` : ""}`);
  for (let i = 0; i + 1 < cycle.length; i++) {
    const edge = `${cycle[i]} -> ${cycle[i + 1]}`;
    const behind = imports.get(edge);
    console.log(`  ${edge}: ${behind[0]}${behind.length > 1 ? ` (and ${behind.length - 1} more)` : ""}`);
  }
}
if (fileCycles.length > 0 || folderCycles.length > 0) {
  console.log(
    `${fileCycles.length} file cycles, ${folderCycles.length} folder cycles under ${root}/. ` +
      "Break one import in each: move the code it needs to the lower folder, or have the lower folder take it as a parameter " +
      "(the layering, lowest first, is in docs/architecture.md).",
  );
  process.exit(1);
}
console.log(`no import cycles under ${root}/, between its files nor between its folders`);
