/**
 * The department's signature: a compact ES256 JWS over the claim, with the protected header
 * exactly {"alg":"ES256","kid":"<DEPT>-<n>"} so that a QR code need carry only n.
 *
 * Signing builds the compact JWS with node:crypto (ieee-p1363 signatures, which is what JWS
 * ES256 is) because it is the issuance hot path and is synchronous; every verification, the
 * thumbprints and the tests use jose, which accepts what this produces.
 */
import { type KeyObject, sign } from "node:crypto";
import { calculateJwkThumbprint, compactVerify, importJWK, type JWK } from "jose";
import type { Hex, PublicJwk } from "./types.ts";

export function protectedHeaderFor(kid: string): string {
  return JSON.stringify({ alg: "ES256", kid });
}

function b64(bytes: Uint8Array | string): string {
  return Buffer.from(bytes).toString("base64url");
}

export function joinJws(kid: string, claimBytes: Uint8Array, signature: Uint8Array): string {
  return `${b64(protectedHeaderFor(kid))}.${b64(claimBytes)}.${b64(signature)}`;
}

export async function signClaim(claimBytes: Uint8Array, privateKey: KeyObject, kid: string): Promise<string> {
  const signingInput = `${b64(protectedHeaderFor(kid))}.${b64(claimBytes)}`;
  const signature = sign("sha256", Buffer.from(signingInput), { key: privateKey, dsaEncoding: "ieee-p1363" });
  return `${signingInput}.${b64(signature)}`;
}

/** The parts a QR code carries. Throws on a malformed JWS. */
export function splitJws(jws: string): { kid: string; claimBytes: Uint8Array; signature: Uint8Array } {
  const parts = jws.split(".");
  if (parts.length !== 3) throw new Error("a compact JWS has three parts");
  const header = JSON.parse(Buffer.from(parts[0] as string, "base64url").toString("utf8")) as { kid?: unknown };
  if (typeof header.kid !== "string") throw new Error("the JWS header has no kid");
  return {
    kid: header.kid,
    claimBytes: new Uint8Array(Buffer.from(parts[1] as string, "base64url")),
    signature: new Uint8Array(Buffer.from(parts[2] as string, "base64url")),
  };
}

const importedKeys = new Map<string, Promise<CryptoKey | Uint8Array>>();

function importKey(jwk: PublicJwk): Promise<CryptoKey | Uint8Array> {
  const cacheKey = `${jwk.x}.${jwk.y}`;
  let key = importedKeys.get(cacheKey);
  if (!key) {
    key = importJWK({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y } as JWK, "ES256");
    if (importedKeys.size > 1_000) importedKeys.clear();
    importedKeys.set(cacheKey, key);
    key.catch(() => importedKeys.delete(cacheKey));
  }
  return key;
}

/** Checks a JWS against a public key; never throws for bad input. */
export async function verifyJws(jws: unknown, jwk: unknown): Promise<{ ok: true; kid: string; claimBytes: Uint8Array } | { ok: false; reason: string }> {
  if (typeof jws !== "string" || jws.length > 16_384) return { ok: false, reason: "the signature is not a compact JWS" };
  const key = jwk as PublicJwk | null;
  if (!key || typeof key !== "object" || key.kty !== "EC" || key.crv !== "P-256" || typeof key.x !== "string" || typeof key.y !== "string") {
    return { ok: false, reason: "the signing key is not an EC P-256 public JWK" };
  }
  try {
    const { payload, protectedHeader } = await compactVerify(jws, await importKey(key), { algorithms: ["ES256"] });
    if (typeof protectedHeader.kid !== "string" || jws.split(".")[0] !== b64(protectedHeaderFor(protectedHeader.kid))) {
      return { ok: false, reason: "the JWS header is not the e-Proof header" };
    }
    return { ok: true, kid: protectedHeader.kid, claimBytes: payload };
  } catch {
    return { ok: false, reason: "the signature does not verify with the document's signing key" };
  }
}

/** RFC 7638 SHA-256 thumbprint of a public JWK, as registered on chain. */
export async function jwkThumbprint(jwk: PublicJwk): Promise<Hex> {
  const thumbprint = await calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y } as JWK, "sha256");
  return `0x${Buffer.from(thumbprint, "base64url").toString("hex")}`;
}
