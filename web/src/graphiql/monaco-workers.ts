/**
 * Where GraphiQL's editor (Monaco) gets its web workers: the editor's own, JSON (variables and
 * headers) and GraphQL (validation and completion), each bundled by Vite from a `?worker` import.
 *
 * graphiql/setup-workers/vite does the same from inside node_modules, where Vite's dev server
 * pre-bundles dependencies and cannot follow a `?worker` import: `npm run dev:web` stopped at
 * "Could not load .../editor.worker.js?worker". Imported from the app's own source, the workers go
 * through Vite's worker plugin in the dev server and in the build alike.
 */
import EditorWorker from "monaco-editor/esm/vs/editor/editor.worker.js?worker";
import JsonWorker from "monaco-editor/esm/vs/language/json/json.worker.js?worker";
import GraphQLWorker from "monaco-graphql/esm/graphql.worker.js?worker";

(globalThis as { MonacoEnvironment?: unknown }).MonacoEnvironment = {
  getWorker(_workerId: string, label: string): Worker {
    if (label === "json") return new JsonWorker();
    if (label === "graphql") return new GraphQLWorker();
    return new EditorWorker();
  },
};
