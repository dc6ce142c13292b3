/**
 * One error base for e-Proof. `code` is stable and machine-readable; the HTTP adapter maps it to a
 * status in one table (services/adapters/http/error-status.ts). The message is for a person: what went wrong
 * and what to do.
 */
export type EProofErrorCode =
  | "BAD_REQUEST"
  | "MALFORMED_JSON"
  | "PAYLOAD_TOO_LARGE"
  | "UNAUTHORISED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "UNKNOWN_TYPE"
  | "INVALID_DOCUMENT"
  | "INVALID_CLAIM"
  | "INVALID_QR"
  | "INVALID_PDF"
  | "INVALID_STATUS_CHANGE"
  | "DUPLICATE_REQUEST"
  | "SIGNATURE_INVALID"
  | "CHAIN_UNAVAILABLE"
  | "CHAIN_REJECTED"
  | "CONFIG_INVALID"
  | "NOT_IMPLEMENTED"
  | "RATE_LIMITED"
  | "TIMEOUT"
  | "INTERNAL";

export interface Problem {
  /** JSON path of the offending field, e.g. "holder.name.en" ("" for the whole document). */
  path: string;
  message: string;
}

export class EProofError extends Error {
  readonly code: EProofErrorCode;
  readonly problems: Problem[] | undefined;

  constructor(code: EProofErrorCode, message: string, options?: { problems?: Problem[]; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "EProofError";
    this.code = code;
    this.problems = options?.problems;
  }
}

export function isEProofError(error: unknown, code?: EProofErrorCode): error is EProofError {
  return error instanceof EProofError && (code === undefined || error.code === code);
}
