import { resolve } from "node:path";
import { defineConfig } from "vite";

/**
 * The reader app (index.html), the offline GraphiQL (graphiql.html) and the embedded thread
 * (embed.html, framed by host sites; its script embed.js is vite.embed.config.mts's), built into dist/web, which
 * the API server serves. `npm run dev:web` serves the same pages with a dev server that sends
 * /graphql (HTTP and WebSocket) to a running `npm start`.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: "/",
  // JSX through Vite's own transform: React's automatic runtime, no Babel plugin needed.
  oxc: { jsx: { runtime: "automatic" } },
  build: {
    outDir: resolve(import.meta.dirname, "../dist/web"),
    emptyOutDir: true,
    // GraphiQL's editor (Monaco) is large by nature; the reader app stays small.
    chunkSizeWarningLimit: 4096,
    rollupOptions: {
      // GraphiQL's dependencies mark modules "use client" for server-component bundlers; meaningless here.
      onwarn(warning, warn) {
        if (warning.code !== "MODULE_LEVEL_DIRECTIVE") warn(warning);
      },
      input: {
        reader: resolve(import.meta.dirname, "index.html"),
        graphiql: resolve(import.meta.dirname, "graphiql.html"),
        embed: resolve(import.meta.dirname, "embed.html"),
      },
    },
  },
  // Vite's dev server serves index.html itself, so it says what `npm start` would outside production:
  // the development sign-ins are on (and GraphiQL is linked), readers' tokens from the API server.
  plugins: [
    {
      name: "threadline-development-page",
      apply: "serve",
      transformIndexHtml: (html: string) =>
        html
          .replace('<meta name="threadline-development" content="off" />', '<meta name="threadline-development" content="on" />')
          .replace('<meta name="threadline-reader-sign-in" content="off" />', '<meta name="threadline-reader-sign-in" content="/dev/reader-token" />'),
    },
  ],
  server: {
    proxy: {
      "/graphql": { target: "http://localhost:4000", ws: true },
      "/dev/reader-token": { target: "http://localhost:4000" },
    },
  },
});
