/**
 * The answer for a copy that is not complete yet: 202 Accepted with Retry-After and a problem JSON
 * in the shape of every error answer (`error.code`, a message for a person, the request id), so a
 * client never mistakes a proofless file for the document.
 */
import type { Response } from "express";

export const NOT_YET_ANCHORED = "NOT_YET_ANCHORED";

export function sendNotYetAnchored(res: Response, id: string, retryAfterSeconds: number): void {
  res
    .status(202)
    .set("Retry-After", String(retryAfterSeconds))
    .json({
      error: {
        code: NOT_YET_ANCHORED,
        message: `document ${id} is accepted but its batch is not on the ledger yet; its copy is complete (verifiable with the chain alone) once it is: try again in ${retryAfterSeconds} s`,
        requestId: String(res.locals.requestId ?? ""),
      },
      retryAfterSeconds,
    });
}
