import { id } from "ethers";
import { describe, expect, it } from "vitest";
import { SqliteStore } from "../../../services/adapters/store/sqlite-store.ts";
import { type EProofError, isEProofError } from "../../../services/errors.ts";
import type { Hex, Ledger, NewDocument, StatusChangeRequest, TxReceipt } from "../../../services/ports.ts";
import { changeStatusInBulk } from "../../../services/use-cases/change-status-in-bulk.ts";

function docs(count: number, type = "permit"): NewDocument[] {
  return Array.from({ length: count }, (_, i) => {
    const documentId = (i + 1).toString(16).padStart(32, "0");
    return { id: documentId, department: "DEMO", type, issuedAt: "2026-11-25T10:00:00Z", leaf: id(documentId) as Hex, documentJson: "{}" };
  });
}

/** Counts the transactions a bulk change costs. */
function countingLedger() {
  const sent: StatusChangeRequest[] = [];
  const ledger = {
    async changeDocumentStatus(request: StatusChangeRequest): Promise<TxReceipt> {
      sent.push(request);
      return { txHash: `0x${String(sent.length).padStart(64, "0")}` as Hex, blockNumber: sent.length, blockTime: 1_800_000_000 };
    },
  } as unknown as Ledger;
  return { ledger, sent };
}

async function refusal(action: Promise<unknown>): Promise<EProofError> {
  try {
    await action;
  } catch (error) {
    if (isEProofError(error)) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

const input = { department: "DEMO", reason: "audit", reasonCode: 6, actor: "key-1", typeAllowed: () => true };

describe("bulk status change", () => {
  it("suspends 200 documents in one transaction and 600 in three", async () => {
    const store = new SqliteStore(":memory:");
    await store.insertDocuments(docs(600));
    const { ledger, sent } = countingLedger();
    const deps = { store, ledger, clock: { now: () => 0 } };
    const ids = docs(600).map((d) => d.id);
    const first = await changeStatusInBulk(deps, { ...input, documentIds: ids.slice(0, 200), action: "suspend" });
    expect(first.transactions).toHaveLength(1);
    expect(sent[0]?.documentIds).toHaveLength(200);
    const rest = await changeStatusInBulk(deps, { ...input, documentIds: ids.slice(200), action: "suspend" });
    expect(rest.transactions.map((t) => t.count)).toEqual([250, 150]);
    expect((await store.getDocument(ids[599] as string))?.status.status).toBe("SUSPENDED");
    await store.close();
  });

  it("changes nothing and lists every problem when some documents cannot make the change", async () => {
    const store = new SqliteStore(":memory:");
    await store.insertDocuments([...docs(3), ...docs(1, "licence").map((d) => ({ ...d, id: "f".repeat(32) }))]);
    const { ledger, sent } = countingLedger();
    const deps = { store, ledger, clock: { now: () => 0 } };
    const [a, b, c] = docs(3).map((d) => d.id) as [string, string, string];
    await changeStatusInBulk(deps, { ...input, documentIds: [a], action: "revoke" });

    const conflict = await refusal(changeStatusInBulk(deps, { ...input, documentIds: [a, b, b], action: "suspend" }));
    expect(conflict.code).toBe("INVALID_STATUS_CHANGE");
    expect(conflict.problems?.map((p) => p.path)).toEqual(["ids.0", "ids.2"]);

    const unknown = await refusal(changeStatusInBulk(deps, { ...input, documentIds: [b, "e".repeat(32)], action: "suspend" }));
    expect(unknown.code).toBe("NOT_FOUND");

    const scoped = await refusal(
      changeStatusInBulk(deps, { ...input, documentIds: [c, "f".repeat(32)], action: "suspend", typeAllowed: (type) => type === "permit" }),
    );
    expect(scoped.code).toBe("FORBIDDEN");

    expect(sent).toHaveLength(1);
    expect((await store.getDocument(b))?.status.status).toBe("ACTIVE");
    await store.close();
  });
});
