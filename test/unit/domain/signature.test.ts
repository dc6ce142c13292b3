import { generateKeyPairSync, KeyObject } from "node:crypto";
import { CompactSign, calculateJwkThumbprint, compactVerify, type JWK } from "jose";
import { describe, expect, it } from "vitest";
import { jwkThumbprint, signClaim, verifyJws } from "../../../services/adapters/signing/es256.ts";
import { encodeClaim } from "../../../services/domain/claim.ts";
import { joinJws, protectedHeaderFor, splitJws } from "../../../services/domain/signature.ts";
import { isEProofError } from "../../../services/errors.ts";
import { issue, makeSigningKey, seededRandom } from "./fixtures.ts";

const b64 = (bytes: Uint8Array | string) => Buffer.from(bytes).toString("base64url");

describe("the department's signature", () => {
  it("produces a compact ES256 JWS that jose verifies with the department's public key", async () => {
    const key = await makeSigningKey();
    const { prepared, jws } = await issue({ key, random: seededRandom("jose") });
    const { payload, protectedHeader } = await compactVerify(jws, key.publicKey, { algorithms: ["ES256"] });
    expect(protectedHeader).toEqual({ alg: "ES256", kid: "DEMO-1" });
    expect(Uint8Array.from(payload)).toEqual(Uint8Array.from(prepared.claimBytes));
  });

  it('writes the protected header exactly as {"alg":"ES256","kid":…}', async () => {
    const key = await makeSigningKey("DEMO-7");
    const jws = await signClaim(Uint8Array.of(1, 2, 3), key.privateKey, key.kid);
    expect(Buffer.from(jws.split(".")[0] as string, "base64url").toString()).toBe('{"alg":"ES256","kid":"DEMO-7"}');
    expect(protectedHeaderFor("DEMO-7")).toBe('{"alg":"ES256","kid":"DEMO-7"}');
    expect(jws).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{86}$/); // 64-byte P1363 signature
  });

  it("verifies with the JWK it names and returns the kid and the claim bytes", async () => {
    const key = await makeSigningKey();
    const { prepared, jws } = await issue({ key, random: seededRandom("verify") });
    const result = await verifyJws(jws, key.jwk);
    expect(result).toEqual({ ok: true, kid: "DEMO-1", claimBytes: expect.any(Uint8Array) });
    if (result.ok) expect(Uint8Array.from(result.claimBytes)).toEqual(Uint8Array.from(prepared.claimBytes));
  });

  it("refuses a signature checked against another key", async () => {
    const key = await makeSigningKey();
    const { jws } = await issue({ key, random: seededRandom("other-key") });
    expect((await verifyJws(jws, (await makeSigningKey()).jwk)).ok).toBe(false);
  });

  it("refuses a changed payload", async () => {
    const key = await makeSigningKey();
    const { prepared, jws } = await issue({ key, random: seededRandom("payload") });
    const [header, , signature] = jws.split(".");
    const forged = encodeClaim({ ...prepared.claim, facts: { ...prepared.claim.facts, validUntil: "2099-12-31" } });
    expect((await verifyJws(`${header}.${b64(forged)}.${signature}`, key.jwk)).ok).toBe(false);
  });

  it("refuses a changed header, even one the same key signed, unless it is exactly the e-Proof header", async () => {
    const key = await makeSigningKey();
    const { prepared, jws } = await issue({ key, random: seededRandom("header") });
    const [, payload, signature] = jws.split(".");
    expect((await verifyJws(`${b64(protectedHeaderFor("DEMO-2"))}.${payload}.${signature}`, key.jwk)).ok).toBe(false);
    // Same key, same claim, valid ES256 — but the header's members are in another order.
    const reordered = await new CompactSign(prepared.claimBytes).setProtectedHeader({ kid: "DEMO-1", alg: "ES256" }).sign(key.privateKey);
    expect((await compactVerify(reordered, key.publicKey)).protectedHeader.kid).toBe("DEMO-1");
    expect(await verifyJws(reordered, key.jwk)).toEqual({ ok: false, reason: "the JWS header is not the e-Proof header" });
    const extra = await new CompactSign(prepared.claimBytes).setProtectedHeader({ alg: "ES256", kid: "DEMO-1", typ: "JWT" }).sign(key.privateKey);
    expect((await verifyJws(extra, key.jwk)).ok).toBe(false);
  });

  it("refuses a flipped signature bit", async () => {
    const key = await makeSigningKey();
    const { jws } = await issue({ key, random: seededRandom("flip") });
    const { kid, claimBytes, signature } = splitJws(jws);
    const flippedSignature = Uint8Array.from(signature);
    flippedSignature[10] = (flippedSignature[10] as number) ^ 0x40;
    expect((await verifyJws(joinJws(kid, claimBytes, flippedSignature), key.jwk)).ok).toBe(false);
  });

  it("refuses garbage JWS and keys without throwing", async () => {
    const key = await makeSigningKey();
    const { jws } = await issue({ key, random: seededRandom("garbage") });
    const badJws: unknown[] = [
      undefined,
      null,
      42,
      {},
      "",
      "a.b",
      "a.b.c",
      "...",
      `${jws}.x`,
      jws.replace(/\./g, ""),
      "x".repeat(20_000),
      `${jws.slice(0, 40)}!${jws.slice(41)}`,
    ];
    for (const bad of badJws) expect((await verifyJws(bad, key.jwk)).ok, String(bad).slice(0, 40)).toBe(false);
    const other = (await makeSigningKey()).jwk;
    const badKeys: unknown[] = [
      undefined,
      null,
      "key",
      {},
      { ...key.jwk, kty: "RSA" },
      { ...key.jwk, crv: "P-384" },
      { ...key.jwk, y: undefined },
      { ...key.jwk, x: "not-base64url!" },
      { ...key.jwk, x: other.x },
      { kty: "oct", k: "c2VjcmV0" },
      { ...key.jwk, x: 42 },
    ];
    for (const bad of badKeys) expect((await verifyJws(jws, bad)).ok, JSON.stringify(bad)).toBe(false);
    expect((await verifyJws(jws, key.jwk)).ok, "the cache keeps no bad entries").toBe(true);
  });

  it("converts every signature to r‖s correctly, including r or s with leading zero bytes (jose agrees)", async () => {
    const key = await makeSigningKey();
    const seen = { shortR: 0, shortS: 0 };
    for (let i = 0; i < 3_000; i += 1) {
      const claimBytes = Uint8Array.from(Buffer.from(`claim ${i}`));
      const jws = await signClaim(claimBytes, key.privateKey, key.kid);
      const { signature } = splitJws(jws);
      if (signature[0] === 0) seen.shortR += 1;
      if (signature[32] === 0) seen.shortS += 1;
      const { payload } = await compactVerify(jws, key.publicKey, { algorithms: ["ES256"] });
      expect(Buffer.from(payload).toString(), `signature ${i}`).toBe(`claim ${i}`);
    }
    // About 1 in 256 signatures has a short r (or s): 3,000 signatures all but certainly include both.
    expect(seen.shortR).toBeGreaterThan(0);
    expect(seen.shortS).toBeGreaterThan(0);
  });

  it("accepts exactly what jose's compactVerify accepts, for jose-made signatures with short r or s too", async () => {
    const key = await makeSigningKey();
    const seen = { shortR: 0, shortS: 0 };
    for (let i = 0; i < 2_000; i += 1) {
      const claimBytes = Uint8Array.from(Buffer.from(`jose claim ${i}`));
      const jws = await new CompactSign(claimBytes).setProtectedHeader({ alg: "ES256", kid: "DEMO-1" }).sign(key.privateKey);
      const { signature } = splitJws(jws);
      if (signature[0] === 0) seen.shortR += 1;
      if (signature[32] === 0) seen.shortS += 1;
      const result = await verifyJws(jws, key.jwk);
      expect(result.ok, `signature ${i}`).toBe(true);
    }
    expect(seen.shortR + seen.shortS).toBeGreaterThan(0);
  });

  it("agrees with jose on odd signatures: all zeros, all ones, r or s zero, high s", async () => {
    const key = await makeSigningKey();
    const { jws } = await issue({ key, random: seededRandom("odd-signatures") });
    const { kid, claimBytes, signature } = splitJws(jws);
    const n = BigInt("0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    const word = (value: bigint) => Buffer.from(value.toString(16).padStart(64, "0"), "hex");
    const r = signature.subarray(0, 32);
    const s = BigInt(`0x${Buffer.from(signature.subarray(32)).toString("hex")}`);
    const odd: [string, Uint8Array][] = [
      ["all zeros", new Uint8Array(64)],
      ["all ones", new Uint8Array(64).fill(0xff)],
      ["r zero", Buffer.concat([Buffer.alloc(32), signature.subarray(32)])],
      ["s zero", Buffer.concat([r, Buffer.alloc(32)])],
      ["s = n", Buffer.concat([r, word(n)])],
      ["s + n overflows", Buffer.concat([r, word((s + n) % 2n ** 256n)])],
      ["high s (n - s)", Buffer.concat([r, word(n - s)])],
      ["63 bytes", signature.subarray(0, 63)],
      ["65 bytes", Buffer.concat([signature, Buffer.alloc(1)])],
    ];
    for (const [because, bytes] of odd) {
      const candidate = joinJws(kid, claimBytes, bytes);
      const ours = await verifyJws(candidate, key.jwk);
      const theirs = await compactVerify(candidate, key.publicKey, { algorithms: ["ES256"] }).then(
        () => true,
        () => false,
      );
      expect(ours.ok, because).toBe(theirs);
    }
  });

  it("splits a JWS into the parts a QR code carries and joins them back unchanged", async () => {
    const key = await makeSigningKey("DEMO-12");
    const { prepared, jws } = await issue({ key, random: seededRandom("split") });
    const parts = splitJws(jws);
    expect(parts.kid).toBe("DEMO-12");
    expect(Uint8Array.from(parts.claimBytes)).toEqual(Uint8Array.from(prepared.claimBytes));
    expect(parts.signature).toHaveLength(64);
    expect(joinJws(parts.kid, parts.claimBytes, parts.signature)).toBe(jws);
  });

  it("refuses to split anything but an e-Proof compact JWS, with SIGNATURE_INVALID", () => {
    const sig = b64(new Uint8Array(64));
    const bad = [
      "a.b",
      `${b64('{"alg":"ES256"}')}.AA.${sig}`,
      `${b64("not json")}.AA.${sig}`,
      `${b64('{"kid":"DEMO-1","alg":"ES256"}')}.AA.${sig}`,
      `${b64(protectedHeaderFor("DEMO-1"))}.AA.${b64(new Uint8Array(63))}`,
      `${b64(protectedHeaderFor("DEMO-1"))}.A+A.${sig}`,
    ];
    for (const jws of bad) {
      let thrown: unknown;
      try {
        splitJws(jws);
      } catch (error) {
        thrown = error;
      }
      expect(isEProofError(thrown, "SIGNATURE_INVALID"), jws).toBe(true);
    }
  });

  it("signs with a node:crypto KeyObject as it does with a WebCrypto key, and jose verifies both", async () => {
    const key = await makeSigningKey("DEMO-3");
    const claimBytes = Uint8Array.from(Buffer.from("claim"));
    for (const privateKey of [key.privateKey, KeyObject.from(key.privateKey)]) {
      const jws = await signClaim(claimBytes, privateKey, key.kid);
      const { payload, protectedHeader } = await compactVerify(jws, key.publicKey, { algorithms: ["ES256"] });
      expect(Buffer.from(payload).toString()).toBe("claim");
      expect(protectedHeader).toEqual({ alg: "ES256", kid: "DEMO-3" });
    }
  });

  it("refuses to sign with anything but a P-256 private key", async () => {
    const key = await makeSigningKey();
    const others = [KeyObject.from(key.publicKey), generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey, generateKeyPairSync("ed25519").privateKey];
    for (const other of others) await expect(signClaim(new Uint8Array(4), other, "DEMO-1")).rejects.toThrow(/P-256 private key/);
  });

  it("computes the RFC 7638 thumbprint jose computes, as 0x-hex, ignoring extra members", async () => {
    for (let i = 0; i < 5; i += 1) {
      const { jwk } = await makeSigningKey();
      const expected = `0x${Buffer.from(await calculateJwkThumbprint(jwk as JWK, "sha256"), "base64url").toString("hex")}`;
      expect(await jwkThumbprint(jwk)).toBe(expected);
      expect(await jwkThumbprint({ ...jwk, kid: "DEMO-1", alg: "ES256", use: "sig" })).toBe(expected);
      expect(expected).toMatch(/^0x[0-9a-f]{64}$/);
    }
  });
});
