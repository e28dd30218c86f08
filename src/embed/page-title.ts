/**
 * A host site's page, read when the embed would create its article: that it is there (an HTML
 * answer, 2xx) and its <title>. Fetched only from an origin in EMBED_ORIGINS (the caller checks),
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

/** A page that is there, and its title when one was found within the first bytes. */
export interface HostPage {
  title: string | null;
}

/** The page, or null when it is not there as far as the embed can tell (not 2xx HTML, a redirect, no answer in time). */
export async function fetchHostPage(url: string, limits: TitleFetchLimits = TITLE_FETCH_LIMITS): Promise<HostPage | null> {
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
  return { title: await readTitle(response.body, limits.maxBytes) };
}

async function readTitle(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<string | null> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let read = 0;
  try {
    while (read < maxBytes) {
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
