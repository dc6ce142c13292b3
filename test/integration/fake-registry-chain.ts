/**
 * For the anchoring worker's tests: DocumentRegistry's batch records in memory, one per
 * (department, root) and refused a second time for the same department, on a chain that can go
 * down, refuse a department, lose a receipt or forget what it held (a dev chain restarted from an
 * older state file); and the documents the worker anchors.
 */
import { EProofError } from "../../services/errors.ts";
import type { AnchoredBatch, AnchorRequest, Hex, Ledger, NewDocument, TxReceipt } from "../../services/ports.ts";

export class FakeRegistryChain implements Pick<Ledger, "anchorBatch" | "findAnchoredBatch"> {
  /** Keyed by `${department}:${root}`. */
  anchored = new Map<string, AnchoredBatch>();
  /** Every request that reached the chain while it was up, refused ones included. */
  sends: AnchorRequest[] = [];
  down = false;
  /** Departments whose batches the contract refuses (e.g. suspended). */
  refused = new Set<string>();
  /** Anchor but then "crash" before the caller sees the receipt. */
  loseNextReceipt = false;
  /** Blocks mined so far: block numbers and transaction hashes stay unique after a forget. */
  #blocks = 0;

  async anchorBatch(request: AnchorRequest): Promise<TxReceipt> {
    if (this.down) throw new EProofError("CHAIN_UNAVAILABLE", "connection refused");
    this.sends.push(request);
    if (this.refused.has(request.department)) throw new EProofError("CHAIN_REJECTED", `DocumentRegistryDepartmentNotActive(${request.department})`);
    const key = `${request.department}:${request.root}`;
    if (this.anchored.has(key)) throw new EProofError("CHAIN_REJECTED", "DocumentRegistryAlreadyAnchored");
    this.#blocks += 1;
    const receipt: TxReceipt = { txHash: `0x${String(this.#blocks).padStart(64, "0")}` as Hex, blockNumber: this.#blocks, blockTime: 1_800_000_000 };
    this.anchored.set(key, {
      ...receipt,
      department: request.department,
      docType: request.docType,
      count: request.count,
      anchorer: `0x${"a1".repeat(20)}`,
      sentByUs: true,
    });
    if (this.loseNextReceipt) {
      this.loseNextReceipt = false;
      throw new EProofError("CHAIN_UNAVAILABLE", "connection reset before the receipt");
    }
    return receipt;
  }

  async findAnchoredBatch(department: string, root: Hex): Promise<AnchoredBatch | null> {
    if (this.down) throw new EProofError("CHAIN_UNAVAILABLE", "connection refused");
    return this.anchored.get(`${department}:${root}`) ?? null;
  }

  /** Whether `department` has `root` on chain. */
  hasRoot(department: string, root: Hex): boolean {
    return this.anchored.has(`${department}:${root}`);
  }

  /** Restarted from a state saved before anything was anchored. */
  forgetEverything(): void {
    this.anchored.clear();
  }

  /** What the worker is given as the ledger (it needs only these two calls). */
  asLedger(): Ledger {
    return this as unknown as Ledger;
  }
}

/** `count` accepted DEMO licences numbered from `from + 1`, with distinct ids and leaves. */
export function newDocuments(count: number, from = 0): NewDocument[] {
  return Array.from({ length: count }, (_, i) => {
    const n = from + i + 1;
    return {
      id: n.toString(16).padStart(32, "0"),
      department: "DEMO",
      type: "licence",
      issuedAt: "2026-11-22T10:00:00Z",
      leaf: `0x${n.toString(16).padStart(64, "0")}` as Hex,
      documentJson: "{}",
    };
  });
}
