/**
 * ES256 for e-Proof signatures: signing (key custody), verifying and RFC 7638 thumbprints (the
 * SignatureChecker port). The JWS format itself is the domain's (services/domain/signature.ts).
 *
 * Signing and verifying use node:crypto directly because they are the hot paths of issuance and
 * of the verify API. Measured on the 2-core machine (Node 24, jose 6.2, one licence claim, µs per
 * signature, three runs on a shared, noisy box; "in flight" = 256 concurrent, so both cores work):
 *
 *   jose CompactSign, CryptoKey (WebCrypto)        160-210 sequential    56-124 in flight
 *   jose CompactSign, KeyObject                    160-210 sequential
 *   node:crypto sign, { key, dsaEncoding: p1363 }   94-147 sequential    (the options object re-prepares the key each call)
 *   node:crypto sign, KeyObject, DER, sync          39-62 sequential
 *   signClaim below (thread pool, DER -> r||s)      87-103 sequential    31-37 in flight (27,000-32,000/s)
 *
 * jose in flight gives 8,000-17,000 signatures/s, too close to the 10,000 documents/s issuance
 * target (which must also hash, batch and store); signClaim gives about twice that. So signatures
 * are converted between DER and JWS's r||s form below, and both run on the thread pool (callback
 * form) so that they use every core.
 * jose computes the thumbprints, and the tests check that jose's compactVerify accepts what this
 * produces and agrees with verifyJws below.
 */
import { createPublicKey, KeyObject, sign, verify } from "node:crypto";
import { calculateJwkThumbprint, type JWK } from "jose";
import { BASE64URL, kidOf, protectedHeaderFor } from "../../domain/signature.ts";
import type { Hex, PublicJwk } from "../../domain/types.ts";
import { EProofError } from "../../errors.ts";
import type { JwsChecker, SignatureChecker } from "../../ports.ts";

function b64(bytes: Uint8Array | string): string {
  return Buffer.from(bytes).toString("base64url");
}

/** Signs a claim as a compact ES256 JWS with the e-Proof protected header (a WebCrypto or node:crypto P-256 private key). */
export async function signClaim(claimBytes: Uint8Array, privateKey: CryptoKey | KeyObject, kid: string): Promise<string> {
  const signingInput = `${b64(protectedHeaderFor(kid))}.${b64(claimBytes)}`;
  const signature = derToP1363(await signOnThreadPool(Buffer.from(signingInput), keyObjectOf(privateKey)));
  return `${signingInput}.${b64(signature)}`;
}

/**
 * signClaim on the calling thread, for the issuance workers (adapters/signing/issuance-worker.ts),
 * which are already off the event loop: no thread-pool hop per signature.
 */
export function signClaimSync(claimBytes: Uint8Array, privateKey: KeyObject, kid: string): string {
  const signingInput = `${b64(protectedHeaderFor(kid))}.${b64(claimBytes)}`;
  return `${signingInput}.${b64(derToP1363(sign("sha256", Buffer.from(signingInput), keyObjectOf(privateKey))))}`;
}

/**
 * Signs any compact ES256 JWS (credential exports, status lists): the protected header is
 * `{ alg: "ES256", kid, ...header }` (the caller cannot change alg or kid).
 */
export async function signCompactJws(header: Record<string, unknown>, payload: Uint8Array, privateKey: CryptoKey | KeyObject, kid: string): Promise<string> {
  const { alg: _alg, kid: _kid, ...rest } = header;
  const signingInput = `${b64(JSON.stringify({ alg: "ES256", kid, ...rest }))}.${b64(payload)}`;
  const signature = derToP1363(await signOnThreadPool(Buffer.from(signingInput), keyObjectOf(privateKey)));
  return `${signingInput}.${b64(signature)}`;
}

/** WebCrypto keys (jose's generateKeyPair) become node:crypto KeyObjects once, not per signature. */
const keyObjects = new WeakMap<CryptoKey, KeyObject>();
/** Keys already checked to be P-256 private keys (reading a key's details costs a native call). */
const checkedKeys = new WeakSet<KeyObject>();

function keyObjectOf(key: CryptoKey | KeyObject): KeyObject {
  let object = key instanceof KeyObject ? key : keyObjects.get(key);
  if (!object) {
    object = KeyObject.from(key as CryptoKey);
    keyObjects.set(key as CryptoKey, object);
  }
  if (!checkedKeys.has(object)) {
    if (object.type !== "private" || object.asymmetricKeyType !== "ec" || object.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
      throw new EProofError("INTERNAL", "an e-Proof signing key must be a P-256 private key");
    }
    checkedKeys.add(object);
  }
  return object;
}

/**
 * node:crypto's callback forms run on libuv's thread pool, so concurrent signatures and
 * verifications use every core while the event loop goes on serving requests.
 */
function signOnThreadPool(data: Buffer, key: KeyObject): Promise<Buffer> {
  return new Promise((resolve, reject) => sign("sha256", data, key, (error, signature) => (error ? reject(error) : resolve(signature))));
}

function verifyOnThreadPool(data: Buffer, key: KeyObject, signature: Buffer): Promise<boolean> {
  return new Promise((resolve, reject) => verify("sha256", data, key, signature, (error, ok) => (error ? reject(error) : resolve(ok))));
}

/** An ECDSA DER signature (SEQUENCE { INTEGER r, INTEGER s }) as the 64-byte r‖s that JWS ES256 uses. */
function derToP1363(der: Buffer): Buffer {
  const out = Buffer.alloc(64);
  let offset = der[1] === 0x81 ? 3 : 2; // long-form length only above 127 bytes, never for P-256
  for (const target of [0, 32]) {
    const length = der[offset + 1] as number;
    let start = offset + 2;
    let size = length;
    while (size > 32) {
      start += 1; // drop the sign-padding zero byte
      size -= 1;
    }
    der.copy(out, target + 32 - size, start, start + size);
    offset += 2 + length;
  }
  return out;
}

const publicKeys = new Map<string, KeyObject>();

function publicKeyOf(jwk: PublicJwk): KeyObject {
  const cacheKey = `${jwk.x}.${jwk.y}`;
  let key = publicKeys.get(cacheKey);
  if (!key) {
    key = createPublicKey({ key: { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y }, format: "jwk" });
    if (publicKeys.size > 1_000) publicKeys.clear();
    publicKeys.set(cacheKey, key);
  }
  return key;
}

/** JWS's 64-byte r‖s as the DER signature node:crypto verifies without per-call options. */
function p1363ToDer(signature: Buffer): Buffer {
  const integer = (bytes: Buffer) => {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start += 1;
    const trimmed = bytes.subarray(start);
    const padded = (trimmed[0] as number) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed;
    return Buffer.concat([Buffer.from([0x02, padded.length]), padded]);
  };
  const body = Buffer.concat([integer(signature.subarray(0, 32)), integer(signature.subarray(32))]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

type JwsCheck = { ok: true; kid: string; claimBytes: Uint8Array } | { ok: false; reason: string };

/** What both verify modes need of an e-Proof JWS, or why it cannot verify (before any signature arithmetic). */
function readJws(
  jws: unknown,
  jwk: unknown,
): { ok: false; reason: string } | { ok: true; kid: string; payloadPart: string; data: Buffer; key: PublicJwk; signature: Buffer } {
  if (typeof jws !== "string" || jws.length > 16_384) return { ok: false, reason: "the signature is not a compact JWS" };
  const key = jwk as PublicJwk | null;
  if (!key || typeof key !== "object" || key.kty !== "EC" || key.crv !== "P-256" || typeof key.x !== "string" || typeof key.y !== "string") {
    return { ok: false, reason: "the signing key is not an EC P-256 public JWK" };
  }
  const parts = jws.split(".");
  if (parts.length !== 3 || !parts.every((p) => BASE64URL.test(p))) return { ok: false, reason: "the signature is not a compact JWS" };
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const kid = kidOf(headerPart);
  if (kid === null) return { ok: false, reason: "the JWS header is not the e-Proof header" };
  const signature = Buffer.from(signaturePart, "base64url");
  if (signature.length !== 64) return { ok: false, reason: "an ES256 signature is 64 bytes" };
  return { ok: true, kid, payloadPart, data: Buffer.from(`${headerPart}.${payloadPart}`), key, signature };
}

/** The answer once the arithmetic is done: `verified` is node:crypto's, or null for a key that is not a P-256 point. */
function jwsCheck(read: { kid: string; payloadPart: string }, verified: boolean | null): JwsCheck {
  if (verified === null) return { ok: false, reason: "the signing key is not a valid P-256 public key" };
  if (!verified) return { ok: false, reason: "the signature does not verify with the document's signing key" };
  return { ok: true, kid: read.kid, claimBytes: new Uint8Array(Buffer.from(read.payloadPart, "base64url")) };
}

/**
 * Checks a compact JWS against a public key; never throws for bad input. The header must be exactly
 * the e-Proof header. Verification is node:crypto's (with the key object cached), on libuv's thread
 * pool: on the verify API's hot path it costs a third of WebCrypto's asynchronous job; jose's
 * compactVerify accepts exactly the same tokens (the tests check both).
 */
export async function verifyJws(jws: unknown, jwk: unknown): Promise<JwsCheck> {
  const read = readJws(jws, jwk);
  if (!read.ok) return read;
  let verified: boolean | null;
  try {
    verified = await verifyOnThreadPool(read.data, publicKeyOf(read.key), p1363ToDer(read.signature));
  } catch {
    verified = null;
  }
  return jwsCheck(read, verified);
}

/** verifyJws on the calling thread, for worker threads that are already off the event loop (verification-worker.ts). */
export function verifyJwsSync(jws: unknown, jwk: unknown): JwsCheck {
  const read = readJws(jws, jwk);
  if (!read.ok) return read;
  let verified: boolean | null;
  try {
    verified = verify("sha256", read.data, publicKeyOf(read.key), p1363ToDer(read.signature));
  } catch {
    verified = null;
  }
  return jwsCheck(read, verified);
}

/** Checks any compact JWS whose header says alg ES256 against a public P-256 key (the JwsChecker port); never throws. */
export async function verifyCompactJws(jws: string, jwk: unknown): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (typeof jws !== "string" || jws.length > 65_536) return { ok: false, reason: "not a compact JWS" };
  const key = jwk as PublicJwk | null;
  if (!key || typeof key !== "object" || key.kty !== "EC" || key.crv !== "P-256" || typeof key.x !== "string" || typeof key.y !== "string") {
    return { ok: false, reason: "the signing key is not an EC P-256 public JWK" };
  }
  const parts = jws.split(".");
  if (parts.length !== 3 || !parts.every((p) => BASE64URL.test(p))) return { ok: false, reason: "not a compact JWS" };
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  let alg: unknown;
  try {
    alg = (JSON.parse(Buffer.from(headerPart, "base64url").toString("utf8")) as { alg?: unknown } | null)?.alg;
  } catch {
    return { ok: false, reason: "the JWS header is not JSON" };
  }
  if (alg !== "ES256") return { ok: false, reason: "the JWS is not signed with ES256" };
  const signature = Buffer.from(signaturePart, "base64url");
  if (signature.length !== 64) return { ok: false, reason: "an ES256 signature is 64 bytes" };
  try {
    const ok = await verifyOnThreadPool(Buffer.from(`${headerPart}.${payloadPart}`), publicKeyOf(key), p1363ToDer(signature));
    return ok ? { ok: true } : { ok: false, reason: "the signature does not verify with the signing key" };
  } catch {
    return { ok: false, reason: "the signing key is not a valid P-256 public key" };
  }
}

/** RFC 7638 SHA-256 thumbprint of a public JWK, as registered on chain. */
export async function jwkThumbprint(jwk: PublicJwk): Promise<Hex> {
  const cacheKey = `${jwk.kty}.${jwk.crv}.${jwk.x}.${jwk.y}`;
  const known = thumbprints.get(cacheKey);
  if (known) return known;
  const thumbprint = await calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y } as JWK, "sha256");
  const hex: Hex = `0x${Buffer.from(thumbprint, "base64url").toString("hex")}`;
  if (thumbprints.size > 1_000) thumbprints.clear();
  thumbprints.set(cacheKey, hex);
  return hex;
}

/** A few departments' keys sign everything: their thumbprints are worth remembering. */
const thumbprints = new Map<string, Hex>();

/** The SignatureChecker port, and the JwsChecker port for credential exports. */
export const es256: SignatureChecker & JwsChecker = { verifyJws, thumbprint: jwkThumbprint, verifyCompactJws };
