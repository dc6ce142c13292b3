/**
 * One status change for many documents (e.g. a department suspending 200 permits): checked all at
 * once, then sent as one DocumentRegistry transaction per `chunkSize` ids, so the cost on chain is a
 * few transactions, not one per document.
 *
 * Documents already in the target status are reported as unchanged, not refused, so retrying a
 * request that failed half-way (chain unreachable after the first chunk) finishes the job.
 */

import type { OnChainStatus } from "../domain/verification-record.ts";
import { EProofError, type Problem } from "../errors.ts";
import type { Hex } from "../ports.ts";
import { ALLOWED_FROM, type StatusAction, type StatusDeps, sendStatusChange, TARGET } from "./change-status.ts";

/** Ids per transaction: ~25k gas each, so 250 stay well under a QBFT block's gas limit. */
export const DEFAULT_CHUNK_SIZE = 250;

export interface BulkStatusInput {
  department: string;
  documentIds: string[];
  action: StatusAction;
  reason: string;
  reasonCode: number;
  actor: string;
  /** May this caller change documents of this type? */
  typeAllowed: (type: string) => boolean;
  chunkSize?: number;
}

export interface BulkStatusResult {
  status: OnChainStatus;
  changed: string[];
  unchanged: string[];
  transactions: Array<{ txHash: Hex; blockNumber: number; count: number; changedAt: string }>;
}

export async function changeStatusInBulk(deps: StatusDeps, input: BulkStatusInput): Promise<BulkStatusResult> {
  const status = TARGET[input.action];
  const problems: Problem[] = [];
  const seen = new Set<string>();
  const toChange: string[] = [];
  // Each document changes in the registry it is anchored in: one group (and its chunks) per registry.
  const registryOf = new Map<string, Hex | undefined>();
  const unchanged: string[] = [];
  let notFound = false;
  let forbidden = false;
  for (const [index, id] of input.documentIds.entries()) {
    const path = `ids.${index}`;
    if (seen.has(id)) {
      problems.push({ path, message: `document ${id} is listed twice` });
      continue;
    }
    seen.add(id);
    const stored = await deps.store.getDocument(id);
    if (!stored || stored.department !== input.department) {
      notFound = true;
      problems.push({ path, message: `no document ${id} issued by ${input.department}` });
    } else if (!input.typeAllowed(stored.type)) {
      forbidden = true;
      problems.push({ path, message: `this API key may not change ${stored.type} documents` });
    } else if (stored.status.status === status) {
      unchanged.push(id);
    } else if (!ALLOWED_FROM[input.action].includes(stored.status.status)) {
      problems.push({ path, message: `cannot ${input.action} document ${id}: it is ${stored.status.status.toLowerCase()}` });
    } else {
      toChange.push(id);
      registryOf.set(id, deps.registryOf?.(stored));
    }
  }
  if (problems.length > 0) {
    // Nothing is changed unless every document can be: a partial bulk change is harder to reason about than a refusal.
    throw new EProofError(
      notFound ? "NOT_FOUND" : forbidden ? "FORBIDDEN" : "INVALID_STATUS_CHANGE",
      `${problems.length} of ${input.documentIds.length} documents cannot be changed; nothing was changed`,
      {
        problems,
      },
    );
  }
  const chunkSize = input.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const transactions: BulkStatusResult["transactions"] = [];
  const groups = new Map<string, { registry: Hex | undefined; ids: string[] }>();
  for (const id of toChange) {
    const registry = registryOf.get(id);
    const key = registry?.toLowerCase() ?? "current";
    const group = groups.get(key) ?? { registry, ids: [] };
    group.ids.push(id);
    groups.set(key, group);
  }
  for (const { registry, ids } of groups.values()) {
    for (let start = 0; start < ids.length; start += chunkSize) {
      const chunk = ids.slice(start, start + chunkSize);
      const { receipt, changedAt } = await sendStatusChange(deps, { ...input, documentIds: chunk, status, ...(registry ? { registry } : {}) });
      transactions.push({ txHash: receipt.txHash, blockNumber: receipt.blockNumber, count: chunk.length, changedAt });
    }
  }
  return { status, changed: toChange, unchanged, transactions };
}
