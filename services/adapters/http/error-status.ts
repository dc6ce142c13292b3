/** The one table from error code to HTTP status, and the error responder that uses it. */
import type { ErrorRequestHandler } from "express";
import { EProofError, type EProofErrorCode } from "../../errors.ts";
import type { Logger } from "../../logger.ts";

export const HTTP_STATUS: Record<EProofErrorCode, number> = {
  BAD_REQUEST: 400,
  MALFORMED_JSON: 400,
  INVALID_QR: 400,
  INVALID_PDF: 400,
  INVALID_CLAIM: 400,
  UNAUTHORISED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  UNKNOWN_TYPE: 404,
  INVALID_STATUS_CHANGE: 409,
  DUPLICATE_REQUEST: 409,
  PAYLOAD_TOO_LARGE: 413,
  INVALID_DOCUMENT: 422,
  SIGNATURE_INVALID: 422,
  CHAIN_REJECTED: 409,
  RATE_LIMITED: 429,
  NOT_IMPLEMENTED: 501,
  TIMEOUT: 503,
  CHAIN_UNAVAILABLE: 503,
  CONFIG_INVALID: 500,
  INTERNAL: 500,
};

/** Express/body-parser errors that are the caller's doing, translated into ours. */
function fromFramework(error: unknown): EProofError | null {
  const e = error as { type?: string; status?: number; message?: string } | null;
  if (!e || typeof e !== "object") return null;
  if (e.type === "entity.parse.failed") return new EProofError("MALFORMED_JSON", "the request body is not valid JSON");
  if (e.type === "entity.too.large") return new EProofError("PAYLOAD_TOO_LARGE", "the request body is larger than this service accepts");
  if (e.type === "encoding.unsupported" || e.type === "charset.unsupported") {
    return new EProofError("BAD_REQUEST", "unsupported request encoding; send UTF-8");
  }
  if (typeof e.status === "number" && e.status >= 400 && e.status < 500) {
    return new EProofError("BAD_REQUEST", e.message ?? "bad request");
  }
  return null;
}

export function errorResponder(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const requestId = String(res.locals.requestId ?? "");
    const known = error instanceof EProofError ? error : fromFramework(error);
    if (known) {
      const status = HTTP_STATUS[known.code];
      if (status >= 500) logger.error({ event: "http.error", requestId, code: known.code, err: known }, known.message);
      res.status(status).json({
        error: {
          code: known.code,
          message: status >= 500 && status !== 503 ? "internal error" : known.message,
          requestId,
          ...(known.problems ? { problems: known.problems } : {}),
        },
      });
      return;
    }
    logger.error({ event: "http.unhandled", requestId, method: req.method, path: req.path, err: error }, "unhandled error");
    res.status(500).json({ error: { code: "INTERNAL", message: `internal error; quote request id ${requestId}`, requestId } });
  };
}
