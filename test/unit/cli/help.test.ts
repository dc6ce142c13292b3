import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ADMIN_SUBCOMMANDS } from "../../../scripts/cli/admin-command.ts";
import { runCli } from "../../../scripts/cli/main.ts";

const COMMANDS = ["verify", "template", "issue", "redact", "present", "status", "admin"];

let out: string[];
let err: string[];
beforeEach(() => {
  out = [];
  err = [];
  vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void out.push(args.join(" ")));
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void err.push(args.join(" ")));
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** Runs the CLI in-process and returns its exit code with what it printed. */
async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const code = await runCli(argv);
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

describe("eproof --help", () => {
  it("lists every command, with exit code 0 when asked and 2 when no command is given", async () => {
    for (const flag of ["--help", "-h", "help"]) {
      out = [];
      const asked = await run(flag);
      expect(asked.code).toBe(0);
      for (const command of COMMANDS) expect(asked.stdout).toMatch(new RegExp(`^  ${command} `, "m"));
    }
    expect((await run()).code).toBe(2);
  });

  it.each(COMMANDS)("eproof %s --help, -h and eproof help %s print the command's usage and exit 0", async (command) => {
    for (const argv of [
      [command, "--help"],
      [command, "-h"],
      ["help", command],
    ]) {
      out = [];
      const result = await run(...argv);
      expect(result.code, argv.join(" ")).toBe(0);
      expect(result.stdout.startsWith(`usage: eproof ${command} `), result.stdout.slice(0, 80)).toBe(true);
      expect(result.stderr).toBe("");
    }
  });

  it.each(ADMIN_SUBCOMMANDS)("eproof admin %s --help prints that subcommand's usage and exits 0", async (sub) => {
    const result = await run("admin", sub, "--help");
    expect(result.code).toBe(0);
    expect(result.stdout.startsWith(`usage: eproof admin ${sub}`)).toBe(true);
    expect(result.stdout).toContain("-h, --help");
  });

  it("lets --help win over any other mistake on the line", async () => {
    expect((await run("issue", "--no-such-option", "--help")).code).toBe(0);
    expect((await run("admin", "show", "too", "many", "-h")).code).toBe(0);
  });

  it("describes the CSV columns in eproof issue --help, with the template command as the way to start", async () => {
    const { stdout } = await run("issue", "--help");
    expect(stdout).toContain("eproof template <type>");
    expect(stdout).toContain("dotted path: holder.name.en");
    expect(stdout).toContain("<field>.en and <field>.zh-HK");
    expect(stdout).toContain("separated by |: conditions[]");
    expect(stdout).toContain("the CSV header is line 1");
    for (const type of ["licence", "permit", "subsidy-agreement", "certificate"]) expect(stdout).toMatch(new RegExp(`^  ${type}$`, "m"));
  });
});

describe("eproof with bad usage", () => {
  it.each([...COMMANDS.filter((c) => c !== "admin"), ...ADMIN_SUBCOMMANDS.map((s) => `admin ${s}`)])(
    "eproof %s --no-such-option says so in one line, points to its --help and exits 2",
    async (command) => {
      const result = await run(...command.split(" "), "--no-such-option");
      expect(result.code).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toBe(`eproof ${command}: unknown option --no-such-option; see eproof ${command} --help`);
    },
  );

  it("names an unknown command or admin subcommand, a missing value and an unexpected argument", async () => {
    expect(await run("isue")).toMatchObject({ code: 2, stderr: 'eproof: unknown command "isue"; see eproof --help' });
    err = [];
    expect(await run("admin", "frobnicate")).toMatchObject({ code: 2, stderr: 'eproof admin: unknown subcommand "frobnicate"; see eproof admin --help' });
    err = [];
    expect(await run("issue", "--type")).toMatchObject({ code: 2, stderr: "eproof issue: --type needs a value; see eproof issue --help" });
    err = [];
    expect(await run("issue", "--skip-bad-rows=yes")).toMatchObject({
      code: 2,
      stderr: "eproof issue: --skip-bad-rows takes no value; see eproof issue --help",
    });
    err = [];
    expect(await run("template", "licence", "permit")).toMatchObject({
      code: 2,
      stderr: 'eproof template: unexpected argument "permit"; see eproof template --help',
    });
    err = [];
    expect(await run("admin", "show")).toMatchObject({ code: 2, stderr: "eproof admin show: the department code is required; see eproof admin show --help" });
  });

  it("keeps the verify exit codes: 2 for bad usage", async () => {
    expect((await run("verify", "file.json")).code).toBe(2);
    expect(err.join("\n")).toContain("--rpc <url> is required");
  });
});
