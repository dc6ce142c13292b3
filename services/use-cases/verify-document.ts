/**
 * The self-sufficient verifier: an e-Proof file, a trusted (chain id, registry) pair and any RPC
 * endpoint are enough. The service and the CLI both call this. It never throws for a bad document:
 * every outcome is a verdict. At most one chain read (Ledger.verificationRecord) per verification,
 * and none for a document that fails the chain-free checks (integrity, the JWS itself) or names
 * another ledger: a forged file costs no RPC call.
 */

import { z } from "zod";
import {
  checkAnchored,
  checkIntegrity,
  checkIssuerAuthorised,
  checkSignatureWindow,
  checkStatus,
  checkValidityWindow,
  isLedgerUnavailable,
  isTrustedLedger,
  type LedgerAnswer,
  type TrustedLedger,
} from "../domain/checks.ts";
import { documentTypes } from "../domain/document-types.ts";
import { type AnchorBlock, type DocumentHeader, type EProofDocument, type Hex, isDocumentId, type JsonValue, type PublicJwk } from "../domain/types.ts";
import { CHECK_ORDER, type Check, type CheckName, invalid, overallVerdict, skipped, VERDICTS, type Verdict, valid } from "../domain/verdict.ts";
import type { VerificationRecord } from "../domain/verification-record.ts";
import { isEProofError } from "../errors.ts";
import type { Ledger, SignatureChecker } from "../ports.ts";

/** The key facts a verifier shows: the signed header and claim facts, as plain JSON. */
export interface KeyFacts {
  /** The five header fields (id, type, typeVersion, issuer = department code, issuedAt). */
  header: DocumentHeader;
  /** The signed key facts (holder, number, validity…). */
  facts: Record<string, JsonValue>;
  /** Names of fields the holder withheld in this copy. */
  hidden: string[];
}

/**
 * Where the document is anchored: shown so that anyone can look it up on the chain. `root`,
 * `blockNumber` and `anchoredAt` are what the chain answered; `txHash` is the transaction the file
 * states, repeated as a pointer and NOT checked (checking it would cost a second chain read): its
 * `BatchAnchored` event must carry this `root`.
 */
export interface Evidence {
  chainId: number;
  contract: Hex;
  /** The Merkle root of the document's batch, as recorded on chain. */
  root: Hex;
  /** The anchoring transaction as stated by the file (not checked on chain). */
  txHash: Hex;
  blockNumber: number;
  /** Block time of the anchoring, ISO 8601 UTC. */
  anchoredAt: string;
  /**
   * The block whose state this answer reflects (status, key, grant): present when the read was pinned
   * to a block, as the service's verify API does; a reader at "latest" (the CLI) leaves it out.
   */
  asOfBlock?: number;
  asOfBlockHash?: string;
}

/** The result of a verification, as the verify API, the verify page and the CLI give it (plain JSON). */
export interface VerificationResult {
  verdict: Verdict;
  /** The six checks, always all of them, in CHECK_ORDER. */
  checks: Check[];
  document: KeyFacts | null;
  evidence: Evidence | null;
  /** Id of the newer document, when SUPERSEDED. */
  successor?: string;
  /** The issuing department's name, added by the service that knows it (the library verifier leaves it out). */
  issuerName?: { en: string; "zh-HK": string };
  /** When the status check failed: what changed and when (block time, for a document); a reason code only where the department publishes it. */
  statusChange?: StatusChange;
}

/**
 * A revocation, suspension or supersession as the ledger records it: the status and its time. The
 * ledger holds no reason; the issuing service adds `reasonCode` only for codes the department marked
 * publishable (e.g. surrendered by the holder), never by default.
 */
export interface StatusChange {
  status: "REVOKED" | "SUSPENDED" | "SUPERSEDED";
  /** "batch" when the whole batch was revoked or suspended. */
  scope: "document" | "batch";
  /** Block time of the change, ISO 8601 UTC (absent for a batch-wide change: the record holds no time for it). */
  changedAt?: string;
  /** Reason code (services/domain/reason-codes.ts), only where the department publishes it. */
  reasonCode?: number;
}

/**
 * The result's JSON shape as a schema, for the OpenAPI document and for clients that render it
 * (the verify page, the CLI). The TypeScript interfaces above are the same shape.
 */
/** Any JSON value: a signed fact's value. */
export const jsonValueSchema: z.ZodType<JsonValue> = z
  .lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValueSchema), z.record(z.string(), jsonValueSchema)]))
  .meta({ id: "JsonValue", description: "Any JSON value" });

export const verificationResultSchema = z
  .object({
    verdict: z.enum(VERDICTS),
    checks: z.array(
      z
        .object({
          name: z.enum(CHECK_ORDER as [CheckName, ...CheckName[]]),
          status: z.enum(["VALID", "INVALID", "SKIPPED", "ERROR"]),
          reason: z.string(),
          code: z.string().optional(),
        })
        .strict(),
    ),
    document: z
      .object({
        header: z.object({ id: z.string(), type: z.string(), typeVersion: z.number(), issuer: z.string(), issuedAt: z.string() }).strict(),
        facts: z.record(z.string(), jsonValueSchema),
        hidden: z.array(z.string()),
      })
      .strict()
      .nullable(),
    evidence: z
      .object({
        chainId: z.number(),
        contract: z.string(),
        root: z.string(),
        txHash: z.string(),
        blockNumber: z.number(),
        anchoredAt: z.string(),
        asOfBlock: z.number().optional(),
        asOfBlockHash: z.string().optional(),
      })
      .strict()
      .nullable(),
    successor: z.string().optional(),
    issuerName: z.object({ en: z.string(), "zh-HK": z.string() }).strict().optional(),
    statusChange: z
      .object({
        status: z.enum(["REVOKED", "SUSPENDED", "SUPERSEDED"]),
        scope: z.enum(["document", "batch"]),
        changedAt: z.string().optional(),
        reasonCode: z.number().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export const verificationResultJsonSchema = z.toJSONSchema(verificationResultSchema);

export interface VerifyDeps {
  ledger: Pick<Ledger, "verificationRecord">;
  /** ES256 verification and thumbprints (adapters/signing/es256.ts). */
  signatures: SignatureChecker;
  trust: TrustedLedger;
  /** Milliseconds since the epoch (the validity window is judged at this time). */
  now: () => number;
  /** Whether the issuing service has this document queued for anchoring (PENDING rather than NOT_ANCHORED). */
  isPending?: (id: string) => boolean | Promise<boolean>;
  /**
   * checkChainFree run elsewhere (the service's verification threads), given the time to judge the
   * validity window at; without it, this thread runs it with `signatures` and `now`.
   */
  chainFree?: (input: unknown, now: number) => Promise<ChainFreeVerdict>;
}

const HEX32 = /^0x[0-9a-fA-F]{64}$/;
const HEADER_FIELDS = ["id", "type", "typeVersion", "issuer", "issuedAt"];

/** Fills in the checks not run, SKIPPED with `reason`, so that every result lists all six in order. */
export function resultOf(
  ran: Check[],
  skippedBecause: string,
  document: KeyFacts | null,
  evidence: Evidence | null = null,
  successor?: string | null,
  statusChange?: StatusChange | null,
): VerificationResult {
  const checks = CHECK_ORDER.map((name) => ran.find((c) => c.name === name) ?? skipped(name, skippedBecause));
  return { verdict: overallVerdict(checks), checks, document, evidence, ...(successor ? { successor } : {}), ...(statusChange ? { statusChange } : {}) };
}

/** The status change behind a failed status check, in the same precedence as checkStatus. */
function statusChangeOf(record: VerificationRecord): StatusChange | null {
  const { document: doc, batch } = record;
  const at = doc.changedAt ? { changedAt: new Date(doc.changedAt * 1000).toISOString() } : {};
  if (doc.status === "REVOKED") return { status: "REVOKED", scope: "document", ...at };
  if (batch.status === "REVOKED") return { status: "REVOKED", scope: "batch" };
  if (doc.status === "SUPERSEDED") return { status: "SUPERSEDED", scope: "document", ...at };
  if (doc.status === "SUSPENDED") return { status: "SUSPENDED", scope: "document", ...at };
  if (batch.status === "SUSPENDED") return { status: "SUSPENDED", scope: "batch" };
  return null;
}

/** The structural checks that make the rest meaningful; returns a reason when the input is not an e-Proof file. */
export function shapeProblem(input: unknown): string | null {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return "the input is not an e-Proof document (a JSON object)";
  const d = input as Record<string, unknown>;
  if (d.eproof !== 1) return 'the input is not an e-Proof document (missing "eproof": 1)';
  const h = d.header as Record<string, unknown> | undefined;
  if (!h || typeof h !== "object" || Array.isArray(h)) return "the document has no header";
  // Every header field is hashed; one more would be shown without being signed.
  const extra = Object.keys(h).find((key) => !HEADER_FIELDS.includes(key));
  if (extra !== undefined) return `the header holds a field that is not signed: "${extra.slice(0, 40)}"`;
  if (!isDocumentId(h.id)) return "the header's id is malformed";
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

async function readLedger(deps: VerifyDeps, query: Parameters<Ledger["verificationRecord"]>[0]): Promise<LedgerAnswer> {
  try {
    return await deps.ledger.verificationRecord(query);
  } catch (error) {
    // Whatever went wrong reading the chain, the document is not thereby invalid: UNAVAILABLE.
    return { unavailable: true, reason: isEProofError(error, "CHAIN_UNAVAILABLE") ? "cannot reach the ledger" : "the ledger's answer could not be read" };
  }
}

async function askPending(deps: VerifyDeps, id: string): Promise<boolean | null> {
  if (!deps.isPending) return false;
  try {
    return (await deps.isPending(id)) === true;
  } catch {
    return null;
  }
}

export async function verifyDocument(input: unknown, deps: VerifyDeps): Promise<VerificationResult> {
  const settled = deps.chainFree ? await deps.chainFree(input, deps.now()) : await checkChainFree(input, deps);
  if ("result" in settled) return settled.result;
  const { kid } = settled.outcome;
  return judgeOnLedger(deps, { ...settled.outcome, signatureOnLedger: (answer) => checkSignatureWindow(answer, kid) });
}

/**
 * The chain-free part of verifying an e-Proof file: shape, integrity (every hash, the claim, the
 * Merkle path), the validity window and the JWS itself. Either a verdict already (the chain is never
 * asked about a document that fails these), or what the ledger checks need. Plain data both ways,
 * so that it can run on another thread (adapters/signing/verification-workers.ts).
 */
export async function checkChainFree(input: unknown, deps: Pick<VerifyDeps, "signatures" | "now">): Promise<ChainFreeVerdict> {
  const problem = shapeProblem(input);
  if (problem) return { result: resultOf([invalid("integrity", "SHAPE", problem)], "not checked: the input is not an e-Proof document", null) };
  const doc = input as EProofDocument;
  const integrity = checkIntegrity(doc);
  const { id, type, typeVersion, issuer, issuedAt } = doc.header;
  const facts: KeyFacts | null = integrity.claim
    ? { header: { id, type, typeVersion, issuer, issuedAt }, facts: integrity.claim.facts, hidden: Object.keys(doc.hidden ?? {}) }
    : null;
  const validity = checkValidityWindow(doc.data.validFrom, doc.data.validUntil, deps.now());

  const signed = await deps.signatures.verifyJws(doc.signature.jws, doc.signature.jwk);
  if (!signed.ok) {
    const checks = [integrity.check, invalid("signature", "BAD_SIGNATURE", signed.reason), validity];
    return { result: resultOf(checks, "not checked: the signature does not verify", facts) };
  }
  const kid = signed.kid;
  if (integrity.check.status !== "VALID") {
    const signature = valid("signature", `signature by ${kid} verifies; the key is not checked on chain: the document is not what its issuer signed`);
    return { result: resultOf([integrity.check, signature, validity], "not checked: the document is not what its issuer signed", facts) };
  }
  return { outcome: { header: doc.header, anchor: doc.anchor, jwk: doc.signature.jwk, kid, integrity: integrity.check, validity, facts } };
}

/** What checkChainFree settled: a verdict, or the facts the ledger checks go on from. */
export type ChainFreeVerdict = { result: VerificationResult } | { outcome: Omit<ChainFreeOutcome, "signatureOnLedger"> };

/**
 * What a verification has settled without the chain, for the chain checks to finish: an e-Proof file
 * (above) or a credential export (verify-export.ts). The ledger part is the same for both; only the
 * signature check differs (as of issuance for the file's claim, as of the export for an export).
 */
export interface ChainFreeOutcome {
  header: DocumentHeader;
  anchor: AnchorBlock | undefined;
  /** The key that signed what was presented: its thumbprint is looked up on chain. */
  jwk: PublicJwk;
  kid: string;
  /** VALID: a failed integrity check ends the verification before the chain is asked. */
  integrity: Check;
  validity: Check;
  facts: KeyFacts | null;
  /** The signature check once the ledger has answered. */
  signatureOnLedger: (answer: LedgerAnswer) => Check;
}

/** The anchored, issuer, status and signature checks: at most one chain read, none for another ledger. */
export async function judgeOnLedger(deps: VerifyDeps, outcome: ChainFreeOutcome): Promise<VerificationResult> {
  const { anchor, kid, facts, validity } = outcome;
  const { id, type, issuer } = outcome.header;
  if (!anchor || !isTrustedLedger(anchor, deps.trust)) {
    const pending = anchor ? false : await askPending(deps, id);
    const anchored = checkAnchored({ anchor, trust: deps.trust, answer: null, pending });
    const signature = anchor
      ? skipped("signature", `signature by ${kid} verifies; the key is not checked on chain: the document names another ledger`)
      : valid("signature", `signature by ${kid} verifies; the key's validity is judged when the document is anchored`);
    return resultOf(
      [outcome.integrity, signature, anchored, validity],
      anchor ? "not checked: the document names another ledger" : "judged when the document is anchored",
      facts,
    );
  }

  // The record of the batch the document's OWN issuer anchored: a root someone else anchored too is irrelevant.
  const answer = await readLedger(deps, {
    registry: anchor.registry,
    department: issuer,
    root: anchor.root,
    documentId: id,
    keyFingerprint: await deps.signatures.thumbprint(outcome.jwk),
  });
  const unanchored = !isLedgerUnavailable(answer) && !answer.batch.anchored;
  const anchored = checkAnchored({ anchor, trust: deps.trust, answer, pending: unanchored ? await askPending(deps, id) : false });
  const checks = [outcome.integrity, outcome.signatureOnLedger(answer), checkIssuerAuthorised(answer, issuer, type), anchored, checkStatus(answer), validity];
  if (isLedgerUnavailable(answer) || !answer.batch.anchored) return resultOf(checks, "", facts);
  const evidence: Evidence = {
    chainId: deps.trust.chainId,
    contract: anchor.registry,
    root: anchor.root,
    txHash: anchor.txHash,
    blockNumber: answer.batch.blockNumber,
    anchoredAt: new Date(answer.batch.anchoredAt * 1000).toISOString(),
    ...(answer.readAt ? { asOfBlock: answer.readAt.blockNumber, asOfBlockHash: answer.readAt.blockHash } : {}),
  };
  return resultOf(checks, "", facts, evidence, answer.document.successor, statusChangeOf(answer));
}
