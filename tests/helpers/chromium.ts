import { existsSync } from "node:fs";

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it). */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Whether the browser cases run; global-setup says once when they do not. */
export const chromiumPresent = existsSync(CHROMIUM_PATH);
