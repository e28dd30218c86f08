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
  return {
    lines: () => spy.mock.calls.map((args) => format(...(args as [unknown, ...unknown[]]))),
    restore: () => spy.mockRestore(),
  };
}
