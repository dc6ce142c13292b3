/**
 * Selective disclosure for a holder: a copy of an e-Proof file that withholds chosen fields and still
 * verifies (the withheld fields' digests stand in for them). Pure apart from parsing; no store, no chain.
 */
import { redactDocument } from "../domain/redact.ts";
import type { EProofDocument } from "../domain/types.ts";
import { EProofError } from "../errors.ts";
import { shapeProblem } from "./verify-document.ts";

export function redactCopy(input: unknown, hide: string[]): EProofDocument {
  const problem = shapeProblem(input);
  if (problem) throw new EProofError("INVALID_DOCUMENT", problem);
  return redactDocument(input as EProofDocument, hide);
}
