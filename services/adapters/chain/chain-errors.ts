/**
 * Maps what ethers (or a JSON-RPC node) throws to EProofError: a revert becomes CHAIN_REJECTED naming
 * the contract's custom error; anything that means "the chain could not be reached or did not answer"
 * becomes CHAIN_UNAVAILABLE, so a verifier reports UNAVAILABLE and never an invalid verdict.
 */
import { isError } from "ethers";
import { EProofError, isEProofError } from "../../errors.ts";
import { contractErrorsInterface } from "./contract-artifacts.ts";

/** Finds revert data (0x + 4-byte selector + args) anywhere in an ethers / provider error. */
export function revertDataOf(error: unknown, seen = new Set<unknown>()): string | undefined {
  if (typeof error !== "object" || error === null || seen.has(error)) return undefined;
  seen.add(error);
  const record = error as Record<string, unknown>;
  if (typeof record.data === "string" && /^0x[0-9a-fA-F]{8,}$/.test(record.data)) return record.data;
  for (const key of ["data", "error", "info", "cause", "revert"]) {
    const found = revertDataOf(record[key], seen);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** `Name(arg, …)` of the custom error in `data`, or undefined when it is not one of ours. */
export function describeRevert(data: string): string | undefined {
  try {
    const parsed = contractErrorsInterface().parseError(data);
    if (parsed === null) return undefined;
    return `${parsed.name}(${parsed.args.map((arg: unknown) => String(arg)).join(", ")})`;
  } catch {
    return undefined;
  }
}

const REJECTION_CODES = [
  "CALL_EXCEPTION",
  "INSUFFICIENT_FUNDS",
  "NONCE_EXPIRED",
  "REPLACEMENT_UNDERPRICED",
  "TRANSACTION_REPLACED",
  "INVALID_ARGUMENT",
] as const;

/** The EProofError for a failure of `action` (e.g. "anchorBatch"). */
export function toChainError(error: unknown, action: string): EProofError {
  if (isEProofError(error)) return error;
  const data = revertDataOf(error);
  if (data !== undefined) {
    const named = describeRevert(data) ?? `revert data ${data}`;
    return new EProofError("CHAIN_REJECTED", `The chain refused ${action}: ${named}.`, { cause: error });
  }
  if (REJECTION_CODES.some((code) => isError(error, code))) {
    const reason = (error as { shortMessage?: string }).shortMessage ?? String(error);
    return new EProofError("CHAIN_REJECTED", `The chain refused ${action}: ${reason}.`, { cause: error });
  }
  const reason = error instanceof Error ? ((error as { shortMessage?: string }).shortMessage ?? error.message) : String(error);
  return new EProofError(
    "CHAIN_UNAVAILABLE",
    `The chain could not be reached for ${action} (${reason}). Check the RPC endpoint and retry (a write may or may not have been mined: reconcile before resending).`,
    { cause: error },
  );
}
