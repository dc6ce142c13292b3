import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { custodyKeyObject, loadOrCreateCustodyKey, openPrivateKey, sealPrivateKey } from "../../../services/adapters/signing/custody-key.ts";
import { isEProofError } from "../../../services/errors.ts";
import type { CustodyKeyIdentity } from "../../../services/ports.ts";

const identity: CustodyKeyIdentity = { kind: "SIGNING", department: "DEMO", number: 3 };
const secret = '{"kty":"EC","crv":"P-256","d":"not-really-a-key"}';

function thrown(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

describe("sealing custody keys (AES-256-GCM)", () => {
  const kek = custodyKeyObject(randomBytes(32));

  it("opens what it sealed for the same key identity", () => {
    const sealed = sealPrivateKey(kek, identity, secret);
    expect(sealed).not.toContain("not-really-a-key");
    expect(openPrivateKey(kek, identity, sealed)).toBe(secret);
  });

  it("seals the same key differently each time (a fresh IV)", () => {
    expect(sealPrivateKey(kek, identity, secret)).not.toBe(sealPrivateKey(kek, identity, secret));
  });

  it("does not open a blob sealed for another kind, department or number", () => {
    const sealed = sealPrivateKey(kek, identity, secret);
    for (const other of [
      { ...identity, kind: "ANCHORING" as const },
      { ...identity, department: "TD" },
      { ...identity, number: 4 },
    ]) {
      expect(
        isEProofError(
          thrown(() => openPrivateKey(kek, other, sealed)),
          "CONFIG_INVALID",
        ),
      ).toBe(true);
    }
  });

  it("does not open with another key-encryption key", () => {
    const sealed = sealPrivateKey(kek, identity, secret);
    const error = thrown(() => openPrivateKey(custodyKeyObject(randomBytes(32)), identity, sealed));
    expect(isEProofError(error, "CONFIG_INVALID")).toBe(true);
    expect(String((error as Error).message)).toContain("EPROOF_CUSTODY_KEY");
  });

  it("does not open a blob whose tag was truncated or whose ciphertext was altered", () => {
    const [version, iv, tag, ciphertext] = sealPrivateKey(kek, identity, secret).split(".") as [string, string, string, string];
    const truncated = [version, iv, tag.slice(0, 8), ciphertext].join(".");
    const flipped = Buffer.from(ciphertext, "base64url");
    flipped[0] = (flipped[0] as number) ^ 1;
    const altered = [version, iv, tag, flipped.toString("base64url")].join(".");
    for (const sealed of [truncated, altered, "garbage"]) {
      expect(
        isEProofError(
          thrown(() => openPrivateKey(kek, identity, sealed)),
          "CONFIG_INVALID",
        ),
      ).toBe(true);
    }
  });

  it("refuses a key-encryption key that is not 32 bytes", () => {
    expect(
      isEProofError(
        thrown(() => custodyKeyObject(randomBytes(16))),
        "CONFIG_INVALID",
      ),
    ).toBe(true);
  });
});

describe("loadOrCreateCustodyKey", () => {
  let dir = "";
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = "";
  });
  const fresh = () => {
    dir = mkdtempSync(join(tmpdir(), "eproof-kek-"));
    return join(dir, "data", "custody.key");
  };

  it("accepts 64 hex digits", () => {
    const bytes = randomBytes(32);
    expect(loadOrCreateCustodyKey({ value: bytes.toString("hex"), filePath: fresh() }).equals(bytes)).toBe(true);
  });

  it("accepts base64 and base64url of 32 bytes", () => {
    const bytes = randomBytes(32);
    expect(loadOrCreateCustodyKey({ value: bytes.toString("base64"), filePath: fresh() }).equals(bytes)).toBe(true);
    expect(loadOrCreateCustodyKey({ value: bytes.toString("base64url"), filePath: fresh() }).equals(bytes)).toBe(true);
  });

  it("refuses anything else with CONFIG_INVALID naming the variable and never echoing the value", () => {
    for (const value of ["s3cret-but-short", "ab".repeat(31), randomBytes(16).toString("base64"), `${"zz".repeat(32)}`, randomBytes(33).toString("hex")]) {
      const error = thrown(() => loadOrCreateCustodyKey({ value, filePath: fresh() }));
      expect(isEProofError(error, "CONFIG_INVALID")).toBe(true);
      expect((error as Error).message).toContain("EPROOF_CUSTODY_KEY");
      expect((error as Error).message).not.toContain(value);
    }
  });

  it("creates the key file with mode 0600 in a 0700 folder, and reuses it", () => {
    const path = fresh();
    const first = loadOrCreateCustodyKey({ filePath: path });
    expect(first.length).toBe(32);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "data")).mode & 0o777).toBe(0o700);
    expect(readFileSync(path, "utf8").trim()).toBe(first.toString("hex"));
    expect(loadOrCreateCustodyKey({ filePath: path }).equals(first)).toBe(true);
    expect(loadOrCreateCustodyKey({ value: "", filePath: path }).equals(first)).toBe(true);
  });
});
