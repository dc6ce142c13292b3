/**
 * The QR payload: the signed claim, the signing key's number and the ES256 signature, packed into a
 * string of decimal digits that sits in the URL fragment of the verify link.
 *
 * Layout (format 1): `"1"` then the digits of the binary
 * `varint(keyNumber) ‖ signature(64) ‖ deflateRaw(claimBytes, dictionary v1)`.
 *
 * Why digits: QR numeric mode spends 10 bits per 3 digits (~8.1 bits per byte once the whole binary is
 * written as one big number), less than base45 in alphanumeric mode (8.25) or byte mode (8), and digits
 * are URL-safe. The digit count fixes the byte length (see {@link digitsForBytes}), so leading zero
 * bytes survive.
 */
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { CLAIM_DICTIONARY_V1 } from "./claim-dictionary.ts";
import { EProofError } from "./errors.ts";

export interface QrPayload {
  /** The `n` of the signing key's kid `<DEPT>-<n>` (the department comes from the claim). */
  keyNumber: number;
  /** The claim bytes exactly as signed (CBOR). */
  claimBytes: Uint8Array;
  /** The 64-byte ES256 signature (r ‖ s). */
  signature: Uint8Array;
}

const FORMAT_DEFLATE_V1 = "1";
const SIGNATURE_BYTES = 64;
/** A claim is a few hundred bytes; anything far larger is not ours (and bounds a deflate bomb). */
const MAX_CLAIM_BYTES = 16 * 1024;
/** QR version 40 holds at most 7089 digits; longer text cannot have come from a QR code. */
const MAX_DIGITS = 7089;
const MAX_KEY_NUMBER = 2 ** 31 - 1;

/** Encodes the payload as the URL fragment (without `#`): a format digit and then decimal digits. */
export function encodeQrFragment(payload: QrPayload): string {
  const { keyNumber, claimBytes, signature } = payload;
  if (!Number.isSafeInteger(keyNumber) || keyNumber < 0 || keyNumber > MAX_KEY_NUMBER) {
    throw new EProofError("INVALID_QR", `keyNumber must be an integer from 0 to ${MAX_KEY_NUMBER}, got ${keyNumber}`);
  }
  if (signature.length !== SIGNATURE_BYTES) {
    throw new EProofError("INVALID_QR", `an ES256 signature has ${SIGNATURE_BYTES} bytes, got ${signature.length}`);
  }
  if (claimBytes.length === 0 || claimBytes.length > MAX_CLAIM_BYTES) {
    throw new EProofError("INVALID_QR", `the claim must have 1 to ${MAX_CLAIM_BYTES} bytes, got ${claimBytes.length}`);
  }
  const compressed = deflateRawSync(claimBytes, { level: 9, memLevel: 9, dictionary: CLAIM_DICTIONARY_V1 });
  const packed = concat([writeVarint(keyNumber), signature, compressed]);
  return FORMAT_DEFLATE_V1 + bytesToDigits(packed);
}

/**
 * The verify URL the QR code carries: `<BASE UPPERCASED>/VERIFY#<fragment>`. Upper case so that the
 * part before `#` fits QR's alphanumeric mode (services/adapters/qr/qr-code.ts); Express matches
 * `/verify` case-insensitively and host names are case-insensitive.
 */
export function qrUrl(publicBaseUrl: string, fragment: string): string {
  const base = publicBaseUrl.trim().replace(/\/+$/, "").toUpperCase();
  return `${base}/VERIFY#${fragment.replace(/^#/, "")}`;
}

/**
 * Decodes what a QR code (or a person) gave us: the whole verify URL (any case, any host), the
 * fragment with or without `#`, percent-encoded or not. Throws `EProofError("INVALID_QR")` for
 * anything else, and nothing but that.
 */
export function decodeQrFragment(text: string): QrPayload {
  try {
    return decode(text);
  } catch (error) {
    if (error instanceof EProofError) throw error;
    throw invalid("the QR payload is damaged or incomplete", error);
  }
}

function decode(text: unknown): QrPayload {
  if (typeof text !== "string") throw invalid("the QR text must be a string");
  if (text.length > MAX_DIGITS * 4) throw invalid("the QR text is longer than any QR code can hold");
  let fragment = text.trim();
  const hash = fragment.lastIndexOf("#");
  if (hash >= 0) fragment = fragment.slice(hash + 1);
  else if (fragment.includes("%")) {
    // A percent-encoded whole URL ("%23" for "#") or fragment.
    fragment = safeDecodeURIComponent(fragment);
    const decodedHash = fragment.lastIndexOf("#");
    if (decodedHash >= 0) fragment = fragment.slice(decodedHash + 1);
  }
  if (fragment.includes("%")) fragment = safeDecodeURIComponent(fragment);
  fragment = fragment.trim();
  if (fragment.length === 0) throw invalid("the QR text has no e-Proof payload (nothing after '#')");
  if (!/^[0-9]+$/.test(fragment)) {
    throw invalid("the e-Proof payload in a QR code is made of digits only; this text is not one");
  }
  const format = fragment[0];
  if (format !== FORMAT_DEFLATE_V1) {
    throw invalid(`unknown QR payload format ${format}; this verifier reads format ${FORMAT_DEFLATE_V1}`);
  }
  const packed = digitsToBytes(fragment.slice(1));
  const [keyNumber, afterKey] = readVarint(packed, 0);
  if (packed.length < afterKey + SIGNATURE_BYTES + 1) throw invalid("the QR payload is too short");
  const signature = packed.slice(afterKey, afterKey + SIGNATURE_BYTES);
  const compressed = packed.subarray(afterKey + SIGNATURE_BYTES);
  let claimBytes: Uint8Array;
  try {
    claimBytes = new Uint8Array(inflateRawSync(compressed, { dictionary: CLAIM_DICTIONARY_V1, maxOutputLength: MAX_CLAIM_BYTES }));
  } catch (error) {
    throw invalid("the claim in the QR code cannot be decompressed", error);
  }
  if (claimBytes.length === 0) throw invalid("the QR payload carries an empty claim");
  return { keyNumber, claimBytes, signature };
}

// ---- digits <-> bytes -------------------------------------------------------------------------

const LOG10_256 = Math.log10(256);

/**
 * The number of decimal digits of 256^n - 1, i.e. floor(n·log10 256) + 1: strictly increasing in n,
 * so it fixes n. (n·log10 256 stays far more than float error away from an integer for any n a QR
 * code can hold; a test checks this against BigInt.)
 */
export function digitsForBytes(n: number): number {
  return n === 0 ? 0 : Math.floor(n * LOG10_256) + 1;
}

function bytesToDigits(bytes: Uint8Array): string {
  if (bytes.length === 0) return "";
  const value = BigInt(`0x${Buffer.from(bytes).toString("hex")}`);
  return value.toString().padStart(digitsForBytes(bytes.length), "0");
}

function digitsToBytes(digits: string): Uint8Array {
  // Find n with digitsForBytes(n) === digits.length; about 2.41 digits per byte.
  let n = Math.floor(digits.length / 2.41);
  while (n > 0 && digitsForBytes(n) > digits.length) n--;
  while (digitsForBytes(n) < digits.length) n++;
  if (digitsForBytes(n) !== digits.length) throw invalid("the QR payload has a wrong number of digits (truncated?)");
  if (n === 0) return new Uint8Array(0);
  const value = BigInt(digits);
  if (value >> BigInt(8 * n) !== 0n) throw invalid("the QR payload digits are out of range (damaged?)");
  return Uint8Array.from(Buffer.from(value.toString(16).padStart(2 * n, "0"), "hex"));
}

// ---- small binary helpers ---------------------------------------------------------------------

function writeVarint(value: number): Uint8Array {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return Uint8Array.from(out);
}

function readVarint(bytes: Uint8Array, start: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = start; i < bytes.length && i < start + 5; i++) {
    const byte = bytes[i] as number;
    value += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) {
      if (value > MAX_KEY_NUMBER) break;
      return [value, i + 1];
    }
    scale *= 128;
  }
  throw invalid("the key number in the QR payload is malformed");
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function safeDecodeURIComponent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch (error) {
    throw invalid("the QR text has broken percent-encoding", error);
  }
}

function invalid(message: string, cause?: unknown): EProofError {
  return new EProofError("INVALID_QR", message, cause === undefined ? undefined : { cause });
}
