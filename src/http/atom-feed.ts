/**
 * Atom (RFC 4287) documents, and the text escaping every XML answer of the server uses.
 */

/**
 * Characters XML 1.0 does not allow anywhere, even escaped: controls other than tab, newline and
 * carriage return, lone surrogates, U+FFFE and U+FFFF. They are dropped from stored text.
 */
const NOT_IN_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };

/** Text as XML character data or an attribute value. */
export function escapeXml(text: string): string {
  return text.replace(NOT_IN_XML, "").replace(/[&<>"']/g, (char) => ENTITIES[char]);
}

export interface AtomEntry {
  /** A permanent IRI: the entry's page. */
  id: string;
  title: string;
  /** The page the entry stands for. */
  link: string;
  updated: Date;
  published?: Date | null;
  author?: string | null;
  /** Plain text; shown as it is, line breaks kept. */
  content?: string | null;
  categories?: string[];
}

export interface AtomFeed {
  /** The feed's own address: its id and its rel="self" link. */
  self: string;
  title: string;
  /** The page the feed follows. */
  alternate: string;
  /** The latest of its entries' updates (or whatever the feed follows, when it has none yet). */
  updated: Date;
  entries: AtomEntry[];
}

/** Feeds name no author of their own; an entry without one (an anonymous comment) takes this. */
const FEED_AUTHOR = "Threadline";

const element = (name: string, text: string) => `<${name}>${escapeXml(text)}</${name}>`;

export function atomXml(feed: AtomFeed): string {
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    element("id", feed.self),
    element("title", feed.title),
    element("updated", feed.updated.toISOString()),
    `<link rel="self" type="application/atom+xml" href="${escapeXml(feed.self)}"/>`,
    `<link rel="alternate" type="text/html" href="${escapeXml(feed.alternate)}"/>`,
    `<author>${element("name", FEED_AUTHOR)}</author>`,
  ];
  for (const entry of feed.entries) {
    lines.push("<entry>", element("id", entry.id), element("title", entry.title), element("updated", entry.updated.toISOString()));
    if (entry.published) lines.push(element("published", entry.published.toISOString()));
    lines.push(`<link rel="alternate" type="text/html" href="${escapeXml(entry.link)}"/>`);
    if (entry.author) lines.push(`<author>${element("name", entry.author)}</author>`);
    for (const term of entry.categories ?? []) lines.push(`<category term="${escapeXml(term)}"/>`);
    if (entry.content) lines.push(`<content type="text">${escapeXml(entry.content)}</content>`);
    lines.push("</entry>");
  }
  lines.push("</feed>", "");
  return lines.join("\n");
}
