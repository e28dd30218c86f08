import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { promisify } from "node:util";
import { openDataSource } from "../../src/db/data-source";
import { runCli } from "../../src/ingest/cli";
import { parseDump } from "../../src/ingest/parse-dump";
import { BAD_DUMPS_DIR, REAL_SEED, REAL_SEED_ARTICLE, SEEDS_DIR } from "./dump-fixtures";
import { builtEntry } from "../helpers/server-process";

const ROOT = join(__dirname, "..", "..");
const SEED_FILE = `seeds/${REAL_SEED}`;

class Capture extends Writable {
  text = "";
  _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function run(argv: string[], env: Record<string, string | undefined> = {}, cwd = ROOT) {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await runCli(argv, { stdout, stderr, isTTY: false, cwd, env });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** The contract's entry for the real seed, spelled out field by field. */
const REAL_SEED_ENTRY = {
  file: SEED_FILE,
  ok: true,
  article: {
    title: "China Could Join Russian Anti-Daesh Campaign in Syria - Reports",
    publishedAt: "2017-02-24T12:50:00.000Z",
    section: "Military & Intelligence",
    imageCaption: "Russian helicopters Mi-24p airstrike the terrorists' positions 20 km outside Palmyra",
    imageCredit: "© Sputnik/ Mikhail Voskresenskiy",
    dateline: "MOSCOW (Sputnik)",
    paragraphs: REAL_SEED_ARTICLE.paragraphs,
    relatedLinks: [
      { title: "Mass Production: Daesh Begins Recruiting Fighters in China" },
      { title: "China Vows to Punish ISIL Terrorists for Killing Chinese Hostage" },
      { title: "US Plans to Prevent China From Helping Russia to Fight ISIL" },
    ],
    tags: ["Daesh", "China", "Syria", "Russia"],
    comments: REAL_SEED_ARTICLE.comments.map((comment) => ({ author: comment.author, hasAvatar: comment.hasAvatar, body: comment.body })),
  },
  warnings: [],
  error: null,
};

describe("seed command", () => {
  let work: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), "threadline-cli-"));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it("prints the contract's JSON for the real seed on --dry-run --json", async () => {
    const { code, stdout, stderr } = await run(["--dry-run", "--json", SEED_FILE]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const entries = JSON.parse(stdout);
    expect(entries).toEqual([REAL_SEED_ENTRY]);
    // The details the contract calls out, independent of the parser's own fixtures.
    const [entry] = entries;
    expect(Object.keys(entry)).toEqual(["file", "ok", "article", "warnings", "error"]);
    expect(entry.article.comments).toHaveLength(6);
    expect(entry.article.comments[4].author).toBe("teddy j");
    expect(entry.article.comments[4].hasAvatar).toBe(true);
    expect(entry.article.comments[1]).toEqual({
      author: null,
      hasAvatar: false,
      body: "Hillarious!! Can you imagine China joining fake US anti-daesh coalition that actually delivers guns to daesh.",
    });
  });

  it("writes nothing on a dry run, and reports rejected files in the JSON with a null article", async () => {
    const database = join(work, "never.sqlite");
    const { code, stdout } = await run(["--dry-run", "--json", "seeds", "tests/fixtures/dumps"], { DATABASE_URL: `sqlite:${database}` });
    expect(code).toBe(1);
    expect(existsSync(database)).toBe(false);
    const entries: { file: string; ok: boolean; article: unknown; error: string | null }[] = JSON.parse(stdout);
    const bad = readdirSync(BAD_DUMPS_DIR).filter((name) => name.endsWith(".txt"));
    expect(
      entries
        .filter((e) => !e.ok)
        .map((e) => e.file)
        .sort(),
    ).toEqual(bad.map((name) => `tests/fixtures/dumps/${name}`).sort());
    for (const entry of entries.filter((e) => !e.ok)) {
      expect(entry.article).toBeNull();
      expect(typeof entry.error).toBe("string");
    }
    expect(entries.filter((e) => e.ok).every((e) => e.error === null && e.article !== null)).toBe(true);
  });

  it("imports the good files, lists every rejected one with its reason, and exits 1", async () => {
    const database = join(work, "seed.sqlite");
    const extra = join(work, "extra");
    mkdirSync(extra);
    writeFileSync(join(extra, "note.txt"), "remember to buy milk\n");
    writeFileSync(join(extra, "ignored.md"), "not a .txt file, not looked at");

    const { code, stdout } = await run(["seeds", "tests/fixtures/dumps", extra], { DATABASE_URL: `sqlite:${database}` });
    expect(code).toBe(1);

    const seeds = readdirSync(SEEDS_DIR).filter((name) => name.endsWith(".txt"));
    const goodSeeds = seeds.filter((name) => !("reason" in parseDump(readFileSync(join(SEEDS_DIR, name), "utf8"), name)));
    const bad = [
      ...readdirSync(BAD_DUMPS_DIR)
        .filter((name) => name.endsWith(".txt"))
        .map((name) => `tests/fixtures/dumps/${name}`),
      join(extra, "note.txt"),
    ];
    const rejected = seeds.length - goodSeeds.length + bad.length;
    expect(stdout).toContain(`${seeds.length + bad.length} files: ${goodSeeds.length} imported, 0 updated, 0 unchanged, ${rejected} rejected`);
    const rejectedLines = stdout.split("\n").filter((line) => line.startsWith("  ") && !line.includes("warning"));
    for (const file of bad) {
      const line = rejectedLines.find((l) => l.startsWith(`  ${file}: `));
      expect(line).toBeDefined();
      // A reason follows the name.
      expect((line ?? "").length).toBeGreaterThan(file.length + 6);
    }
    expect(stdout).toMatch(/empty\.txt: .*empty/);
    expect(stdout).not.toContain("ignored.md");

    const dataSource = await openDataSource({ type: "sqlite", path: database });
    try {
      const titles = (await dataSource.query(`SELECT "title" FROM "article"`)).map((row: { title: string }) => row.title).sort();
      const expected = goodSeeds
        .map((name) => parseDump(readFileSync(join(SEEDS_DIR, name), "utf8"), name))
        .map((parsed) => ("article" in parsed ? parsed.article.title : ""))
        .sort();
      expect(titles).toEqual(expected);
    } finally {
      await dataSource.destroy();
    }

    // A second run finds nothing to do, and everything good: exit 0.
    const again = await run(["seeds"], { DATABASE_URL: `sqlite:${database}` });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`${seeds.length} files: 0 imported, 0 updated, ${goodSeeds.length} unchanged, 0 rejected`);
  });

  it("resolves relative paths against INIT_CWD, where npm was run", async () => {
    const { code, stdout } = await run(["--dry-run", "--json", REAL_SEED], { INIT_CWD: SEEDS_DIR }, "/");
    expect(code).toBe(0);
    expect(JSON.parse(stdout)[0].file).toBe(REAL_SEED);
  });

  it("answers usage errors with exit 2 and the usage text", async () => {
    const none = await run([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("no PATH given");
    expect(none.stderr).toContain("Usage: npm run seed");

    const unknown = await run(["--force", "seeds"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option --force");

    const json = await run(["--json", "seeds"]);
    expect(json.code).toBe(2);
    expect(json.stderr).toContain("--json needs --dry-run");

    const missing = await run(["seeds", "no/such/folder"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe("seed: no/such/folder: no such file or folder\n");

    const help = await run(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--dry-run");
    expect(help.stderr).toBe("");
  });

  it("stops on a bad DATABASE_URL with one line naming the variable", async () => {
    const { code, stderr } = await run(["seeds"], { DATABASE_URL: "mysql://localhost/x" });
    expect(code).toBe(2);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/^seed: DATABASE_URL: /);
  });

  it("runs as a real process, compiled as npm run seed runs it, and prints the same JSON", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [builtEntry("src/ingest/cli.ts"), "--dry-run", "--json", SEED_FILE], {
      cwd: ROOT,
      env: { ...process.env, INIT_CWD: ROOT },
    });
    expect(JSON.parse(stdout)).toEqual([REAL_SEED_ENTRY]);
  }, 60_000);
});
