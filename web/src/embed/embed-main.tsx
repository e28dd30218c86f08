import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import "../styles.css";
import "./embed.css";
import { EmbedApp } from "./embed-app";
import { applyTheme, hostOrigin, readPageConfig, reportHeight } from "./embed-host";

/**
 * The page /embed serves inside a host site's frame. Its query, set by embed.js: the article's
 * key (read by the server), `theme` (light or dark, the host page's), `page` (the host page's
 * address, for permalinks), `target` (the comment the host page's #c-<id> names) and `auth=1`
 * when the host page holds a reader token it will send by message.
 */
const config = readPageConfig();
const params = new URLSearchParams(window.location.search);
const origin = hostOrigin(config);

applyTheme(params.get("theme") === "dark" ? "dark" : "light");

/** Permalinks lead to the host page only at an origin that may frame the embed. */
function pageUrl(): string | null {
  const page = params.get("page");
  if (!page || origin === null) return null;
  try {
    const url = new URL(page);
    if (url.origin !== origin) return null;
    url.hash = "";
    return url.href;
  } catch {
    return null;
  }
}

const target = params.get("target");
if (target) window.history.replaceState(null, "", `${window.location.pathname}${window.location.search}#c-${encodeURIComponent(target)}`);

reportHeight(origin);
createRoot(document.getElementById("root") as HTMLElement).render(
  <StrictMode>
    <EmbedApp config={config} origin={origin} pageUrl={pageUrl()} awaitToken={params.get("auth") === "1"} />
  </StrictMode>,
);
