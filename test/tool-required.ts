/**
 * The one rule for tests that need something from the machine rather than from npm (Chromium,
 * pdftoppm from poppler-utils, a resolver that answers for this host's name): under CI=true a
 * missing tool FAILS, so a broken install can never leave CI green with the test quietly skipped;
 * anywhere else the test skips and prints why. `scripts/ensure-browser.mjs` installs the tools.
 */
import { execFileSync } from "node:child_process";

/** CI=true (or 1), as GitHub Actions, GitLab and `.ci/run` set it. */
export const UNDER_CI = /^(true|1)$/i.test(process.env.CI ?? "");

/** Thrown under CI for a tool that is not there. */
export class ToolMissingUnderCi extends Error {
  constructor(name: string, reason: string) {
    super(`${name} is missing and CI=true, so this test fails instead of skipping: ${reason}`);
    this.name = "ToolMissingUnderCi";
  }
}

/**
 * Whether a test that needs `name` can run: true when `available`; when not, throws under CI and
 * otherwise prints `reason` and returns false. For `describe.skipIf(!toolAvailable(…))`, where the
 * throw fails the whole file.
 */
export function toolAvailable(name: string, available: boolean, reason: string): boolean {
  if (available) return true;
  if (UNDER_CI) throw new ToolMissingUnderCi(name, reason);
  console.info(`skipped: ${name} is missing: ${reason}`);
  return false;
}

/**
 * Inside a test: returns when `available`; otherwise fails the test under CI, or skips it with the
 * reason printed (`context.skip` throws, so nothing after this runs).
 */
export function requireTool(context: { skip(note?: string): never }, name: string, available: boolean, reason: string): void {
  if (!toolAvailable(name, available, reason)) context.skip(`${name} is missing: ${reason}`);
}

/** Whether `command` starts and exits 0. */
function runs(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** For a test that rasterises a PDF page: pdftoppm must be there (fails under CI, skips elsewhere). */
export function requirePdftoppm(context: { skip(note?: string): never }): void {
  requireTool(context, "pdftoppm", runs("pdftoppm", ["-v"]), "pdftoppm (Debian poppler-utils) is not installed, so the page cannot be rasterised");
}
