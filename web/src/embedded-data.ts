import { Exchange, ExecutionResult, makeResult, Operation } from "urql";
import { filter, map, merge, pipe, share } from "wonka";

/**
 * The answers a server-rendered page was rendered from, by urql operation key (the query and its
 * variables): plain GraphQL results, `{ data, errors }`, as the anonymous reader gets them.
 */
export type EmbeddedData = Record<string, { data?: unknown; errors?: unknown[] }>;

/** The id of the page's `<script type="application/json">` that carries the embedded data. */
export const EMBEDDED_DATA_ID = "threadline-data";

/**
 * Answers the queries a server-rendered page was built from with what the server embedded, so the
 * app hydrates without asking for them again; everything else goes on to the next exchange. The
 * answers hold for the page as it was served: `forget` drops them (on the first navigation, and when
 * the reader signs in, whose answers differ), and every later query is fresh.
 */
export interface EmbeddedAnswers {
  exchange: Exchange;
  forget(): void;
}

export function embeddedAnswers(embedded: EmbeddedData | null): EmbeddedAnswers {
  let answers: EmbeddedData | null = embedded;
  const exchange: Exchange =
    ({ forward }) =>
    (operations$) => {
      const shared = share(operations$);
      const answered = (operation: Operation) =>
        answers !== null && operation.kind === "query" && operation.context.requestPolicy !== "network-only" && String(operation.key) in answers;
      const forwarded = forward(
        pipe(
          shared,
          filter((operation) => !answered(operation)),
        ),
      );
      const replayed = pipe(
        shared,
        filter(answered),
        map((operation) => makeResult(operation, (answers as EmbeddedData)[String(operation.key)] as ExecutionResult)),
      );
      return merge([forwarded, replayed]);
    };
  return {
    exchange,
    forget() {
      answers = null;
    },
  };
}

/** The embedded data of the page the browser was served, or null when the page was not server-rendered (`npm run dev:web`). */
export function readEmbeddedData(): EmbeddedData | null {
  const script = document.getElementById(EMBEDDED_DATA_ID);
  if (!script?.textContent) return null;
  try {
    return JSON.parse(script.textContent) as EmbeddedData;
  } catch {
    return null;
  }
}

/**
 * JSON that may sit inside a `<script>` element: `<` is written as `\u003c`, so no text in the
 * data (a comment that says `</script>`) can end the element, and the two line separators that
 * older parsers take for line ends are escaped too. JSON.parse reads it back unchanged.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}
