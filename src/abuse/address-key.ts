import ipaddr from "ipaddr.js";

const OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const CANONICAL_IPV4 = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);

/**
 * The key a client address is limited by, for every limit that counts per address (writes,
 * sockets, subscriptions). An IPv4-mapped IPv6 address is its IPv4 address (a dual-stack listener
 * reports IPv4 peers as ::ffff:a.b.c.d), so both spellings share one budget. An IPv6 address
 * counts by its /64, the block a single line or host is handed: one address each would give the
 * holder of a /64 2^64 budgets. Text that is no address (an in-process caller's label) is its own key.
 */
export function addressKey(address: string): string {
  // Every request is keyed (admission's per-client share): an IPv4 address in canonical form, what
  // an IPv4 socket reports, is its own key without parsing; others are parsed once while they are
  // among the recent ones (a dual-stack listener reports every IPv4 peer as ::ffff:a.b.c.d).
  if (CANONICAL_IPV4.test(address)) return address;
  const known = recentKeys.get(address);
  if (known !== undefined) return known;
  if (recentKeys.size >= RECENT_KEYS) recentKeys.clear();
  const key = parsedKey(address);
  recentKeys.set(address, key);
  return key;
}

/** Addresses keyed lately, and their keys: bounded, emptied whole when full. */
const recentKeys = new Map<string, string>();
const RECENT_KEYS = 4096;

function parsedKey(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === "ipv4") return parsed.toString();
  const network = new ipaddr.IPv6([...(parsed as ipaddr.IPv6).parts.slice(0, 4), 0, 0, 0, 0]);
  return `${network.toString()}/64`;
}
