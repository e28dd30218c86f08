import type { ReactNode } from "react";

export interface TextRange {
  start: number;
  length: number;
}

/**
 * A search fragment with its matched words in <mark>: the text is cut at the ranges (UTF-16
 * offsets, as JavaScript strings count) and every piece goes to React as a text node, so nothing
 * in a fragment ever becomes markup. Ranges out of order, overlapping or past the end are
 * tolerated: each character is shown once, marked or not.
 */
export function MarkedText({ fragment, ranges }: { fragment: string; ranges: readonly TextRange[] }) {
  const parts: ReactNode[] = [];
  let shown = 0;
  for (const range of [...ranges].sort((a, b) => a.start - b.start)) {
    const start = Math.max(shown, Math.min(range.start, fragment.length));
    const end = Math.min(fragment.length, range.start + range.length);
    if (end <= start) continue;
    if (start > shown) parts.push(fragment.slice(shown, start));
    parts.push(<mark key={start}>{fragment.slice(start, end)}</mark>);
    shown = end;
  }
  if (shown < fragment.length) parts.push(fragment.slice(shown));
  return <>{parts}</>;
}
