/**
 * What PREMODERATE_LINKS counts as a link in a comment, in one of three forms:
 * - a URL with a scheme: `http://` or `https://` and anything after it ("HTTPS://x.io");
 * - `www.` followed by a name ("www.example.org");
 * - a bare domain followed by a path: two or more dot-separated labels, the last of 2 to 24
 *   letters, then "/" ("example.com/offer", "shop.example.co.uk/").
 * A bare domain without a path ("Node.js", "e.g.", "3.14") is not a link: prose is full of those.
 * Letters of any script count in names ("пример.рф/путь").
 */
const SCHEME = /\bhttps?:\/\/\S/iu;
const WWW = /(?<![\p{L}\p{N}_.-])www\.[\p{L}\p{N}-]+/iu;
const BARE_DOMAIN_WITH_PATH = /(?<![\p{L}\p{N}_.@-])(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+\p{L}{2,24}\//u;

/** Whether the text holds a link (see above). */
export function containsLink(text: string): boolean {
  return SCHEME.test(text) || WWW.test(text) || BARE_DOMAIN_WITH_PATH.test(text);
}
