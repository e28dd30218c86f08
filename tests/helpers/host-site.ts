/**
 * A newsroom's site for the embed's cases: a plain node HTTP server on a port of its own (so
 * another origin than Threadline's), answering each path with the HTML `page` gives, or 404.
 */
import { createServer, IncomingMessage, Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface HostSite {
  /** http://127.0.0.1:PORT or http://localhost:PORT, as asked. */
  origin: string;
  /** The requests it answered, by path, in order (the embed's title fetches among them). */
  requests: string[];
  close(): Promise<void>;
}

export async function startHostSite(page: (path: string, req: IncomingMessage) => string | null, hostname = "127.0.0.1"): Promise<HostSite> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://host").pathname;
    requests.push(path);
    const html = page(path, req);
    if (html === null) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not here\n");
      return;
    }
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://${hostname}:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The JSON the server wrote into /embed's page (src/http/embed.routes.ts, EmbedPageConfig). */
export function embedPageConfig(html: string): {
  slug: string | null;
  articleId: string | null;
  origins: string[];
  hostOrigin: string | null;
  problem: string | null;
} {
  const match = /<script type="application\/json" id="threadline-embed-config">([^<]*)<\/script>/.exec(html);
  if (!match) throw new Error(`no embed config in the page:\n${html.slice(0, 500)}`);
  return JSON.parse(match[1]);
}
