import { spawnSync } from "node:child_process";
import { resolve } from "node:path";

/**
 * graphql-schema-linter over the committed schema.graphql, with the rules that package.json's
 * "graphql-schema-linter" section chooses (listed in the README): descriptions everywhere, naming
 * conventions, the Relay connection shape.
 */
const ROOT = resolve(__dirname, "../..");
const CLI = resolve(ROOT, "node_modules/graphql-schema-linter/lib/cli.js");

interface LintReport {
  errors: { message: string; rule: string; location: { line: number; column: number } }[];
}

function lint(args: string[], input?: string): { status: number | null; report: LintReport; stderr: string } {
  const run = spawnSync(process.execPath, [CLI, "--format", "json", ...args], { cwd: ROOT, input, encoding: "utf8" });
  return { status: run.status, report: JSON.parse(run.stdout || '{"errors":[]}') as LintReport, stderr: run.stderr };
}

describe("graphql-schema-linter", () => {
  it("finds no violation in src/schema/schema.graphql", () => {
    const { status, report, stderr } = lint([]);
    expect(stderr).toBe("");
    expect(report.errors.map((error) => `${error.location.line}:${error.location.column} ${error.message} (${error.rule})`)).toEqual([]);
    expect(status).toBe(0);
  });

  it("runs the chosen rules: a schema without descriptions, with a misnamed field, fails them", () => {
    const { status, report } = lint(["--stdin"], "type Query { Bad_name: String }\n");
    expect(status).toBe(1);
    expect(new Set(report.errors.map((error) => error.rule))).toEqual(
      new Set(["types-have-descriptions", "fields-have-descriptions", "fields-are-camel-cased", "relay-page-info-spec"]),
    );
  });
});
