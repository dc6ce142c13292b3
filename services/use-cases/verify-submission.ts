/**
 * The public verify API's use case: a document, a QR text or a PDF in, a verdict out. It wraps the
 * self-sufficient verifier (verify-document.ts) with what the service knows: documents still in the
 * outbox, or in a batch the chain has lost and the worker will anchor again, are PENDING, and a
 * holder's file saved before anchoring gets its anchor from the store.
 */
import { type Claim, decodeClaim } from "../domain/claim.ts";
import { decodeQrFragment } from "../domain/qr-payload.ts";
import { joinJws } from "../domain/signature.ts";
import { type EProofDocument, isDocumentId } from "../domain/types.ts";
import { CHECK_ORDER, type Check, invalid, overallVerdict, skipped } from "../domain/verdict.ts";
import { EProofError, isEProofError } from "../errors.ts";
import type { Clock, DepartmentPolicies, DocumentStore, JwsChecker, Ledger, PdfReader, SignatureChecker, StoredDocument } from "../ports.ts";
import { anchorOf, type TrustAnchor } from "./document-files.ts";
import { type VerificationResult, type VerifyDeps, verifyDocument } from "./verify-document.ts";
import { verifySdJwtVc, verifyVcJwt } from "./verify-export.ts";

export interface VerifySubmissionDeps {
  store: DocumentStore;
  ledger: Pick<Ledger, "verificationRecord">;
  signatures: SignatureChecker & JwsChecker;
  trust: TrustAnchor;
  clock: Clock;
  /** Public JWK of a signing key by kid ("DEMO-1"), or undefined if unknown. */
  publicKey: (kid: string) => Promise<Record<string, string> | undefined>;
  /**
   * The chain does not know the root of a batch this store believes anchored (a dev chain restarted
   * from an older state): asks the anchoring worker to reconcile now rather than at its next watch.
   */
  onAnchorMissing?: () => void;
  /** Which reason codes each department publishes (none when absent): the chain holds no reason at all. */
  policies?: Pick<DepartmentPolicies, "publishableReasonCodes">;
  /** Where the chain-free checks run (the service's verification threads); this thread when absent. */
  chainFree?: VerifyDeps["chainFree"];
}

/** A PDF submission needs a reader for the e-Proof file embedded in it (adapters/pdf). */
export interface VerifyPdfDeps extends VerifySubmissionDeps {
  pdf: PdfReader;
}

/** A verdict decided by one failed check; the checks after it were not run. */
function decidedBy(failed: Check): VerificationResult {
  const checks = CHECK_ORDER.map((name) => (name === failed.name ? failed : skipped(name, `not checked: ${failed.reason}`)));
  return { verdict: overallVerdict(checks), checks, document: null, evidence: null };
}

/** `known`: the stored document of the submitted file's id, when the caller has read it already (the QR path). */
export async function verifySubmittedDocument(deps: VerifySubmissionDeps, submitted: unknown, known?: StoredDocument): Promise<VerificationResult> {
  const result = await verifyAgainstLedger(deps, submitted, known);
  return withPublishedReason(deps, result);
}

/**
 * Adds the reason code of a revocation, suspension or supersession from the issuing department's
 * own records, only if that department marked the code publishable. The record must be of the very
 * document verified (same id, same department as the verified header).
 */
async function withPublishedReason(deps: VerifySubmissionDeps, result: VerificationResult): Promise<VerificationResult> {
  const change = result.statusChange;
  const header = result.document?.header;
  if (change?.scope !== "document" || !header || !deps.policies) return result;
  const published = await deps.policies.publishableReasonCodes(header.issuer);
  if (published.length === 0) return result;
  const stored = await deps.store.getDocument(header.id);
  if (!stored || stored.department !== header.issuer || stored.status.status !== change.status) return result;
  if (!published.includes(stored.status.reasonCode)) return result;
  return { ...result, statusChange: { ...change, reasonCode: stored.status.reasonCode } };
}

async function verifyAgainstLedger(deps: VerifySubmissionDeps, submitted: unknown, known?: StoredDocument): Promise<VerificationResult> {
  let document = submitted;
  const header = (submitted as { header?: { id?: unknown } } | null)?.header;
  const id = isDocumentId(header?.id) ? header.id : null;
  const hasAnchor = typeof submitted === "object" && submitted !== null && "anchor" in submitted;
  // The store is asked only when the file itself cannot settle anchoring: the hot path (a file
  // with its anchor) costs no database read.
  let stored: StoredDocument | null | undefined = known?.id === id ? known : undefined;
  const lookup = async () => {
    if (stored === undefined) stored = id ? await deps.store.getDocument(id) : null;
    return stored;
  };
  if (!hasAnchor && id) {
    const known = await lookup();
    const anchor = known ? anchorOf(known, deps.trust) : undefined;
    if (anchor) document = { ...(submitted as EProofDocument), anchor };
  }
  return verifyDocument(document, {
    ledger: deps.ledger,
    signatures: deps.signatures,
    trust: deps.trust,
    now: () => deps.clock.now(),
    ...(deps.chainFree ? { chainFree: deps.chainFree } : {}),
    // PENDING only for the very file this service issued and has queued: a file that merely reuses
    // a queued document's id (signed by anyone) is not pending, it is not anchored. Asked only when
    // the chain does not settle it (no anchor, or a root the chain does not know).
    isPending: async (docId) => {
      const known = await lookup();
      if (known === null || docId !== known.id) return false;
      const issued = JSON.parse(known.documentJson) as EProofDocument;
      if (issued.signature.jws !== (submitted as EProofDocument).signature?.jws) return false;
      if (known.batch?.state !== "ANCHORED") return true;
      // Anchored here, unknown on chain: the chain lost blocks, and the worker anchors this batch
      // again (same root), so the file's anchor will hold. Only for the root the store holds: a
      // file naming another root will not be made good by re-anchoring.
      if ((document as EProofDocument).anchor?.root !== known.batch.root) return false;
      deps.onAnchorMissing?.();
      return true;
    },
  });
}

/** A QR text: the signed claim must verify, and the full document it names must verify too. */
export async function verifyQrText(deps: VerifySubmissionDeps, text: string): Promise<VerificationResult> {
  const { keyNumber, claimBytes, signature } = decodeQrFragment(text);
  let claim: Claim;
  try {
    claim = decodeClaim(claimBytes);
  } catch (error) {
    if (isEProofError(error)) return decidedBy(invalid("integrity", "CLAIM", `the QR code's content is not a valid e-Proof claim: ${error.message}`));
    throw error;
  }
  const kid = `${claim.issuer}-${keyNumber}`;
  const jwk = await deps.publicKey(kid);
  if (!jwk) {
    return decidedBy(invalid("signature", "KEY_NOT_VALID", `no signing key ${kid} is known for ${claim.issuer}`));
  }
  const jws = joinJws(kid, claimBytes, signature);
  const stored = await deps.store.getDocument(claim.id);
  const full = stored ? (JSON.parse(stored.documentJson) as EProofDocument) : null;
  const qrSignatureFails = (reason: string) => decidedBy(invalid("signature", "BAD_SIGNATURE", `the QR code's signature does not verify: ${reason}`));
  // The file issued under this id carries this very JWS with this very key: verifying the file
  // checks the QR code's signature too, so the arithmetic is done once.
  if (stored && full && full.signature.jws === jws && sameKey(full.signature.jwk, jwk)) {
    const result = await verifySubmittedDocument(deps, full, stored);
    const signed = result.checks.find((check) => check.name === "signature");
    return signed?.status === "INVALID" && signed.code === "BAD_SIGNATURE" ? qrSignatureFails(signed.reason) : result;
  }
  const checked = await deps.signatures.verifyJws(jws, jwk);
  if (!checked.ok) return qrSignatureFails(checked.reason);
  if (!stored || !full) {
    return decidedBy(invalid("anchored", "NOT_ANCHORED", "this service holds no document with this id; verify the e-Proof file itself"));
  }
  if (full.signature.jws !== jws) return decidedBy(invalid("integrity", "QR_MISMATCH", "the QR code does not match the document issued under this id"));
  return verifySubmittedDocument(deps, full, stored);
}

/** The same public P-256 key (a file's embedded JWK against the key directory's). */
function sameKey(a: unknown, b: Record<string, string>): boolean {
  const key = a as Record<string, unknown> | null;
  return !!key && key.kty === b.kty && key.crv === b.crv && key.x === b.x && key.y === b.y;
}

export async function verifyPdfBytes(deps: VerifyPdfDeps, pdf: Uint8Array): Promise<VerificationResult> {
  const json = await deps.pdf.extractEProofJson(pdf);
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new EProofError("INVALID_PDF", "the PDF's embedded eproof.json is not valid JSON");
  }
  return verifySubmittedDocument(deps, parsed);
}

/**
 * A credential export: an SD-JWT VC (or a holder's presentation of it) or a VC 2.0 VC-JWT, judged
 * with the same checks and chain read as an e-Proof file (verify-export.ts), with the reason code
 * the department publishes, like any other submission.
 */
export async function verifySubmittedExport(deps: VerifySubmissionDeps, submitted: { sdJwt: string } | { vcJwt: string }): Promise<VerificationResult> {
  const exportDeps = { ledger: deps.ledger, signatures: deps.signatures, jws: deps.signatures, trust: deps.trust, now: () => deps.clock.now() };
  const result = "sdJwt" in submitted ? await verifySdJwtVc(submitted.sdJwt, exportDeps) : await verifyVcJwt(submitted.vcJwt, exportDeps);
  return withPublishedReason(deps, result);
}
