/**
 * White space as JavaScript's `\s` and `trim` know it (Unicode's White_Space and line
 * terminators, and U+FEFF), for the loops that scan long texts without a regular expression.
 */
export function isWhitespace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0xa0) return false;
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/**
 * `text.replace(/\s+/g, " ").trim()`: every run of white space one space, none at either end.
 * Most texts need no change, and are given back as they are without a new string.
 */
export function collapseWhitespace(text: string): string {
  const length = text.length;
  let previousSpace = true;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (!isWhitespace(code)) {
      previousSpace = false;
      continue;
    }
    if (code !== 0x20 || previousSpace || i === length - 1) return text.replace(/\s+/g, " ").trim();
    previousSpace = true;
  }
  return text;
}
