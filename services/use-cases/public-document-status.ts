/**
 * The public status of one document, looked up by id: what the ledger already makes public (its
 * anchoring, its status, its successor) and the signed header's non-personal facts (type, issuing
 * department, issue date, validity window). Never the holder, the document number or any other
 * claim field: a verifier who follows a "replaced by" link learns that the successor exists and is
 * in force, not what it says; its contents are on the holder's new copy.
 *
 * The status is read from the chain (the stored file goes through the self-sufficient verifier), so
 * the answer is the ledger's, not the store's memory of it.
 */
import { type EProofDocument, isDocumentId } from "../domain/types.ts";
import type { Verdict } from "../domain/verdict.ts";
import { EProofError } from "../errors.ts";
import type { Clock, DocumentStore, Ledger, SignatureChecker } from "../ports.ts";
import { eproofFile, type TrustAnchor } from "./document-files.ts";
import { type Evidence, type StatusChange, verifyDocument } from "./verify-document.ts";

/** The document's standing on the ledger (not today's validity: that is `verdict`). */
export type LedgerStatus = "ACTIVE" | "SUSPENDED" | "REVOKED" | "SUPERSEDED" | "PENDING" | "NOT_ANCHORED" | "UNAVAILABLE";

export interface PublicDocumentStatus {
  id: string;
  type: string;
  typeVersion: number;
  /** Department code; the HTTP adapter adds its bilingual name. */
  issuer: string;
  issuedAt: string;
  validFrom?: string;
  validUntil?: string;
  status: LedgerStatus;
  /** What changed and when, when `status` is SUSPENDED, REVOKED or SUPERSEDED. */
  statusChange?: StatusChange;
  /** The newer document's id, when SUPERSEDED. */
  successor?: string;
  /** The verifier's overall verdict today (e.g. EXPIRED for an ACTIVE document past its validity). */
  verdict: Verdict;
  /** Where and when the document was anchored; null before that. */
  anchoring: Evidence | null;
}

export interface PublicStatusDeps {
  store: DocumentStore;
  ledger: Pick<Ledger, "verificationRecord">;
  signatures: SignatureChecker;
  trust: TrustAnchor;
  clock: Clock;
}

function ledgerStatusOf(verdict: Verdict, anchored: boolean, change: StatusChange | undefined): LedgerStatus {
  if (verdict === "UNAVAILABLE") return "UNAVAILABLE";
  if (verdict === "PENDING") return "PENDING";
  if (change) return change.status;
  return anchored ? "ACTIVE" : "NOT_ANCHORED";
}

const dateOf = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** Throws BAD_REQUEST for a malformed id and NOT_FOUND for an id this service never issued. */
export async function publicDocumentStatus(deps: PublicStatusDeps, id: string): Promise<PublicDocumentStatus> {
  if (!isDocumentId(id)) throw new EProofError("BAD_REQUEST", "a document id is 32 lowercase hex characters");
  const stored = await deps.store.getDocument(id);
  if (!stored) throw new EProofError("NOT_FOUND", `no document ${id} was issued by this service`);
  const file: EProofDocument = eproofFile(stored, deps.trust);
  const result = await verifyDocument(file, {
    ledger: deps.ledger,
    signatures: deps.signatures,
    trust: deps.trust,
    now: () => deps.clock.now(),
    isPending: () => stored.batch?.state !== "ANCHORED",
  });
  const { header, data } = file;
  // Built field by field from an allow-list: nothing of the claim but the validity window leaves here.
  const validFrom = dateOf(data.validFrom);
  const validUntil = dateOf(data.validUntil);
  return {
    id: header.id,
    type: header.type,
    typeVersion: header.typeVersion,
    issuer: header.issuer,
    issuedAt: header.issuedAt,
    ...(validFrom ? { validFrom } : {}),
    ...(validUntil ? { validUntil } : {}),
    status: ledgerStatusOf(result.verdict, result.evidence !== null, result.statusChange),
    ...(result.statusChange ? { statusChange: result.statusChange } : {}),
    ...(result.successor ? { successor: result.successor } : {}),
    verdict: result.verdict,
    anchoring: result.evidence,
  };
}
