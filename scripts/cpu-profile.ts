/**
 * Reads a V8 CPU profile (what `node --cpu-prof` writes) and says where the busy time went:
 * garbage collection's share, the functions with the most self time, and time per package.
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Milliseconds of samples inside the window. */
  totalMs: number;
  /**
   * Samples of JavaScript and GC: the main thread's busy time as far as the profile can tell.
   * `node --cpu-prof` takes no idle samples, so time spent waiting (for the database, for the
   * network) falls under "(program)" together with native code; it is left out here.
   */
  busyMs: number;
  /** "(program)": native code outside JavaScript, and waiting. */
  programMs: number;
  gcMs: number;
  /** Garbage collection as a share of busy time. */
  gcShare: number;
  topFunctions: { name: string; where: string; ms: number; share: number }[];
  byPackage: { name: string; ms: number; share: number }[];
  /** False when the window matched no sample and the whole profile was used. */
  windowed: boolean;
}

/** Where a function lives: a package under node_modules, our code, node's own, or V8's. */
function packageOf(url: string, name: string): string {
  if (name === "(garbage collector)") return "(gc)";
  if (name === "(program)" || name === "(idle)" || name === "(root)") return name;
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inModules) return inModules[1];
  if (url.startsWith("node:") || url === "") return "node";
  if (/\/dist\/src\//.test(url)) return `threadline ${url.replace(/^.*\/dist\/src\//, "").replace(/\/[^/]*$/, "")}`;
  return url.replace(/^.*\//, "");
}

/**
 * Sums self time per function over the samples taken in [fromUs, toUs] (V8 and process.hrtime
 * read the same monotonic clock on Linux); over every sample when the window holds none.
 */
export function summariseProfile(path: string, fromUs = -Infinity, toUs = Infinity, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, "utf8")) as Profile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  let at = profile.startTime;
  let inWindow = 0;
  const add = (windowed: boolean) => {
    selfUs.clear();
    at = profile.startTime;
    profile.samples.forEach((id, i) => {
      at += profile.timeDeltas[i];
      const delta = profile.timeDeltas[i + 1] ?? 0;
      if (windowed && (at < fromUs || at > toUs)) return;
      inWindow += 1;
      selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, delta));
    });
  };
  add(true);
  const windowed = inWindow > 0 && Number.isFinite(fromUs);
  if (inWindow === 0) add(false);

  let totalUs = 0;
  let idleUs = 0;
  let programUs = 0;
  let gcUs = 0;
  const byFunction = new Map<string, { name: string; where: string; us: number }>();
  const byPackage = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = nodes.get(id)!.callFrame;
    totalUs += us;
    if (functionName === "(idle)" || functionName === "(program)") {
      if (functionName === "(idle)") idleUs += us;
      else programUs += us;
      continue;
    }
    if (functionName === "(garbage collector)") gcUs += us;
    const name = functionName || "(anonymous)";
    const where = url ? `${url.replace(/^.*node_modules\//, "").replace(/^.*\/dist\//, "dist/")}:${lineNumber + 1}` : "";
    const key = `${name} ${where}`;
    const entry = byFunction.get(key) ?? { name, where, us: 0 };
    entry.us += us;
    byFunction.set(key, entry);
    const pkg = packageOf(url, functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  }
  const busyUs = totalUs - idleUs - programUs;
  const share = (us: number) => (busyUs > 0 ? us / busyUs : 0);
  return {
    totalMs: totalUs / 1000,
    busyMs: busyUs / 1000,
    programMs: programUs / 1000,
    gcMs: gcUs / 1000,
    gcShare: share(gcUs),
    topFunctions: [...byFunction.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((entry) => ({ name: entry.name, where: entry.where, ms: entry.us / 1000, share: share(entry.us) })),
    byPackage: [...byPackage.entries()].sort((a, b) => b[1] - a[1]).map(([name, us]) => ({ name, ms: us / 1000, share: share(us) })),
    windowed,
  };
}

export function printProfileSummary(summary: ProfileSummary, log: (line: string) => void = console.log): void {
  const pct = (share: number) => `${(share * 100).toFixed(1).padStart(5)}%`;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  log(
    `${seconds(summary.totalMs)} sampled${summary.windowed ? " (load window)" : " (whole profile)"}: ${seconds(summary.busyMs)} busy (JavaScript and GC), ` +
      `${seconds(summary.programMs)} native or waiting ("(program)", left out); GC ${seconds(summary.gcMs)} = ${pct(summary.gcShare).trim()} of busy`,
  );
  log("self time by package (share of busy):");
  for (const entry of summary.byPackage.slice(0, 20)) log(`  ${pct(entry.share)}  ${entry.name}`);
  log("functions with the most self time (share of busy):");
  for (const entry of summary.topFunctions) log(`  ${pct(entry.share)}  ${entry.name}  ${entry.where}`);
}

if (require.main === module) {
  const path = process.argv[2];
  if (!path) {
    console.error("usage: node dist/scripts/cpu-profile.js FILE.cpuprofile");
    process.exit(2);
  }
  printProfileSummary(summariseProfile(path));
}
