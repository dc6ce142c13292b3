import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ADMIN_USAGE } from "../../../scripts/cli/admin-command.ts";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const doc = readFileSync(resolve(root, "docs/production.md"), "utf8");

function filesUnder(dir: string): string[] {
  return readdirSync(resolve(root, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Everything that reads a setting: the service, the scripts and CLI, the deployment files. */
const code = [...filesUnder("services"), ...filesUnder("scripts"), ...filesUnder("deploy")].map((path) => readFileSync(path, "utf8")).join("\n");

describe("docs/production.md stays accurate to the code", () => {
  it("names only settings that the service, the scripts or the deployment files read", () => {
    const named = [...new Set(doc.match(/EPROOF_[A-Z0-9_]+/g) ?? [])];
    expect(named.length).toBeGreaterThan(10);
    const unknown = named.filter((name) => {
      if (code.includes(name)) return false;
      // NAME_FILE is read by secret(env, "NAME", …), which builds the name.
      const base = name.endsWith("_FILE") ? name.slice(0, -"_FILE".length) : null;
      return !(base && code.includes(`"${base}"`) && /\bsecret\(/.test(code));
    });
    expect(unknown).toEqual([]);
  });

  it("uses only admin subcommands the CLI has", () => {
    const used = [...new Set([...doc.matchAll(/eproof(?:\.mjs)? admin ([a-z-]+)/g)].map((m) => m[1] ?? ""))];
    expect(used.length).toBeGreaterThan(5);
    // Subcommands open a usage line, or follow "| " on it ("suspend <CODE> | reinstate <CODE>").
    const known = new Set([...ADMIN_USAGE.matchAll(/(?:^ {8}|\| )([a-z][a-z-]+)/gm)].map((m) => m[1]));
    expect(used.filter((sub) => !known.has(sub))).toEqual([]);
  });

  it("names only health endpoints that exist", () => {
    const routes = readFileSync(resolve(root, "services/adapters/http/routes/public-routes.ts"), "utf8");
    const named = [...new Set(doc.match(/\/healthz(?:\/[a-z]+)?/g) ?? [])];
    expect(named).toEqual(expect.arrayContaining(["/healthz", "/healthz/live", "/healthz/ready"]));
    for (const path of named) expect(routes).toMatch(new RegExp(`routes\\.get\\(\\s*"${path}"`));
  });
});
