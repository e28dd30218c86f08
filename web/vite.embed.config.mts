import { resolve } from "node:path";
import { defineConfig } from "vite";

/**
 * /embed.js, the script a host site's page loads (src/embed/embed-script.ts): one classic script,
 * no imports, under a name without a hash (sites paste its URL into their templates), written into
 * dist/web beside the app, which the main config (vite.config.mts) has built first.
 */
export default defineConfig({
  root: import.meta.dirname,
  publicDir: false,
  build: {
    outDir: resolve(import.meta.dirname, "../dist/web"),
    emptyOutDir: false,
    copyPublicDir: false,
    minify: true,
    lib: {
      entry: resolve(import.meta.dirname, "src/embed/embed-script.ts"),
      formats: ["iife"],
      name: "ThreadlineEmbed",
      fileName: () => "embed.js",
    },
  },
});
