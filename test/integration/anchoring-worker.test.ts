import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SqliteStore } from "../../services/adapters/store/sqlite-store.ts";
import { EProofError } from "../../services/errors.ts";
import { createLogger } from "../../services/logger.ts";
import type { AnchorRequest, Hex, Ledger, NewDocument, TxReceipt } from "../../services/ports.ts";
import { AnchoringWorker } from "../../services/use-cases/anchor-batches.ts";

/** An in-memory chain that behaves like DocumentRegistry for roots: refuses a root twice, can go down. */
class FakeChain implements Pick<Ledger, "anchorBatch" | "findAnchoredBatch"> {
  anchored = new Map<Hex, TxReceipt>();
  sends: AnchorRequest[] = [];
  down = false;
  /** Departments whose batches the contract refuses (e.g. suspended). */
  refused = new Set<string>();
  /** Anchor but then "crash" before the caller sees the receipt. */
  loseNextReceipt = false;
  async anchorBatch(request: AnchorRequest): Promise<TxReceipt> {
    if (this.down) throw new EProofError("CHAIN_UNAVAILABLE", "connection refused");
    this.sends.push(request);
    if (this.refused.has(request.department)) throw new EProofError("CHAIN_REJECTED", `DocumentRegistryDepartmentNotActive(${request.department})`);
    if (this.anchored.has(request.root)) throw new EProofError("CHAIN_REJECTED", "DocumentRegistryAlreadyAnchored");
    const receipt = { txHash: `0x${String(this.anchored.size + 1).padStart(64, "0")}` as Hex, blockNumber: this.anchored.size + 1, blockTime: 1_800_000_000 };
    this.anchored.set(request.root, receipt);
    if (this.loseNextReceipt) {
      this.loseNextReceipt = false;
      throw new EProofError("CHAIN_UNAVAILABLE", "connection reset before the receipt");
    }
    return receipt;
  }
  async findAnchoredBatch(root: Hex): Promise<TxReceipt | null> {
    if (this.down) throw new EProofError("CHAIN_UNAVAILABLE", "connection refused");
    return this.anchored.get(root) ?? null;
  }
}

function docs(count: number, from = 0): NewDocument[] {
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

describe("AnchoringWorker", () => {
  let dir: string;
  let store: SqliteStore;
  let chain: FakeChain;
  const logger = createLogger("silent");
  const worker = (batchSize = 100, maxWaitMs = 0) =>
    new AnchoringWorker(
      { store, ledger: chain as unknown as Ledger, clock: { now: () => Date.parse("2026-11-22T10:00:05Z") }, logger },
      { batchSize, maxWaitMs },
    );

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "eproof-worker-"));
    store = new SqliteStore(join(dir, "db.sqlite"));
    chain = new FakeChain();
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("anchors accepted documents in batches of at most batchSize, one root each", async () => {
    await store.insertDocuments(docs(250));
    await worker(100).runOnce();
    expect(chain.sends.map((s) => s.count)).toEqual([100, 100, 50]);
    expect(await store.countUnanchored()).toBe(0);
  });

  it("waits for a batch to fill until the oldest document has waited maxWaitMs", async () => {
    await store.insertDocuments(docs(3));
    await worker(100, 60_000).runOnce();
    expect(chain.sends).toEqual([]);
    await worker(100, 5_000).runOnce();
    expect(chain.sends.map((s) => s.count)).toEqual([3]);
  });

  it("keeps anchoring other departments' batches when the chain refuses one department's", async () => {
    await store.insertDocuments(docs(2).map((d) => ({ ...d, department: "SUSPENDED" })));
    await store.insertDocuments(docs(3, 10));
    chain.refused.add("SUSPENDED");
    await worker().runOnce();
    expect(chain.anchored.size).toBe(1);
    expect(await store.countUnanchored()).toBe(2);
    chain.refused.clear();
    await worker().runOnce();
    expect(await store.countUnanchored()).toBe(0);
  });

  it("keeps documents queued while the chain is down and anchors them when it returns", async () => {
    await store.insertDocuments(docs(5));
    chain.down = true;
    await expect(worker().runOnce()).rejects.toMatchObject({ code: "CHAIN_UNAVAILABLE" });
    expect(await store.countUnanchored()).toBe(5);
    chain.down = false;
    await worker().runOnce();
    expect(await store.countUnanchored()).toBe(0);
    expect(chain.anchored.size).toBe(1);
  });

  it("does not send again a batch that reached the chain before the process lost its receipt", async () => {
    await store.insertDocuments(docs(5));
    chain.loseNextReceipt = true;
    await expect(worker().runOnce()).rejects.toMatchObject({ code: "CHAIN_UNAVAILABLE" });
    expect((await store.unfinishedBatches())[0]?.state).toBe("SENT");
    await worker().reconcile();
    expect(await store.countUnanchored()).toBe(0);
    expect(chain.sends).toHaveLength(1);
  });

  it("anchors again, exactly once, a batch the chain forgot (dev chain restarted from an older state file)", async () => {
    await store.insertDocuments(docs(5));
    await worker().runOnce();
    const [batch] = await store.recentAnchoredBatches(1);
    chain.anchored.clear(); // the chain's state rolled back
    const restarted = worker();
    await restarted.reconcile();
    await restarted.runOnce();
    await restarted.reconcile();
    await restarted.runOnce();
    expect(chain.sends.filter((s) => s.root === batch?.root)).toHaveLength(2);
    expect(chain.anchored.size).toBe(1);
    expect(await store.countUnanchored()).toBe(0);
  });
});
