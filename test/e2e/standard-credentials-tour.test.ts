/**
 * The README's "Standard credentials" tour, run as written: its sh block is taken from README.md and
 * run by bash in the repository folder against a test service (only the addresses of the service and
 * of its chain, and where its dev credentials are, are put in). Issue, both exports VALID by the API
 * and the CLI, a presentation of two fields VALID, both status lists VALID, then revoked: both status
 * lists and both verdicts REVOKED within seconds.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeDataDir, startTestService, type TestService } from "./test-service.ts";

/** The first sh block of the README section `heading`. */
function readmeBlock(heading: string): string {
  const readme = readFileSync("README.md", "utf8");
  const section = readme.slice(readme.indexOf(`\n## ${heading}`));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error(`no sh block under "## ${heading}" in README.md`);
  return block;
}

describe("the README's standard credentials tour, pasted as written", () => {
  let service: TestService;
  let output: { stdout: string; stderr: string };

  beforeAll(async () => {
    service = await startTestService();
    const script = readmeBlock("Standard credentials")
      .replaceAll("http://localhost:8080", service.url)
      .replaceAll("http://127.0.0.1:8545", service.rpcUrl)
      .replaceAll("./data/dev-credentials.json", join(service.dataDir, "dev-credentials.json"));
    // Node 24 first on PATH, as `npm run setup` leaves it for a newcomer (node_modules/.bin).
    const path = [join(process.cwd(), "node_modules", ".bin"), dirname(process.execPath), process.env.PATH].join(":");
    output = await promisify(execFile)("bash", ["-c", script], { cwd: process.cwd(), env: { ...process.env, PATH: path }, timeout: 240_000 });
  }, 300_000);
  afterAll(async () => {
    await service?.stop();
    if (service) removeDataDir(service.dataDir);
  });

  it("answers every verdict the tour announces, in order: VALID for both exports and the two-field presentation, REVOKED after revocation", () => {
    const verdicts = output.stdout
      .split("\n")
      .filter((line) => /^(VALID|REVOKED|SUSPENDED|UNKNOWN|TAMPERED|PENDING|NOT_ANCHORED|UNKNOWN_ISSUER|UNAVAILABLE)\b/.test(line));
    expect(verdicts, `${output.stdout}\n${output.stderr}`).toEqual([
      "VALID",
      "VALID",
      "VALID",
      "VALID",
      expect.stringMatching(/^VALID, withheld: .*holder/),
      "VALID",
      "VALID",
      "VALID",
      "REVOKED",
      "REVOKED",
      "REVOKED",
      "REVOKED",
    ]);
    expect(output.stderr).toContain("documentNumber, validUntil disclosed");
  });

  it("prints, for each status list, its URL and the credential's index: the Token Status List, then the two Bitstring lists", () => {
    const lines = output.stdout.split("\n");
    const token = lines.filter((l) => l.includes("Token Status List"));
    const revocation = lines.filter((l) => l.includes("Bitstring Status List (revocation)"));
    const suspension = lines.filter((l) => l.includes("Bitstring Status List (suspension)"));
    expect(token).toHaveLength(2);
    expect(revocation).toHaveLength(2);
    expect(suspension).toHaveLength(2);
    expect(token[0]).toMatch(new RegExp(`${service.url.replace(/127\.0\.0\.1|localhost/, "(127\\.0\\.0\\.1|localhost)")}/\\S+ index \\d+: 0$`));
    expect(token[1]).toMatch(/ index \d+: 1$/);
    expect(revocation[1]).toMatch(/ index \d+: 1$/);
    expect(suspension[1]).toMatch(/ index \d+: 0$/);
  });
});
