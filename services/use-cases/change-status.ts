/**
 * Officer status changes: suspend, reinstate, revoke, supersede. The chain is the authority for the
 * status (the contract enforces the same transitions); the reason — code and text — never goes on
 * chain: the store keeps it in the history, and the public sees a code only where the department
 * made it publishable.
 */

import type { OnChainStatus } from "../domain/verification-record.ts";
import { EProofError } from "../errors.ts";
import type { Clock, DocumentStore, Hex, Ledger, StatusHistory, StoredDocument, TxReceipt } from "../ports.ts";

export type StatusAction = "revoke" | "suspend" | "reinstate";

export const TARGET: Record<StatusAction, Exclude<OnChainStatus, "SUPERSEDED">> = {
  revoke: "REVOKED",
  suspend: "SUSPENDED",
  reinstate: "ACTIVE",
};

/** Which current statuses each action may start from. */
export const ALLOWED_FROM: Record<StatusAction, OnChainStatus[]> = {
  revoke: ["ACTIVE", "SUSPENDED"],
  suspend: ["ACTIVE"],
  reinstate: ["SUSPENDED"],
};

export interface StatusDeps {
  store: DocumentStore & StatusHistory;
  ledger: Ledger;
  clock: Clock;
  /**
   * The registry a document is anchored in: its status changes there, where verifiers read it (an
   * earlier registry after a move). Undefined (or absent): the current one.
   */
  registryOf?: (document: StoredDocument) => Hex | undefined;
}

export interface StatusChangeInput {
  department: string;
  documentId: string;
  action: StatusAction;
  reason: string;
  reasonCode: number;
  actor: string;
}

async function documentOfDepartment(store: DocumentStore, department: string, id: string) {
  const stored = await store.getDocument(id);
  if (!stored || stored.department !== department) {
    throw new EProofError("NOT_FOUND", `no document ${id} issued by ${department}`);
  }
  return stored;
}

export async function changeStatus(deps: StatusDeps, input: StatusChangeInput) {
  const stored = await documentOfDepartment(deps.store, input.department, input.documentId);
  const current = stored.status.status;
  if (!ALLOWED_FROM[input.action].includes(current)) {
    throw new EProofError("INVALID_STATUS_CHANGE", `cannot ${input.action} a document that is ${current.toLowerCase()}`);
  }
  const status = TARGET[input.action];
  const registry = deps.registryOf?.(stored);
  const { receipt, changedAt } = await sendStatusChange(deps, { ...input, documentIds: [input.documentId], status, ...(registry ? { registry } : {}) });
  return { id: input.documentId, status, changedAt, txHash: receipt.txHash };
}

/**
 * One DocumentRegistry transaction that gives `documentIds` the new status, then the history entry
 * of each (with the officer's reason code and text, which stay off chain) at the transaction's block time.
 */
export async function sendStatusChange(
  deps: Pick<StatusDeps, "ledger" | "store">,
  change: {
    department: string;
    documentIds: string[];
    status: Exclude<OnChainStatus, "SUPERSEDED">;
    reason: string;
    reasonCode: number;
    actor: string;
    registry?: Hex;
  },
): Promise<{ receipt: TxReceipt; changedAt: string }> {
  const receipt = await deps.ledger.changeDocumentStatus({
    department: change.department,
    documentIds: change.documentIds,
    status: change.status,
    ...(change.registry ? { registry: change.registry } : {}),
  });
  const changedAt = new Date(receipt.blockTime * 1000).toISOString();
  await deps.store.recordStatusChanges(
    change.documentIds.map((documentId) => ({
      documentId,
      status: change.status,
      reason: change.reason,
      reasonCode: change.reasonCode,
      successor: null,
      actor: change.actor,
      txHash: receipt.txHash,
      changedAt,
    })),
  );
  return { receipt, changedAt };
}

export interface SupersedeInput {
  department: string;
  documentId: string;
  successorId: string;
  reason: string;
  reasonCode: number;
  actor: string;
}

/** Links an old document to its already-issued successor and marks it SUPERSEDED. */
export async function supersede(deps: StatusDeps, input: SupersedeInput) {
  const stored = await documentOfDepartment(deps.store, input.department, input.documentId);
  if (stored.status.status === "REVOKED" || stored.status.status === "SUPERSEDED") {
    throw new EProofError("INVALID_STATUS_CHANGE", `cannot supersede a document that is ${stored.status.status.toLowerCase()}`);
  }
  const registry = deps.registryOf?.(stored);
  const receipt = await deps.ledger.supersede({
    department: input.department,
    documentId: input.documentId,
    successorId: input.successorId,
    ...(registry ? { registry } : {}),
  });
  const changedAt = new Date(receipt.blockTime * 1000).toISOString();
  await deps.store.recordStatusChanges([
    {
      documentId: input.documentId,
      status: "SUPERSEDED",
      reason: input.reason,
      reasonCode: input.reasonCode,
      successor: input.successorId,
      actor: input.actor,
      txHash: receipt.txHash,
      changedAt,
    },
  ]);
  return { id: input.documentId, status: "SUPERSEDED" as const, successor: input.successorId, changedAt, txHash: receipt.txHash };
}
