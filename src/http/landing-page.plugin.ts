import type { ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginLandingPageLocalDefault } from "@apollo/server/plugin/landingPage/default";
import { GRAPHIQL_PATH } from "./reader-app.routes";

/**
 * Apollo Sandbox for browsers outside production, with a bar above it that links to the bundled
 * GraphiQL and the reader app. Sandbox loads from Apollo's CDN; offline, its page says so, and
 * there the link to GraphiQL is the way on.
 */
export function landingPageWithExplorerLinks(): ApolloServerPlugin {
  const sandbox = ApolloServerPluginLandingPageLocalDefault({ embed: true });
  return {
    async serverWillStart(service) {
      const listener = await sandbox.serverWillStart?.(service);
      const render = listener?.renderLandingPage;
      if (!listener || !render) return listener;
      return {
        ...listener,
        async renderLandingPage() {
          const page = await render();
          return { html: async () => withExplorerLinks(typeof page.html === "string" ? page.html : await page.html()) };
        },
      };
    },
  };
}

const BAR_HEIGHT = "2.25rem";

/**
 * Adds the bar and rewords the offline notice. Sandbox's page allows only styles that carry its
 * per-request nonce, so the bar's style borrows it; without one (a future Apollo page), the links
 * still show, unstyled, before the page's own content.
 */
export function withExplorerLinks(html: string): string {
  const nonce = /nonce="?([A-Za-z0-9+/=_-]+)"?/.exec(html)?.[1];
  const links = `<a href="${GRAPHIQL_PATH}">GraphiQL</a> (bundled here, works offline) · <a href="/">Reader app</a>`;
  const style = nonce
    ? `<style nonce="${nonce}">
  .threadline-bar { position: fixed; top: 0; left: 0; right: 0; height: ${BAR_HEIGHT}; box-sizing: border-box; padding: 0.45rem 1rem;
    font: 15px/1.4 system-ui, sans-serif; background: #f3f4f6; color: #1b1b1b; border-bottom: 1px solid #d4d4d4; z-index: 2; }
  .threadline-bar a { color: #0a4fb8; }
  #embeddableSandbox { top: ${BAR_HEIGHT} !important; height: calc(100vh - ${BAR_HEIGHT}) !important; }
  /* Offline, Sandbox's script never fills its frame, and the empty frame would cover the notice's link. */
  #embeddableSandbox:empty { display: none; }
  .fallback { margin-top: ${BAR_HEIGHT}; }
</style>`
    : "";
  const bar = `${style}<nav class="threadline-bar" aria-label="Threadline">Threadline · ${links}</nav>`;
  return html
    .replace(/<body>/, `<body>\n${bar}`)
    .replace(
      /<p>Apollo Sandbox cannot be loaded; it appears that you might be offline\.<\/p>/,
      `<p>Apollo Sandbox cannot be loaded; it appears that you might be offline. <a href="${GRAPHIQL_PATH}">Open GraphiQL</a> instead: it is bundled with Threadline and needs no network.</p>`,
    );
}
