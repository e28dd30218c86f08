import { useEffect, useRef } from "react";

/** The desk's keys, as the page documents them. */
export const SHORTCUTS: { key: string; does: string }[] = [
  { key: "j", does: "next comment" },
  { key: "k", does: "previous comment" },
  { key: "a", does: "approve the selected comment" },
  { key: "r", does: "reject the selected comment (with the reason typed, if any)" },
];

/** Where typing goes: keys pressed there are text, never shortcuts. */
function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return !["checkbox", "radio", "button", "submit", "reset"].includes(target.type);
  return false;
}

/**
 * Single-letter shortcuts on the whole page while it is shown: not with a modifier held (the
 * browser's and the screen reader's own keys), and not while the focus is in a text field.
 */
export function useShortcuts(handlers: Record<string, () => void>): void {
  const current = useRef(handlers);
  current.current = handlers;
  useEffect(() => {
    const press = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      const handler = current.current[event.key];
      if (!handler) return;
      event.preventDefault();
      handler();
    };
    document.addEventListener("keydown", press);
    return () => document.removeEventListener("keydown", press);
  }, []);
}
