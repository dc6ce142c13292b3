/**
 * The department's signature: a compact ES256 JWS over the claim, with the protected header
 * exactly {"alg":"ES256","kid":"<DEPT>-<n>"} so that a QR code need carry only n. This is the format;
 * signing, verifying and thumbprints are platform crypto, in services/adapters/signing/es256.ts
 * (the SignatureChecker port), so the domain imports no node: builtin.
 */
import { EProofError } from "./errors.ts";

export function protectedHeaderFor(kid: string): string {
  return JSON.stringify({ alg: "ES256", kid });
}

function b64(bytes: Uint8Array | string): string {
  return Buffer.from(bytes).toString("base64url");
}

export function joinJws(kid: string, claimBytes: Uint8Array, signature: Uint8Array): string {
  return `${b64(protectedHeaderFor(kid))}.${b64(claimBytes)}.${b64(signature)}`;
}

/**
 * The parts a QR code carries. Throws EProofError("SIGNATURE_INVALID") for anything but a compact
 * JWS with exactly the e-Proof header and a 64-byte signature (it does not check the signature).
 */
export function splitJws(jws: string): { kid: string; claimBytes: Uint8Array; signature: Uint8Array } {
  const parts = typeof jws === "string" ? jws.split(".") : [];
  if (parts.length !== 3 || !parts.every((p) => BASE64URL.test(p))) throw new EProofError("SIGNATURE_INVALID", "the signature is not a compact JWS");
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const kid = kidOf(headerPart);
  if (kid === null) throw new EProofError("SIGNATURE_INVALID", 'the JWS header is not exactly {"alg":"ES256","kid":…}');
  const signature = new Uint8Array(Buffer.from(signaturePart, "base64url"));
  if (signature.length !== 64) throw new EProofError("SIGNATURE_INVALID", "an ES256 signature is 64 bytes");
  return { kid, claimBytes: new Uint8Array(Buffer.from(payloadPart, "base64url")), signature };
}

export const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** The kid of an e-Proof protected header, or null when the header is anything else. */
export function kidOf(headerPart: string): string | null {
  let kid: unknown;
  try {
    kid = (JSON.parse(Buffer.from(headerPart, "base64url").toString("utf8")) as { kid?: unknown } | null)?.kid;
  } catch {
    return null;
  }
  return typeof kid === "string" && headerPart === b64(protectedHeaderFor(kid)) ? kid : null;
}
