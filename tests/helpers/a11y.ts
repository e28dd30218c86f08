/**
 * An accessibility check of a page in Chromium: axe-core's WCAG 2 A/AA rules, and the checks below, read from Chromium's own accessibility tree (what a
 * screen reader is given): every control has a name, ids are unique and what aria-controls and
 * aria-labelledby point at exists, one h1 and no skipped heading level, each tab list has one
 * selected tab.
 */
import type { Page } from "playwright-core";

export interface A11yProblem {
  rule: string;
  what: string;
}

const NAMED_ROLES = new Set(["button", "link", "textbox", "checkbox", "radio", "combobox", "tab", "searchbox", "menuitem", "switch", "slider", "spinbutton"]);

interface AXNode {
  role?: { value?: string };
  name?: { value?: string };
  ignored?: boolean;
  properties?: { name: string; value: { value?: unknown } }[];
}

/** Problems found on the page as it is now; [] when clean. */
export async function accessibilityProblems(page: Page): Promise<A11yProblem[]> {
  const problems: A11yProblem[] = [];
  const session = await page.context().newCDPSession(page);
  try {
    const { nodes } = (await session.send("Accessibility.getFullAXTree")) as { nodes: AXNode[] };
    for (const node of nodes) {
      const role = node.role?.value ?? "";
      if (node.ignored || !NAMED_ROLES.has(role)) continue;
      if (!(node.name?.value ?? "").trim()) problems.push({ rule: "control-name", what: `a ${role} without a name` });
    }
    const tablists = nodes.filter((node) => node.role?.value === "tablist" && !node.ignored);
    const selectedTabs = nodes.filter((node) => node.role?.value === "tab" && node.properties?.some((p) => p.name === "selected" && p.value.value === true));
    if (tablists.length > 0 && selectedTabs.length !== tablists.length)
      problems.push({ rule: "tabs", what: `${tablists.length} tab lists, ${selectedTabs.length} selected tabs` });
  } finally {
    await session.detach();
  }
  // Evaluated in the page (as text: the suite's types have no DOM).
  const dom = (await page.evaluate(`(() => {
    const found = [];
    const ids = new Map();
    for (const element of document.querySelectorAll("[id]")) ids.set(element.id, (ids.get(element.id) || 0) + 1);
    for (const [id, count] of ids) if (count > 1) found.push({ rule: "duplicate-id", what: id });
    for (const attribute of ["aria-controls", "aria-labelledby", "aria-describedby"]) {
      for (const element of document.querySelectorAll("[" + attribute + "]")) {
        for (const id of element.getAttribute(attribute).split(/\\s+/).filter(Boolean)) {
          if (!document.getElementById(id)) found.push({ rule: attribute, what: element.tagName.toLowerCase() + " points at missing #" + id });
        }
      }
    }
    const headings = [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")].map((h) => Number(h.tagName[1]));
    if (headings.filter((level) => level === 1).length !== 1) found.push({ rule: "page-has-one-h1", what: headings.join(",") });
    for (let i = 1; i < headings.length; i++) {
      if (headings[i] > headings[i - 1] + 1) found.push({ rule: "heading-order", what: "h" + headings[i - 1] + " then h" + headings[i] });
    }
    for (const image of document.querySelectorAll("img:not([alt])")) found.push({ rule: "image-alt", what: image.src });
    if (!document.documentElement.lang) found.push({ rule: "html-has-lang", what: "no lang" });
    return found;
  })()`)) as A11yProblem[];
  problems.push(...dom);
  problems.push(...(await axeViolations(page)));
  return problems;
}

/** axe-core's violations of the WCAG 2 A and AA rules. */
async function axeViolations(page: Page): Promise<A11yProblem[]> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- axe's source is injected into the page as text, not imported
  const source = (require("axe-core") as { source: string }).source;
  await page.evaluate(source);
  const violations = (await page.evaluate(
    `axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }).then((r) => r.violations.map((v) => ({ rule: v.id, what: v.nodes.map((n) => n.target.join(" ")).join("; ") })))`,
  )) as A11yProblem[];
  return violations;
}
