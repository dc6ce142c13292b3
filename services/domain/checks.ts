/**
 * The six checks of a verification (docs/design.md, "Verdict"), each a small pure function of plain
 * data: the document, what the ledger answered (or why it could not), the trusted ledger and the
 * time. verify-document.ts runs them in order; overallVerdict (verdict.ts) names the first failure.
 */
import { canonicalJson } from "./canonical-json.ts";
import { type Claim, decodeClaim, unixSeconds } from "./claim.ts";
import { computeDocumentHash } from "./document-hash.ts";
import { documentTypes } from "./document-types.ts";
import { hongKongDate } from "./hong-kong-date.ts";
import { merkleLeaf, verifyMerkleProof } from "./merkle.ts";
import { splitJws } from "./signature.ts";
import { type TrustList, trustedRegistryOf, withinPeriod } from "./trust-list.ts";
import type { AnchorBlock, EProofDocument, Hex, JsonValue } from "./types.ts";
import { type Check, errored, invalid, skipped, valid } from "./verdict.ts";
import type { VerificationRecord } from "./verification-record.ts";

/**
 * The ledger a verifier pins (GET /.well-known/eproof.json): its chain and trusted registries. A
 * document naming another chain or registry, or anchored outside its registry's period, is never VALID.
 */
export type TrustedLedger = TrustList;

/** The ledger could not be read: the chain checks are ERROR, never INVALID. */
export interface LedgerUnavailable {
  unavailable: true;
  reason: string;
}

/** What one `Ledger.verificationRecord` call gave: the record, or why there is none. */
export type LedgerAnswer = VerificationRecord | LedgerUnavailable;

export function isLedgerUnavailable(answer: LedgerAnswer): answer is LedgerUnavailable {
  return "unavailable" in answer;
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

function isError(error: unknown): error is { message: string } {
  return typeof error === "object" && error !== null && typeof (error as { message?: unknown }).message === "string";
}

export interface IntegrityResult {
  check: Check;
  /** The signed claim, when it could be read (its facts are what a verifier shows). */
  claim: Claim | null;
  /** The kid of the JWS header, when it could be read. */
  kid: string | null;
  /** The hash of the document as presented, when it could be computed. */
  documentHash: Hex | null;
}

/**
 * Integrity, all without the chain: the field hashes give the document hash, the signed claim
 * agrees with the header, the hash and the key facts, the signing key id belongs to the issuer, and
 * the Merkle path leads from the document to the root it names. (Whether the JWS verifies is the
 * signature check.)
 */
export function checkIntegrity(doc: EProofDocument): IntegrityResult {
  let documentHash: Hex;
  try {
    documentHash = computeDocumentHash(doc);
  } catch (error) {
    const reason = isError(error) && !(error instanceof RangeError) ? error.message : "the fields cannot be hashed";
    return { check: invalid("integrity", "HASH", reason), claim: null, kid: null, documentHash: null };
  }
  let claim: Claim;
  let kid: string;
  try {
    const parts = splitJws(doc.signature.jws);
    kid = parts.kid;
    claim = decodeClaim(parts.claimBytes);
  } catch (error) {
    const reason = `the signed claim cannot be read${isError(error) ? `: ${error.message}` : ""}`;
    return { check: invalid("integrity", "CLAIM", reason), claim: null, kid: null, documentHash };
  }
  const fail = (code: string, reason: string): IntegrityResult => ({ check: invalid("integrity", code, reason), claim, kid, documentHash });
  const h = doc.header;
  if (claim.documentHash.toLowerCase() !== documentHash) return fail("HASH", "the document's content does not match the hash its issuer signed");
  if (
    claim.id !== h.id ||
    claim.type !== h.type ||
    claim.typeVersion !== h.typeVersion ||
    claim.issuer !== h.issuer ||
    claim.issuedAt !== unixSeconds(h.issuedAt)
  ) {
    return fail("HEADER", "the header does not match what its issuer signed");
  }
  // "<DEPT>-<n>" exactly: department codes may hold "-", so DEMO-X-1 is not a DEMO key.
  if (!kid.startsWith(`${h.issuer}-`) || !/^[1-9]\d{0,8}$/.test(kid.slice(h.issuer.length + 1))) {
    return fail("KID", `the signing key ${kid} is not a key of ${h.issuer}`);
  }
  for (const field of documentTypes.get(h.type)?.claimFields ?? []) {
    if (!sameJson(claim.facts[field], Object.hasOwn(doc.data, field) ? doc.data[field] : undefined)) {
      return fail("FACTS", `the key fact "${field}" does not match what its issuer signed`);
    }
  }
  if (doc.anchor && !verifyMerkleProof(merkleLeaf(documentHash), doc.anchor.proof, doc.anchor.root)) {
    return fail("MERKLE", "the Merkle proof does not lead to the anchored root");
  }
  return {
    check: valid("integrity", doc.anchor ? "field hashes, signed claim and Merkle path agree" : "field hashes and signed claim agree"),
    claim,
    kid,
    documentHash,
  };
}

function sameJson(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return canonicalJson(a) === canonicalJson(b);
}

/**
 * Signature as of issuance: the key (by thumbprint) must be registered for the department before the
 * batch (in an earlier block: block times repeat within a block, and on some chains across the blocks
 * of one second) and valid at the batch's block time t: validFrom <= t, t < validUntil (0 = open),
 * t < compromisedAt (0 = never). A key retired or reported compromised only after t leaves the
 * document VALID.
 */
export function checkSignatureWindow(answer: LedgerAnswer, kid: string): Check {
  if (isLedgerUnavailable(answer)) return errored("signature", answer.reason);
  if (!answer.batch.anchored) return skipped("signature", `signature by ${kid} verifies; the key's validity is judged when the document is anchored`);
  const at = answer.batch.anchoredAt;
  const key = answer.key;
  const department = answer.batch.department;
  if (!key.registered) return invalid("signature", "KEY_NOT_VALID", `signing key ${kid} is not registered on chain for ${department}`);
  if (answer.batch.blockNumber <= key.registeredBlock) {
    return invalid(
      "signature",
      "KEY_NOT_VALID",
      `the batch was anchored in block ${answer.batch.blockNumber}, not after the registration of signing key ${kid} (block ${key.registeredBlock})`,
    );
  }
  if (at < key.validFrom) return invalid("signature", "KEY_NOT_VALID", `signing key ${kid} was not yet valid when the batch was anchored (${iso(at)})`);
  if (key.validUntil !== 0 && at >= key.validUntil) {
    return invalid("signature", "KEY_NOT_VALID", `signing key ${kid} had been retired (${iso(key.validUntil)}) before the batch was anchored (${iso(at)})`);
  }
  if (key.compromisedAt !== 0 && at >= key.compromisedAt) {
    return invalid(
      "signature",
      "KEY_NOT_VALID",
      `signing key ${kid} was reported compromised as of ${iso(key.compromisedAt)}, before the batch was anchored (${iso(at)})`,
    );
  }
  return valid("signature", `signed with ${kid}, valid for ${department} when the batch was anchored (${iso(at)})`);
}

/**
 * The batch was anchored by the document's issuer, for the document's type, while the issuer held a
 * grant for that type. A department suspended later is not a failure: suspension stops new issuance,
 * it does not retract what was validly issued.
 */
export function checkIssuerAuthorised(answer: LedgerAnswer, issuer: string, type: string): Check {
  if (isLedgerUnavailable(answer)) return errored("issuerAuthorised", answer.reason);
  if (!answer.batch.anchored) return skipped("issuerAuthorised", "judged when the document is anchored");
  const at = answer.batch.anchoredAt;
  if (answer.batch.department !== issuer) {
    return invalid(
      "issuerAuthorised",
      "WRONG_DEPARTMENT",
      `the batch was anchored for ${answer.batch.department || "nobody"}, not for the document's issuer ${issuer}`,
    );
  }
  if (answer.batch.docType !== type) {
    return invalid("issuerAuthorised", "WRONG_TYPE", `the batch was anchored for ${answer.batch.docType} documents, not ${type}`);
  }
  if (!answer.department.registered) return invalid("issuerAuthorised", "UNKNOWN_DEPARTMENT", `${issuer} is not a registered department`);
  const grant = answer.typeGrant;
  if (grant.grantedAt === 0 || at < grant.grantedAt || (grant.withdrawnAt !== 0 && at >= grant.withdrawnAt)) {
    return invalid("issuerAuthorised", "TYPE_NOT_GRANTED", `${issuer} was not authorised to issue ${type} documents when the batch was anchored`);
  }
  return valid("issuerAuthorised", `${issuer} was authorised to issue ${type} documents at issuance`);
}

export function isTrustedLedger(anchor: AnchorBlock, trust: TrustedLedger): boolean {
  return anchor.chainId === trust.chainId && typeof anchor.registry === "string" && trustedRegistryOf(trust, anchor.registry) !== null;
}

/**
 * Anchored on the trusted ledger. `answer` is null when the ledger was not asked (no anchor, or
 * another ledger); `pending` says whether the issuing service has the document queued (null: it
 * could not tell).
 */
export function checkAnchored(input: { anchor: AnchorBlock | undefined; trust: TrustedLedger; answer: LedgerAnswer | null; pending: boolean | null }): Check {
  const { anchor, trust, answer, pending } = input;
  const notYet = (reason: string): Check => {
    if (pending === null) return errored("anchored", "cannot tell whether the issuer has queued the document for anchoring");
    return pending ? invalid("anchored", "PENDING", "accepted by the issuer, not yet recorded on the ledger") : invalid("anchored", "NOT_ANCHORED", reason);
  };
  if (!anchor) return notYet("the document carries no anchor and is not queued for anchoring here");
  const period = isTrustedLedger(anchor, trust) ? trustedRegistryOf(trust, anchor.registry) : null;
  if (period === null) {
    const trusted = (trust.registries ?? [{ registry: trust.registry }]).map((r) => r.registry).join(", ");
    return invalid(
      "anchored",
      "WRONG_LEDGER",
      `the document names chain ${anchor.chainId} / registry ${anchor.registry}; this verifier trusts chain ${trust.chainId} / registry ${trusted}`,
    );
  }
  if (answer === null) return skipped("anchored", "the ledger was not asked");
  if (isLedgerUnavailable(answer)) return errored("anchored", answer.reason);
  if (!answer.batch.anchored)
    return notYet(`the root ${anchor.root} is not anchored for ${answer.batch.department || "its issuer"} in registry ${anchor.registry}`);
  if (!withinPeriod(period, answer.batch.anchoredAt)) {
    return invalid(
      "anchored",
      "OUTSIDE_TRUST_PERIOD",
      `anchored in registry ${anchor.registry} at ${iso(answer.batch.anchoredAt)}, outside the period in which it is trusted (${period.from ?? "its deployment"} to ${period.until ?? "now"})`,
    );
  }
  return valid("anchored", `anchored in block ${answer.batch.blockNumber} at ${iso(answer.batch.anchoredAt)}`);
}

/**
 * Status on chain: a revocation (document or batch) outweighs a supersession, which outweighs a
 * suspension. The chain says when, never why (a reason about a person is not the ledger's to publish).
 */
export function checkStatus(answer: LedgerAnswer): Check {
  if (isLedgerUnavailable(answer)) return errored("status", answer.reason);
  if (!answer.batch.anchored) return skipped("status", "judged when the document is anchored");
  const doc = answer.document;
  const batch = answer.batch;
  const when = doc.changedAt ? ` on ${iso(doc.changedAt)}` : "";
  if (doc.status === "REVOKED") return invalid("status", "REVOKED", `revoked${when}`);
  if (batch.status === "REVOKED") return invalid("status", "REVOKED", "its whole batch was revoked");
  if (doc.status === "SUPERSEDED") return invalid("status", "SUPERSEDED", `replaced by a newer document${doc.successor ? ` (${doc.successor})` : ""}${when}`);
  if (doc.status === "SUSPENDED") return invalid("status", "SUSPENDED", `suspended${when}`);
  if (batch.status === "SUSPENDED") return invalid("status", "SUSPENDED", "its whole batch is suspended");
  return valid("status", "not revoked, suspended or superseded");
}

/**
 * Validity period as Hong Kong calendar dates (UTC+8, no daylight saving): valid from 00:00 of
 * validFrom to 24:00 of validUntil, Hong Kong time.
 */
export function checkValidityWindow(validFrom: unknown, validUntil: unknown, nowMs: number): Check {
  if (typeof validFrom !== "string" || typeof validUntil !== "string") return skipped("validityWindow", "the document states no validity period");
  const today = hongKongDate(new Date(nowMs));
  if (today < validFrom) return invalid("validityWindow", "NOT_YET_VALID", `not valid until ${validFrom}`);
  if (today > validUntil) return invalid("validityWindow", "EXPIRED", `expired on ${validUntil}`);
  return valid("validityWindow", `valid from ${validFrom} to ${validUntil}`);
}
