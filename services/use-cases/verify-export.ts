/**
 * Verifying a credential export: an SD-JWT VC (whole, or a holder's presentation of some of its
 * disclosures, with or without a Key Binding JWT) or a VC 2.0 VC-JWT. Each is read back into the
 * e-Proof parts it carries (the disclosed fields, the digests of the withheld ones, the anchor) and
 * judged like an e-Proof file: the same six checks, verdicts and single chain read
 * (verify-document.ts's judgeOnLedger); only the signature is judged as of the export
 * (export-checks.ts). Never throws for a bad export: every outcome is a verdict.
 */

import { checkValidityWindow } from "../domain/checks.ts";
import type { PresentedExport } from "../domain/credential-export.ts";
import { getDocumentType } from "../domain/document-types.ts";
import { checkExportIntegrity, checkExportSignature } from "../domain/export-checks.ts";
import { readCompactJwt, sdHash, splitSdJwt } from "../domain/sd-jwt.ts";
import { readSdJwtVc } from "../domain/sd-jwt-vc.ts";
import type { JsonValue } from "../domain/types.ts";
import { readVcJwt } from "../domain/vc-jwt.ts";
import { invalid, valid } from "../domain/verdict.ts";
import { isEProofError } from "../errors.ts";
import type { JwsChecker } from "../ports.ts";
import { judgeOnLedger, resultOf, shapeProblem, type VerificationResult, type VerifyDeps } from "./verify-document.ts";

export interface VerifyExportDeps extends VerifyDeps {
  /** ES256 over any compact JWS (the export's and the Key Binding JWT's). */
  jws: JwsChecker;
}

const NOT_AN_EXPORT = "not checked: the input is not an e-Proof credential export";

function unreadable(reason: string): VerificationResult {
  return resultOf([invalid("integrity", "SHAPE", reason)], NOT_AN_EXPORT, null);
}

/** Verifies an SD-JWT VC or a presentation of it (`<JWT>~<disclosure>~…~[<KB-JWT>]`). */
export async function verifySdJwtVc(text: string, deps: VerifyExportDeps): Promise<VerificationResult> {
  let presented: PresentedExport & { cnf: Record<string, unknown> | null };
  let parts: ReturnType<typeof splitSdJwt>;
  try {
    parts = splitSdJwt(text);
    presented = readSdJwtVc(readCompactJwt(parts.jwt), parts.jwt, parts.disclosures);
  } catch (error) {
    if (isEProofError(error)) return unreadable(`the input is not an e-Proof SD-JWT VC: ${error.message}`);
    throw error;
  }
  const binding = parts.kbJwt === null ? null : await checkKeyBinding(parts.kbJwt, parts.presented, presented.cnf, deps);
  return verifyPresented(presented, deps, binding);
}

/** Verifies a VC 2.0 credential secured as a JWT (VC-JOSE-COSE, typ vc+jwt). */
export async function verifyVcJwt(text: string, deps: VerifyExportDeps): Promise<VerificationResult> {
  let presented: PresentedExport;
  try {
    const jwt = text.trim();
    presented = readVcJwt(readCompactJwt(jwt), jwt);
  } catch (error) {
    if (isEProofError(error)) return unreadable(`the input is not an e-Proof VC-JWT: ${error.message}`);
    throw error;
  }
  return verifyPresented(presented, deps, null);
}

/**
 * A Key Binding JWT (RFC 9901 §4.3): typ kb+jwt, signed by the key in `cnf.jwk`, over this very
 * presentation (`sd_hash`). Its audience and nonce are the relying party's to judge; this verifier
 * has issued none. Returns a reason when it fails.
 */
async function checkKeyBinding(kbJwt: string, presented: string, cnf: Record<string, unknown> | null, deps: VerifyExportDeps): Promise<string | null> {
  if (!cnf || typeof cnf.jwk !== "object" || cnf.jwk === null) return "a Key Binding JWT is given but the credential is bound to no key (no cnf.jwk)";
  let jwt: ReturnType<typeof readCompactJwt>;
  try {
    jwt = readCompactJwt(kbJwt);
  } catch {
    return "the Key Binding JWT is not a compact JWS";
  }
  if (jwt.header.typ !== "kb+jwt") return 'the Key Binding JWT\'s typ is not "kb+jwt"';
  const signed = await deps.jws.verifyCompactJws(kbJwt, cnf.jwk);
  if (!signed.ok) return `the Key Binding JWT does not verify with the holder's key: ${signed.reason}`;
  if (jwt.payload.sd_hash !== sdHash(presented)) return "the Key Binding JWT was made for another presentation (sd_hash)";
  if (!Number.isSafeInteger(jwt.payload.iat)) return "the Key Binding JWT has no iat";
  return null;
}

async function verifyPresented(presented: PresentedExport, deps: VerifyExportDeps, keyBindingProblem: string | null): Promise<VerificationResult> {
  // The same structural rules as an e-Proof file (header fields, anchor shape), on the parts the export carries.
  const problem = shapeProblem({ eproof: 1, ...presented, signature: { jws: presented.jws, jwk: presented.jwk } });
  if (problem) return unreadable(problem.replace("e-Proof document", "e-Proof credential export"));
  const { header, kid } = presented;
  const claimFields = getDocumentType(header.type).claimFields;
  const facts: Record<string, JsonValue> = {};
  for (const field of claimFields) if (Object.hasOwn(presented.data, field)) facts[field] = presented.data[field] as JsonValue;
  const keyFacts = { header: { ...header }, facts, hidden: Object.keys(presented.hidden) };
  const window = presented.window;
  const validity = checkValidityWindow(presented.data.validFrom ?? window?.validFrom, presented.data.validUntil ?? window?.validUntil, deps.now());

  const signed = await deps.jws.verifyCompactJws(presented.jws, presented.jwk);
  if (!signed.ok)
    return resultOf([invalid("signature", "BAD_SIGNATURE", signed.reason), validity], "not checked: the export's signature does not verify", keyFacts);
  const integrity = keyBindingProblem ? { check: invalid("integrity", "KEY_BINDING", keyBindingProblem) } : checkExportIntegrity(presented);
  if (integrity.check.status !== "VALID") {
    const signature = valid("signature", `export signature by ${kid} verifies; the key is not checked on chain: the export is not what its issuer signed`);
    return resultOf([integrity.check, signature, validity], "not checked: the export is not what its issuer signed", keyFacts);
  }
  return judgeOnLedger(deps, {
    header,
    anchor: presented.anchor,
    jwk: presented.jwk,
    kid,
    integrity: integrity.check,
    validity,
    facts: keyFacts,
    signatureOnLedger: (answer) => checkExportSignature(answer, kid, presented.exportedAt, Math.floor(deps.now() / 1000)),
  });
}
