import { resolve } from "node:path";
import { defineConfig } from "vite";

/**
 * The reader app's server rendering (src/server/entry-server.tsx), built by `vite build --ssr`
 * (scripts/build.mjs) into one CommonJS file, dist/web-ssr/entry-server.cjs, that the API server
 * requires (src/http/server-rendering.ts). Everything it needs is bundled in, React's production
 * build included, so the server loads one file whatever NODE_ENV it runs with.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: "/",
  oxc: { jsx: { runtime: "automatic" } },
  define: { "process.env.NODE_ENV": JSON.stringify("production") },
  ssr: { noExternal: true, target: "node" },
  build: {
    ssr: resolve(import.meta.dirname, "src/server/entry-server.tsx"),
    outDir: resolve(import.meta.dirname, "../dist/web-ssr"),
    emptyOutDir: true,
    // CSS is the browser build's; the server rendering only needs the class names.
    cssCodeSplit: false,
    rollupOptions: { output: { format: "cjs", entryFileNames: "entry-server.cjs" } },
  },
});
