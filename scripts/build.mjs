#!/usr/bin/env node
// Builds what changed, and says so: the server (TypeScript -> dist/) and the web app (Vite ->
// dist/web, and its server rendering -> dist/web-ssr). `npm start` runs it before every start, so an unchanged checkout starts at once.
// Plain JavaScript because it runs before anything is compiled. Progress goes to stderr, so
// commands whose stdout is data (`npm run seed -- --dry-run --json`) stay clean.
//
//   node scripts/build.mjs            both parts, each only if a source is newer than its last build
//   node scripts/build.mjs server|web one part
//   --force                           build even when nothing changed
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { brotliCompress, constants as zlib, gzip } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(root, "package.json"));
const args = process.argv.slice(2);
const force = args.includes("--force");
const parts = args.filter((arg) => !arg.startsWith("--"));
const wanted = parts.length > 0 ? parts : ["server", "web"];
for (const part of wanted) {
  if (part !== "server" && part !== "web") {
    process.stderr.write(`build: unknown part "${part}" (server or web)\n`);
    process.exit(2);
  }
}

/** Newest modification time under the paths (files, or folders walked), 0 when none exist. */
function newest(paths) {
  let latest = 0;
  const visit = (path) => {
    let info;
    try {
      info = statSync(path);
    } catch {
      return;
    }
    if (info.isDirectory()) {
      for (const entry of readdirSync(path)) if (entry !== "node_modules") visit(join(path, entry));
    } else if (info.mtimeMs > latest) {
      latest = info.mtimeMs;
    }
  };
  for (const path of paths) visit(join(root, path));
  return latest;
}

// What every part depends on besides its sources: the installed packages and the compiler settings.
const shared = ["package.json", "package-lock.json", "node_modules/.package-lock.json", "tsconfig.json", "scripts/build.mjs"];

const PARTS = {
  server: {
    label: "compiling the server (TypeScript)",
    sources: ["src", "scripts", "bench", "tsconfig.build.json", ...shared],
    stamp: "dist/.server-built",
    run() {
      // Incremental (dist/server.tsbuildinfo): a change to one file re-checks little else.
      return spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" }).status === 0;
    },
  },
  web: {
    label: "building the reader app, its server rendering, GraphiQL and the embed (Vite)",
    sources: ["web", "src/schema/schema.graphql", ...shared],
    stamp: "dist/web/.web-built",
    run() {
      const vite = join(dirname(require.resolve("vite/package.json")), "bin", "vite.js");
      // Whatever NODE_ENV the caller has (jest sets "test"), the bundle is React's production build.
      const env = { ...process.env, NODE_ENV: "production" };
      const build = (config) =>
        spawnSync(process.execPath, [vite, "build", "--config", config, "--logLevel", "warn"], { cwd: root, stdio: "inherit", env }).status === 0;
      // The browser's bundle first (it empties dist/web), /embed.js beside it, then the server rendering
      // of the same app (dist/web-ssr, which the server requires).
      return build("web/vite.config.mts") && build("web/vite.embed.config.mts") && build("web/vite.ssr.config.mts");
    },
    // The server sends these to clients that accept them (src/http/compression.ts), so no request pays for it.
    after: () => compressFiles(join(root, "dist/web")),
  },
};

/** Text files worth compressing (not the HTML pages, which the server edits per request), and the size below which it saves nothing worth a file. */
const COMPRESSIBLE = /\.(js|mjs|css|svg|json|map|txt|xml|wasm|ttf)$/;
const THRESHOLD_BYTES = 1024;

/** Writes `.br` (quality 11) and `.gz` (level 9) beside every compressible file under `dir`, once, at build time. */
async function compressFiles(dir) {
  const files = [];
  const visit = (path) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (COMPRESSIBLE.test(entry.name) && statSync(full).size >= THRESHOLD_BYTES) files.push(full);
    }
  };
  visit(dir);
  const brotli = promisify(brotliCompress);
  const gzipped = promisify(gzip);
  // zlib's asynchronous calls run on libuv's thread pool, so the files are compressed side by side.
  await Promise.all(
    files.map(async (file) => {
      const plain = readFileSync(file);
      const params = { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: plain.length };
      const [br, gz] = await Promise.all([brotli(plain, { params }), gzipped(plain, { level: 9 })]);
      writeFileSync(`${file}.br`, br);
      writeFileSync(`${file}.gz`, gz);
    }),
  );
}

for (const name of wanted) {
  const part = PARTS[name];
  const stamp = join(root, part.stamp);
  const builtAt = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
  if (!force && builtAt > 0 && newest(part.sources) <= builtAt) continue;
  const started = Date.now();
  process.stderr.write(`threadline: ${part.label}…\n`);
  const built =
    part.run() &&
    (await (part.after?.() ?? Promise.resolve()).then(
      () => true,
      (error) => (process.stderr.write(`${error}\n`), false),
    ));
  if (!built) {
    process.stderr.write(`threadline: ${part.label} failed\n`);
    process.exit(1);
  }
  mkdirSync(dirname(stamp), { recursive: true });
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
  process.stderr.write(`threadline: ${part.label}: done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
