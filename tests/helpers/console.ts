/**
 * What the server writes to the console during a case that expects it to (a lost database, a
 * Redis outage), kept instead of printed, so a green run prints only what went wrong.
 */
import { format } from "node:util";

export interface CapturedConsole {
  /** Each call so far, formatted as the console would have printed it. */
  lines(): string[];
  /** Prints again; call it when the case ends (an afterEach, or a finally). */
  restore(): void;
}

/** Captures `console[method]` until `restore()`. */
export function captureConsole(method: "error" | "warn" | "log" = "error"): CapturedConsole {
  const spy = jest.spyOn(console, method).mockImplementation(() => undefined);
  let calls = spy.mock.calls;
  return {
    lines: () => calls.map((args) => format(...(args as [unknown, ...unknown[]]))),
    restore: () => {
      // Restoring clears the spy's record; keep it readable.
      calls = [...spy.mock.calls];
      spy.mockRestore();
    },
  };
}

/**
 * Captures what is written straight to stderr until `restore()`: the database's log of a failed
 * statement (src/db/query-counter.ts), for cases that make a statement fail on purpose.
 */
export function captureStderr(): CapturedConsole {
  const spy = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
  let calls = spy.mock.calls;
  return {
    lines: () =>
      calls
        .map(([chunk]) => String(chunk))
        .join("")
        .split("\n")
        .filter((line) => line !== ""),
    restore: () => {
      calls = [...spy.mock.calls];
      spy.mockRestore();
    },
  };
}
