/**
 * The README's "Standard credentials" tour, run as written: its sh block is taken from README.md and
 * run by bash in the repository folder against a test service (only the addresses of the service and
 * of its chain, and where its dev credentials are, are put in). Issue, both exports VALID by the API
 * and the CLI, a presentation of two fields VALID, both status lists VALID, then revoked: both status
 * lists and both verdicts REVOKED within seconds. Then the wallet flow of docs/openid4vci.md ("Try
 * it"), taken and run the same way.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeDataDir, startTestService, type TestService } from "./test-service.ts";

/** The first sh block of the section `heading` of the Markdown file `file`. */
function shBlock(file: string, heading: string): string {
  const text = readFileSync(file, "utf8");
  const at = text.indexOf(`\n## ${heading}`);
  const block = at === -1 ? undefined : /```sh\n([\s\S]*?)```/.exec(text.slice(at))?.[1];
  if (!block) throw new Error(`no sh block under "## ${heading}" in ${file}`);
  return block;
}

/** Runs a tour block with bash in the repository folder, pointed at `service`. */
async function runTour(service: TestService, block: string): Promise<{ stdout: string; stderr: string }> {
  const script = block
    // The service's public URL (the credential issuer, a proof's aud) is http://localhost:<its port>.
    .replaceAll("localhost:8080", `localhost:${new URL(service.url).port}`)
    .replaceAll("http://127.0.0.1:8545", service.rpcUrl)
    .replaceAll("./data/dev-credentials.json", join(service.dataDir, "dev-credentials.json"));
  // Node 24 first on PATH, as `npm run setup` leaves it for a newcomer (node_modules/.bin).
  const path = [join(process.cwd(), "node_modules", ".bin"), dirname(process.execPath), process.env.PATH].join(":");
  return promisify(execFile)("bash", ["-c", script], { cwd: process.cwd(), env: { ...process.env, PATH: path }, timeout: 240_000 });
}

describe("the README's standard credentials tour, pasted as written", () => {
  let service: TestService;
  let output: { stdout: string; stderr: string };

  beforeAll(async () => {
    service = await startTestService();
    output = await runTour(service, shBlock("README.md", "Standard credentials"));
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

  it("runs the wallet flow of docs/openid4vci.md as written: an SD-JWT VC bound to the wallet's key, and the code refused a second time", async () => {
    const wallet = await runTour(service, shBlock("docs/openid4vci.md", "Try it"));
    const lines = wallet.stdout.split("\n");
    expect(lines[0], wallet.stderr).toMatch(/^openid-credential-offer:\/\/\?credential_offer=\S+ \d{6}$/);
    expect(JSON.parse(lines[1] as string)).toMatchObject({ credential_issuer: `http://localhost:${new URL(service.url).port}` });
    const issued = JSON.parse(lines[2] as string);
    expect(issued, wallet.stdout).toHaveProperty("credentials");
    const [issuerJwt] = String(issued.credentials[0].credential).split("~");
    const payload = JSON.parse(Buffer.from(String(issuerJwt).split(".")[1] as string, "base64url").toString("utf8"));
    expect(payload.cnf.jwk).toMatchObject({ kty: "EC", crv: "P-256" });
    expect(payload.status.status_list).toMatchObject({ idx: expect.any(Number) });
    expect(JSON.parse(lines[3] as string)).toMatchObject({ error: "invalid_grant" });
  }, 120_000);
});
