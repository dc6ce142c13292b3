/**
 * The self-sufficient verifier: an e-Proof file, a trusted (chain id, registry) pair and any RPC
 * endpoint are enough. The service and the CLI both call this. It never throws for a bad document:
 * every outcome is a verdict. Exactly one chain read (Ledger.verificationRecord) per verification.
 */
import { canonicalJson } from "../domain/canonical-json.ts";
import { type Claim, decodeClaim, unixSeconds } from "../domain/claim.ts";
import { computeDocumentHash } from "../domain/document-hash.ts";
import { documentTypes } from "../domain/document-types.ts";
import { merkleLeaf, verifyMerkleProof } from "../domain/merkle.ts";
import { jwkThumbprint, splitJws, verifyJws } from "../domain/signature.ts";
import type { DocumentHeader, EProofDocument, Hex, JsonValue } from "../domain/types.ts";
import {
  type Check,
  checkIssuerAuthorised,
  checkKeyWindow,
  checkStatus,
  checkValidityWindow,
  errored,
  invalid,
  overallVerdict,
  skipped,
  type Verdict,
  valid,
} from "../domain/verdict.ts";
import type { VerificationRecord } from "../domain/verification-record.ts";
import { isEProofError } from "../errors.ts";
import type { Ledger } from "../ports.ts";

export interface KeyFacts {
  header: DocumentHeader;
  /** The signed key facts (holder, number, validity…). */
  facts: Record<string, JsonValue>;
  /** Names of fields the holder withheld in this copy. */
  hidden: string[];
}

export interface Evidence {
  chainId: number;
  contract: Hex;
  txHash: Hex;
  blockNumber: number;
  anchoredAt: string;
}

export interface VerificationResult {
  verdict: Verdict;
  checks: Check[];
  document: KeyFacts | null;
  evidence: Evidence | null;
  /** Id of the newer document, when SUPERSEDED. */
  successor?: string;
}

export interface VerifyDeps {
  ledger: Pick<Ledger, "verificationRecord">;
  trust: { chainId: number; registry: Hex };
  now: () => number;
  isPending?: (id: string) => boolean | Promise<boolean>;
}

const HEX32 = /^0x[0-9a-fA-F]{64}$/;

function result(checks: Check[], document: KeyFacts | null, evidence: Evidence | null, successor?: string): VerificationResult {
  return { verdict: overallVerdict(checks), checks, document, evidence, ...(successor ? { successor } : {}) };
}

function rest(from: Check[], reason: string): Check[] {
  const names = new Set(from.map((c) => c.name));
  return (["integrity", "signature", "issuerAuthorised", "anchored", "status", "validityWindow"] as const)
    .filter((n) => !names.has(n))
    .map((n) => skipped(n, reason));
}

/** The structural checks that make the rest meaningful; returns a reason when the input is not an e-Proof file. */
function shapeProblem(input: unknown): string | null {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return "the input is not an e-Proof document (a JSON object)";
  const d = input as Record<string, unknown>;
  if (d.eproof !== 1) return 'the input is not an e-Proof document (missing "eproof": 1)';
  const h = d.header as Record<string, unknown> | undefined;
  if (!h || typeof h !== "object") return "the document has no header";
  if (typeof h.id !== "string" || !/^[0-9a-f]{32}$/.test(h.id)) return "the header's id is malformed";
  if (typeof h.type !== "string" || !documentTypes.has(h.type)) return "the header names no known document type";
  if (!Number.isSafeInteger(h.typeVersion)) return "the header's typeVersion is malformed";
  if (typeof h.issuer !== "string" || !/^[A-Z0-9-]{2,31}$/.test(h.issuer)) return "the header's issuer is malformed";
  if (typeof h.issuedAt !== "string" || Number.isNaN(Date.parse(h.issuedAt))) return "the header's issuedAt is malformed";
  for (const part of ["data", "salts"] as const) {
    if (typeof d[part] !== "object" || d[part] === null || Array.isArray(d[part])) return `the document's ${part} is not an object`;
  }
  if (d.hidden !== undefined && (typeof d.hidden !== "object" || d.hidden === null || Array.isArray(d.hidden))) return "the document's hidden is not an object";
  const s = d.signature as Record<string, unknown> | undefined;
  if (!s || typeof s.jws !== "string" || typeof s.jwk !== "object" || s.jwk === null) return "the document has no signature";
  if (d.anchor !== undefined) {
    const a = d.anchor as Record<string, unknown> | null;
    if (!a || typeof a !== "object") return "the document's anchor is malformed";
    if (!Number.isSafeInteger(a.chainId) || typeof a.registry !== "string" || typeof a.root !== "string" || !HEX32.test(a.root))
      return "the document's anchor is malformed";
    // txHash and blockNumber are not checked on chain but are shown as evidence: at least their shape must hold.
    if (typeof a.txHash !== "string" || !HEX32.test(a.txHash) || !Number.isSafeInteger(a.blockNumber) || (a.blockNumber as number) < 0)
      return "the document's anchor is malformed";
    if (!Array.isArray(a.proof) || a.proof.length > 64 || !a.proof.every((p) => typeof p === "string" && HEX32.test(p)))
      return "the document's Merkle proof is malformed";
  }
  return null;
}

function sameJson(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return canonicalJson(a) === canonicalJson(b);
}

/** Integrity: field hashes, the claim agreeing with the document, and the Merkle path. */
function checkIntegrity(doc: EProofDocument): { check: Check; claim: Claim | null; hash: Hex | null } {
  let hash: Hex;
  try {
    hash = computeDocumentHash(doc);
  } catch (error) {
    return { check: invalid("integrity", "HASH", isEProofError(error) ? error.message : "the fields cannot be hashed"), claim: null, hash: null };
  }
  let claim: Claim;
  let kid: string;
  try {
    const parts = splitJws(doc.signature.jws);
    kid = parts.kid;
    claim = decodeClaim(parts.claimBytes);
  } catch {
    return { check: invalid("integrity", "CLAIM", "the signed claim cannot be read"), claim: null, hash };
  }
  const h = doc.header;
  if (claim.documentHash.toLowerCase() !== hash)
    return { check: invalid("integrity", "HASH", "the document's content does not match the hash its issuer signed"), claim, hash };
  if (
    claim.id !== h.id ||
    claim.type !== h.type ||
    claim.typeVersion !== h.typeVersion ||
    claim.issuer !== h.issuer ||
    claim.issuedAt !== unixSeconds(h.issuedAt)
  ) {
    return { check: invalid("integrity", "HEADER", "the header does not match what its issuer signed"), claim, hash };
  }
  if (!kid.startsWith(`${h.issuer}-`)) return { check: invalid("integrity", "KID", `the signing key ${kid} does not belong to ${h.issuer}`), claim, hash };
  const type = documentTypes.get(h.type);
  for (const field of type?.claimFields ?? []) {
    if (!sameJson(claim.facts[field], doc.data[field])) {
      return { check: invalid("integrity", "FACTS", `the key fact "${field}" does not match what its issuer signed`), claim, hash };
    }
  }
  if (doc.anchor && !verifyMerkleProof(merkleLeaf(hash), doc.anchor.proof, doc.anchor.root)) {
    return { check: invalid("integrity", "MERKLE", "the Merkle proof does not lead to the anchored root"), claim, hash };
  }
  return { check: valid("integrity", doc.anchor ? "field hashes, signed claim and Merkle path agree" : "field hashes and signed claim agree"), claim, hash };
}

export async function verifyDocument(input: unknown, deps: VerifyDeps): Promise<VerificationResult> {
  const problem = shapeProblem(input);
  if (problem) {
    const checks = [invalid("integrity", "SHAPE", problem)];
    return result([...checks, ...rest(checks, "not checked: the input is not an e-Proof document")], null, null);
  }
  const doc = input as EProofDocument;
  const checks: Check[] = [];
  const integrity = checkIntegrity(doc);
  checks.push(integrity.check);
  const facts: KeyFacts | null = integrity.claim ? { header: doc.header, facts: integrity.claim.facts, hidden: Object.keys(doc.hidden ?? {}) } : null;
  const validity = checkValidityWindow(doc.data.validFrom, doc.data.validUntil, deps.now());

  const signed = await verifyJws(doc.signature.jws, doc.signature.jwk);
  if (!signed.ok) {
    checks.push(invalid("signature", "BAD_SIGNATURE", signed.reason));
    return result([...checks, ...rest([...checks, validity], "not checked: the signature does not verify"), validity], facts, null);
  }
  const kid = signed.kid;

  if (!doc.anchor) {
    const pending = deps.isPending ? await deps.isPending(doc.header.id) : false;
    checks.push(valid("signature", `signature by ${kid} verifies; the key's validity is judged when the document is anchored`));
    checks.push(skipped("issuerAuthorised", "judged when the document is anchored"));
    checks.push(
      pending
        ? invalid("anchored", "PENDING", "accepted by the issuer, not yet recorded on the ledger")
        : invalid("anchored", "NOT_ANCHORED", "the document carries no anchor and is not queued for anchoring here"),
    );
    checks.push(skipped("status", "judged when the document is anchored"), validity);
    return result(checks, facts, null);
  }

  const anchor = doc.anchor;
  if (anchor.chainId !== deps.trust.chainId || anchor.registry.toLowerCase() !== deps.trust.registry.toLowerCase()) {
    checks.push(
      skipped("signature", "not checked on chain: the document names another ledger"),
      skipped("issuerAuthorised", "not checked: the document names another ledger"),
    );
    checks.push(
      invalid(
        "anchored",
        "WRONG_LEDGER",
        `the document names chain ${anchor.chainId} / registry ${anchor.registry}; this verifier trusts chain ${deps.trust.chainId} / registry ${deps.trust.registry}`,
      ),
    );
    checks.push(skipped("status", "not checked: the document names another ledger"), validity);
    return result(checks, facts, null);
  }

  let record: VerificationRecord;
  try {
    record = await deps.ledger.verificationRecord({
      root: anchor.root,
      documentId: doc.header.id,
      keyFingerprint: await jwkThumbprint(doc.signature.jwk),
    });
  } catch (error) {
    const reason = isEProofError(error, "CHAIN_UNAVAILABLE") ? "cannot reach the ledger" : "the ledger's answer could not be read";
    checks.push(errored("signature", reason), errored("issuerAuthorised", reason), errored("anchored", reason), errored("status", reason), validity);
    return result(checks, facts, null);
  }

  if (!record.batch.anchored) {
    const pending = deps.isPending ? await deps.isPending(doc.header.id) : false;
    checks.push(skipped("signature", "judged when the document is anchored"), skipped("issuerAuthorised", "judged when the document is anchored"));
    checks.push(
      pending
        ? invalid("anchored", "PENDING", "accepted by the issuer, not yet recorded on the ledger")
        : invalid("anchored", "NOT_ANCHORED", `the root ${anchor.root} is not anchored in registry ${deps.trust.registry}`),
    );
    checks.push(skipped("status", "judged when the document is anchored"), validity);
    return result(checks, facts, null);
  }

  checks.push(checkKeyWindow(record, kid), checkIssuerAuthorised(record, doc.header.issuer, doc.header.type));
  checks.push(valid("anchored", `anchored in block ${record.batch.blockNumber} at ${new Date(record.batch.anchoredAt * 1000).toISOString()}`));
  checks.push(checkStatus(record), validity);
  const evidence: Evidence = {
    chainId: deps.trust.chainId,
    contract: deps.trust.registry,
    txHash: anchor.txHash,
    blockNumber: record.batch.blockNumber,
    anchoredAt: new Date(record.batch.anchoredAt * 1000).toISOString(),
  };
  return result(checks, facts, evidence, record.document.successor ?? undefined);
}
