/**
 * The two status list formats of issue 15, built from the entries that are not VALID:
 * - the Token Status List (draft-ietf-oauth-status-list): 2 bits per entry, the least significant
 *   bits of byte 0 first, zlib DEFLATE (RFC 1950), base64url; 0 VALID, 1 INVALID, 2 SUSPENDED;
 * - the Bitstring Status List (W3C Recommendation, May 2025): one bit per entry and purpose, the most
 *   significant bit of byte 0 first ("left-most bit"), GZIP, multibase base64url (prefix "u").
 * A SUPERSEDED document is INVALID in the Token Status List and set in the revocation bitstring:
 * the ledger says it no longer stands (its successor does), which is what a holder's wallet must show.
 */
import { deflateSync, gunzipSync, gzipSync, inflateSync } from "node:zlib";
import type { OnChainStatus } from "./verification-record.ts";

export type TokenStatus = 0 | 1 | 2;
export const TOKEN_STATUS = { VALID: 0, INVALID: 1, SUSPENDED: 2 } as const;
export type StatusPurpose = "revocation" | "suspension";
export const STATUS_PURPOSES: readonly StatusPurpose[] = ["revocation", "suspension"];

/** A ledger status as a Token Status List value. */
export function tokenStatusOf(status: OnChainStatus): TokenStatus {
  if (status === "REVOKED" || status === "SUPERSEDED") return TOKEN_STATUS.INVALID;
  if (status === "SUSPENDED") return TOKEN_STATUS.SUSPENDED;
  return TOKEN_STATUS.VALID;
}

/** Whether a ledger status sets the bit of `purpose` in a Bitstring Status List. */
export function bitstringSet(status: OnChainStatus, purpose: StatusPurpose): boolean {
  return purpose === "revocation" ? status === "REVOKED" || status === "SUPERSEDED" : status === "SUSPENDED";
}

export interface StatusMark {
  index: number;
  status: OnChainStatus;
}

/** `status_list.lst` of a Token Status List of `size` entries, 2 bits each. */
export function encodeTokenStatusList(marks: readonly StatusMark[], size: number): string {
  const bytes = new Uint8Array(Math.ceil((size * 2) / 8));
  for (const { index, status } of marks) {
    const value = tokenStatusOf(status);
    if (value === 0) continue;
    const bit = index * 2;
    bytes[bit >> 3] = (bytes[bit >> 3] as number) | (value << (bit & 7));
  }
  return Buffer.from(deflateSync(bytes, { level: 9 })).toString("base64url");
}

/** `encodedList` of a Bitstring Status List of `size` bits for one purpose. */
export function encodeBitstringStatusList(marks: readonly StatusMark[], size: number, purpose: StatusPurpose): string {
  const bytes = new Uint8Array(Math.ceil(size / 8));
  for (const { index, status } of marks) {
    if (bitstringSet(status, purpose)) bytes[index >> 3] = (bytes[index >> 3] as number) | (0x80 >> (index & 7));
  }
  return `u${Buffer.from(gzipSync(bytes, { level: 9 })).toString("base64url")}`;
}

/** The status at `index` of a Token Status List's `status_list` ({bits, lst}); RangeError when it is not one or the index is beyond it. */
export function tokenStatusAt(statusList: unknown, index: number): number {
  const { bits, lst } = (statusList ?? {}) as { bits?: unknown; lst?: unknown };
  if (![1, 2, 4, 8].includes(bits as number) || typeof lst !== "string") throw new RangeError("not a Token Status List (status_list {bits, lst})");
  const bytes = inflateSync(Buffer.from(lst, "base64url"));
  const bit = index * (bits as number);
  if (!Number.isSafeInteger(index) || index < 0 || bit >> 3 >= bytes.length) throw new RangeError(`index ${index} is beyond the list`);
  return ((bytes[bit >> 3] as number) >> (bit & 7)) & ((1 << (bits as number)) - 1);
}

/** Whether bit `index` of a Bitstring Status List's `encodedList` is set; RangeError when it is not one or the index is beyond it. */
export function bitstringBitAt(encodedList: unknown, index: number): boolean {
  if (typeof encodedList !== "string" || !encodedList.startsWith("u")) throw new RangeError("not a Bitstring Status List (encodedList: multibase base64url)");
  const bytes = gunzipSync(Buffer.from(encodedList.slice(1), "base64url"));
  if (!Number.isSafeInteger(index) || index < 0 || index >> 3 >= bytes.length) throw new RangeError(`index ${index} is beyond the list`);
  return (((bytes[index >> 3] as number) >> (7 - (index & 7))) & 1) === 1;
}

/** The payload of a Token Status List JWT (typ statuslist+jwt). Times in seconds. */
export function tokenStatusListPayload(input: { uri: string; issuer: string; iat: number; exp: number; ttl: number; lst: string }) {
  return { sub: input.uri, iss: input.issuer, iat: input.iat, exp: input.exp, ttl: input.ttl, status_list: { bits: 2, lst: input.lst } };
}

/** A BitstringStatusListCredential (VC Data Model 2.0), to be secured as a VC-JOSE-COSE `vc+jwt`. Times in seconds. */
export function bitstringStatusListCredential(input: {
  uri: string;
  issuer: string;
  validFrom: number;
  validUntil: number;
  ttlMs: number;
  purpose: StatusPurpose;
  encodedList: string;
}) {
  return {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    id: input.uri,
    type: ["VerifiableCredential", "BitstringStatusListCredential"],
    issuer: input.issuer,
    validFrom: new Date(input.validFrom * 1000).toISOString().replace(".000Z", "Z"),
    validUntil: new Date(input.validUntil * 1000).toISOString().replace(".000Z", "Z"),
    credentialSubject: {
      id: `${input.uri}#list`,
      type: "BitstringStatusList",
      statusPurpose: input.purpose,
      encodedList: input.encodedList,
      ttl: input.ttlMs,
    },
  };
}
