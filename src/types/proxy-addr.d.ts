// proxy-addr ships no types; these are the calls the service makes (see its README).
declare module "proxy-addr" {
  import type { IncomingMessage } from "node:http";

  type Trust = (address: string, hop: number) => boolean;

  /** The client's address: the furthest X-Forwarded-For entry reached through trusted proxies only. */
  function proxyaddr(req: IncomingMessage, trust: Trust | string | string[]): string;
  namespace proxyaddr {
    /** Compiles addresses, CIDRs and names (loopback, linklocal, uniquelocal); throws TypeError on a bad one. */
    function compile(value: string | string[]): Trust;
  }
  export = proxyaddr;
}
