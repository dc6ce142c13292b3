/**
 * `eproof present`: a presentation keeps the issuer's JWT as it is and only the named disclosures,
 * drops any key binding JWT (it signed other disclosures), and an unknown field name is a usage
 * error that lists the fields the credential discloses.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runCli } from "../../../scripts/cli/main.ts";
import { decodeDisclosure, disclosureDigest, encodeDisclosure, splitSdJwt } from "../../../services/domain/sd-jwt.ts";

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const disclosures = [
  encodeDisclosure("salt-1", "documentNumber", "TD-2026-000123"),
  encodeDisclosure("salt-2", "holder", { name: "CHAN Tai Man" }),
  encodeDisclosure("salt-3", "validUntil", "2027-11-30"),
];
/** An SD-JWT as the service shapes it (the signature is not this command's business: it never checks it). */
const jwt = `${b64({ alg: "ES256", typ: "dc+sd-jwt", kid: "k1" })}.${b64({ eproof_id: "a".repeat(32), _sd: disclosures.map((d) => disclosureDigest(d.encoded)), _sd_alg: "sha-256" })}.${Buffer.alloc(64).toString("base64url")}`;
const sdJwt = `${jwt}~${disclosures.map((d) => d.encoded).join("~")}~`;

let dir: string;
let out: string[];
let err: string[];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "eproof-present-"));
  out = [];
  err = [];
  vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void out.push(args.join(" ")));
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void err.push(args.join(" ")));
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

describe("eproof present", () => {
  it("writes a presentation with the issuer's JWT unchanged and only the named disclosures, without a key binding JWT", async () => {
    const file = join(dir, "licence.sd-jwt");
    writeFileSync(file, `${sdJwt}${"e30.e30.sig"}\n`);
    const target = join(dir, "two-fields.sd-jwt");
    expect(await runCli(["present", file, "--disclose", "documentNumber, validUntil", "--out", target])).toBe(0);
    const presented = splitSdJwt(readFileSync(target, "utf8"));
    expect(presented.jwt).toBe(jwt);
    expect(presented.kbJwt).toBeNull();
    expect(presented.disclosures.map((d) => decodeDisclosure(d).name)).toEqual(["documentNumber", "validUntil"]);
    expect(err.join("\n")).toContain("documentNumber, validUntil disclosed");
  });

  it("refuses a field the credential does not disclose with exit code 2, naming the fields it does", async () => {
    const file = join(dir, "licence.sd-jwt");
    writeFileSync(file, sdJwt);
    expect(await runCli(["present", file, "--disclose", "documentNumber,colour"])).toBe(2);
    const message = err.join("\n");
    expect(message).toContain('"colour" is not a field');
    expect(message).toContain("documentNumber, holder, validUntil");
    expect(message).toContain("eproof present --help");
  });

  it("asks for --disclose and for a file, with exit code 2", async () => {
    const file = join(dir, "licence.sd-jwt");
    writeFileSync(file, sdJwt);
    expect(await runCli(["present", file])).toBe(2);
    expect(await runCli(["present", "--disclose", "holder"])).toBe(2);
    expect(err.join("\n")).toContain("--disclose <field,…> is required");
  });
});
