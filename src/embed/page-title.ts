/**
 * The <title> of a host site's page, read when the embed creates the page's article and the
 * snippet gave no data-title. Fetched only from an origin in EMBED_ORIGINS (the caller checks),
 * without following redirects (which could lead elsewhere), within a time limit, and reading at
 * most the first bytes of the page, where <title> sits.
 */
export interface TitleFetchLimits {
  timeoutMs: number;
  maxBytes: number;
}

export const TITLE_FETCH_LIMITS: TitleFetchLimits = { timeoutMs: 3_000, maxBytes: 256 * 1024 };

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

/** Character references in a title, as a browser reads them (named ones of the common few). */
export function decodeTitle(text: string): string {
  return text
    .replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name: string) => {
      if (name[0] === "#") {
        const code = name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
      }
      return ENTITIES[name.toLowerCase()] ?? whole;
    })
    .replace(/\s+/g, " ")
    .trim();
}

/** The page's title, or null when it cannot be had (not HTML, not 2xx, a redirect, too slow, no <title>). */
export async function fetchPageTitle(url: string, limits: TitleFetchLimits = TITLE_FETCH_LIMITS): Promise<string | null> {
  let response: Response;
  try {
    response = await fetch(url, { redirect: "manual", headers: { accept: "text/html" }, signal: AbortSignal.timeout(limits.timeoutMs) });
  } catch {
    return null;
  }
  if (!response.ok || !/^text\/html\b|^application\/xhtml\+xml\b/i.test(response.headers.get("content-type") ?? "") || !response.body) {
    await response.body?.cancel().catch(() => undefined);
    return null;
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let read = 0;
  try {
    while (read < limits.maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      read += value.byteLength;
      text += decoder.decode(value, { stream: true });
      const match = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(text);
      if (match) return decodeTitle(match[1]) || null;
    }
  } catch {
    return null;
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return null;
}
