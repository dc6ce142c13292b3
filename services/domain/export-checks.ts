/**
 * The checks that differ for a credential export (SD-JWT VC, VC-JWT) from an e-Proof file: integrity
 * rebuilds the document hash from the disclosed fields and the digests of the withheld ones, and the
 * export's signature is judged as of the export (its `iat`), since an export may be made long after
 * issuance with the department's key of that day. Every other check is checks.ts's, unchanged.
 * docs/standards.md, "The export's signature".
 */

import { isLedgerUnavailable, type LedgerAnswer } from "./checks.ts";
import { hongKongCalendarDate, type PresentedExport } from "./credential-export.ts";
import { departmentOfIssuerUrl } from "./credential-locations.ts";
import { computeDocumentHash } from "./document-hash.ts";
import { merkleLeaf, verifyMerkleProof } from "./merkle.ts";
import type { Hex } from "./types.ts";
import { type Check, errored, invalid, skipped, valid } from "./verdict.ts";

/** How far in the future an export's iat may lie (clock skew between the issuer and the verifier). */
export const EXPORT_CLOCK_SKEW_SECONDS = 300;

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

function isError(error: unknown): error is { message: string } {
  return typeof error === "object" && error !== null && typeof (error as { message?: unknown }).message === "string";
}

/**
 * Integrity of an export, without the chain: the disclosed fields (with their e-Proof salts) and the
 * digests of the withheld ones give the document hash the export states, the export names the
 * header's department as issuer and signs with one of its keys, and the Merkle path leads from the
 * document hash to the root it names.
 */
export function checkExportIntegrity(presented: PresentedExport): { check: Check; documentHash: Hex | null } {
  const unsigned = presented.unsignedDisclosures ?? [];
  if (unsigned.length > 0) {
    const names = unsigned.map((name) => `"${name.slice(0, 40)}"`).join(", ");
    return { check: invalid("integrity", "DISCLOSURE", `the disclosure of ${names} is not one its issuer signed`), documentHash: null };
  }
  let documentHash: Hex;
  try {
    documentHash = computeDocumentHash(presented);
  } catch (error) {
    return {
      check: invalid("integrity", "HASH", isError(error) && !(error instanceof RangeError) ? error.message : "the fields cannot be hashed"),
      documentHash: null,
    };
  }
  const fail = (code: string, reason: string) => ({ check: invalid("integrity", code, reason), documentHash });
  if (presented.documentHash.toLowerCase() !== documentHash) {
    return fail("HASH", "the disclosed fields and the withheld fields' digests do not give the document hash the export states");
  }
  const issuer = presented.header.issuer;
  if (departmentOfIssuerUrl(presented.issuerUrl) !== issuer) return fail("HEADER", `the export's issuer ${presented.issuerUrl.slice(0, 100)} is not ${issuer}`);
  const kid = presented.kid;
  if (!kid.startsWith(`${issuer}-`) || !/^[1-9]\d{0,8}$/.test(kid.slice(issuer.length + 1)))
    return fail("KID", `the signing key ${kid.slice(0, 40)} is not a key of ${issuer}`);
  const anchor = presented.anchor;
  if (anchor && !verifyMerkleProof(merkleLeaf(documentHash), anchor.proof, anchor.root))
    return fail("MERKLE", "the Merkle proof does not lead to the anchored root");
  return { check: valid("integrity", "disclosed fields, withheld fields' digests, document hash and Merkle path agree"), documentHash };
}

/**
 * The export's signature, as of the export: its key (by thumbprint) must be registered on chain for
 * the department, valid at the export's `iat` (validFrom <= iat, iat < validUntil when retired),
 * never reported compromised (an export carries no trusted time: whoever holds a compromised key
 * can date an export before the compromise, so every export under that key stops counting; the
 * holder asks for a new one), and `iat` not in the future. The document itself is judged on the
 * ledger by the other checks, as for an e-Proof file.
 */
export function checkExportSignature(answer: LedgerAnswer, kid: string, exportedAt: number, nowSeconds: number): Check {
  if (isLedgerUnavailable(answer)) return errored("signature", answer.reason);
  if (!answer.batch.anchored) return skipped("signature", `export signature by ${kid} verifies; the key is judged once the document is anchored`);
  const key = answer.key;
  const department = answer.batch.department;
  if (!key.registered) return invalid("signature", "KEY_NOT_VALID", `signing key ${kid} is not registered on chain for ${department}`);
  if (exportedAt > nowSeconds + EXPORT_CLOCK_SKEW_SECONDS)
    return invalid("signature", "KEY_NOT_VALID", `the export is dated in the future (${iso(exportedAt)})`);
  if (key.compromisedAt !== 0) {
    return invalid(
      "signature",
      "KEY_NOT_VALID",
      `signing key ${kid} was reported compromised (as of ${iso(key.compromisedAt)}): its exports no longer count; ask the issuer for a new export`,
    );
  }
  if (exportedAt < key.validFrom)
    return invalid("signature", "KEY_NOT_VALID", `signing key ${kid} was not yet valid when the export is dated (${iso(exportedAt)})`);
  if (key.validUntil !== 0 && exportedAt >= key.validUntil) {
    return invalid(
      "signature",
      "KEY_NOT_VALID",
      `signing key ${kid} had been retired (${iso(key.validUntil)}) before the export is dated (${iso(exportedAt)})`,
    );
  }
  return valid(
    "signature",
    `exported on ${hongKongCalendarDate(exportedAt)} with ${kid}, valid for ${department} then; the document was anchored by ${department}`,
  );
}
