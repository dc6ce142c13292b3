import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { id, type Signer } from "ethers";
import hre from "hardhat";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deployContracts } from "../../services/adapters/chain/deploy.ts";
import { EthersLedger, singleAccount } from "../../services/adapters/chain/ethers-ledger.ts";
import { Governance } from "../../services/adapters/chain/governance.ts";
import { InProcessLocks } from "../../services/adapters/store/in-process-locks.ts";
import { SqliteStore } from "../../services/adapters/store/sqlite-store.ts";
import { merkleTree } from "../../services/domain/merkle.ts";
import { createLogger } from "../../services/logger.ts";
import type { Hex, StoredBatch } from "../../services/ports.ts";
import { AnchoringWorker } from "../../services/use-cases/anchor-batches.ts";
import { FakeRegistryChain, newDocuments } from "./fake-registry-chain.ts";

describe("AnchoringWorker", () => {
  let dir: string;
  let store: SqliteStore;
  let chain: FakeRegistryChain;
  const logger = createLogger("silent");
  const worker = (batchSize = 100, maxWaitMs = 0) =>
    new AnchoringWorker(
      { store, ledger: chain.asLedger(), clock: { now: () => Date.parse("2026-11-22T10:00:05Z") }, logger, locks: new InProcessLocks() },
      { batchSize, maxWaitMs },
    );

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "eproof-worker-"));
    store = new SqliteStore(join(dir, "db.sqlite"));
    chain = new FakeRegistryChain();
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("anchors accepted documents in batches of at most batchSize, one root each", async () => {
    await store.insertDocuments(newDocuments(250));
    await worker(100).runOnce();
    expect(chain.sends.map((s) => s.count)).toEqual([100, 100, 50]);
    expect(await store.countUnanchored()).toBe(0);
  });

  it("waits for a batch to fill until the oldest document has waited maxWaitMs", async () => {
    await store.insertDocuments(newDocuments(3));
    await worker(100, 60_000).runOnce();
    expect(chain.sends).toEqual([]);
    await worker(100, 5_000).runOnce();
    expect(chain.sends.map((s) => s.count)).toEqual([3]);
  });

  it("keeps anchoring other departments' batches when the chain refuses one department's", async () => {
    await store.insertDocuments(newDocuments(2).map((d) => ({ ...d, department: "SUSPENDED" })));
    await store.insertDocuments(newDocuments(3, 10));
    chain.refused.add("SUSPENDED");
    await worker().runOnce();
    expect(chain.anchored.size).toBe(1);
    expect(await store.countUnanchored()).toBe(2);
    chain.refused.clear();
    await worker().runOnce();
    expect(await store.countUnanchored()).toBe(0);
  });

  it("keeps documents queued while the chain is down and anchors them when it returns", async () => {
    await store.insertDocuments(newDocuments(5));
    chain.down = true;
    await expect(worker().runOnce()).rejects.toMatchObject({ code: "CHAIN_UNAVAILABLE" });
    expect(await store.countUnanchored()).toBe(5);
    chain.down = false;
    await worker().runOnce();
    expect(await store.countUnanchored()).toBe(0);
    expect(chain.anchored.size).toBe(1);
  });

  it("does not send again a batch that reached the chain before the process lost its receipt", async () => {
    await store.insertDocuments(newDocuments(5));
    chain.loseNextReceipt = true;
    await expect(worker().runOnce()).rejects.toMatchObject({ code: "CHAIN_UNAVAILABLE" });
    expect((await store.unfinishedBatches())[0]?.state).toBe("SENT");
    await worker().reconcile();
    expect(await store.countUnanchored()).toBe(0);
    expect(chain.sends).toHaveLength(1);
  });

  it("anchors again, exactly once, a batch the chain forgot (dev chain restarted from an older state file)", async () => {
    await store.insertDocuments(newDocuments(5));
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

/**
 * The worker against a real DocumentRegistry (Hardhat's in-process chain) that other anchoring
 * accounts write to as well: OTHER, a second department, and a second account of DEMO's that this
 * service does not hold.
 */
describe("AnchoringWorker on a chain other anchorers write to", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  async function setUp() {
    const { ethers } = await hre.network.create();
    const [deployer, ours, otherDepartment, secondOfDemo] = await ethers.getSigners();
    if (!deployer || !ours || !otherDepartment || !secondOfDemo) throw new Error("need 4 signers");
    const deployed = await deployContracts(deployer);
    const governance = new Governance(deployer, deployed.issuerRegistry);
    for (const code of ["DEMO", "OTHER"]) {
      await governance.registerDepartment(code, { en: code, zhHK: code });
      await governance.grantDocumentType(code, "licence", id("licence@1") as Hex);
    }
    await governance.grantDocumentType("DEMO", "permit", id("permit@1") as Hex);
    await governance.addAnchorer("DEMO", ours.address);
    await governance.addAnchorer("DEMO", secondOfDemo.address);
    await governance.addAnchorer("OTHER", otherDepartment.address);
    const chainId = Number((await ethers.provider.getNetwork()).chainId);
    const ledgerOf = (signer: Signer) =>
      new EthersLedger({ provider: ethers.provider, accounts: singleAccount(signer), documentRegistry: deployed.documentRegistry, chainId });
    const ledger = ledgerOf(ours);
    const dir = mkdtempSync(join(tmpdir(), "eproof-worker-chain-"));
    dirs.push(dir);
    const store = new SqliteStore(join(dir, "db.sqlite"));
    const logLines: string[] = [];
    const worker = new AnchoringWorker(
      {
        store,
        ledger,
        clock: { now: () => Date.parse("2026-11-22T10:00:05Z") },
        logger: createLogger("info", { write: (line: string) => void logLines.push(line) }),
        locks: new InProcessLocks(),
      },
      { batchSize: 100, maxWaitMs: 0 },
    );
    /** Seals DEMO's accepted licences into one batch, as the worker would, without sending it. */
    const seal = async (count: number, from = 0): Promise<StoredBatch> => {
      await store.insertDocuments(newDocuments(count, from));
      const sealed = await store.sealBatch("DEMO", "licence", 100, merkleTree);
      if (sealed === null) throw new Error("nothing sealed");
      return sealed;
    };
    const batchOf = async (batchId: number): Promise<StoredBatch | undefined> =>
      [...(await store.unfinishedBatches()), ...(await store.recentAnchoredBatches(100))].find((b) => b.id === batchId);
    const logged = (event: string) => logLines.filter((line) => line.includes(`"event":"${event}"`)).map((line) => JSON.parse(line) as Record<string, unknown>);
    return { store, worker, ledger, ledgerOf, ours, otherDepartment, secondOfDemo, seal, batchOf, logged };
  }

  it("a root already anchored by another department does not stop the worker anchoring its own batch", async () => {
    const { store, worker, ledger, ledgerOf, ours, otherDepartment, seal, batchOf, logged } = await setUp();
    const sealed = await seal(3);
    // OTHER anchors the very root first (front-running the broadcast), even with the same type and count.
    const squatted = await ledgerOf(otherDepartment).anchorBatch({ department: "OTHER", docType: "licence", root: sealed.root, count: 3 });
    try {
      await worker.runOnce();
      expect(await store.countUnanchored()).toBe(0);
      const anchored = await batchOf(sealed.id);
      expect(anchored?.state).toBe("ANCHORED");
      expect(anchored?.txHash).not.toBe(squatted.txHash);
      const onChain = await ledger.findAnchoredBatch("DEMO", sealed.root);
      expect(onChain).toMatchObject({ txHash: anchored?.txHash, department: "DEMO", docType: "licence", count: 3, anchorer: ours.address, sentByUs: true });
      expect(await ledger.findAnchoredBatch("OTHER", sealed.root)).toMatchObject({ txHash: squatted.txHash, anchorer: otherDepartment.address });
      // Nothing about OTHER's record reached the worker's conflict handling, and reconciling keeps the batch.
      expect(logged("anchoring.batch_conflict")).toEqual([]);
      expect(logged("anchoring.batch_refused")).toEqual([]);
      await worker.reconcile();
      expect((await batchOf(sealed.id))?.txHash).toBe(anchored?.txHash);
    } finally {
      await store.close();
    }
  });

  it("the worker does not adopt a record of its department that differs from its batch", async () => {
    const { store, worker, ledger, ledgerOf, secondOfDemo, seal, batchOf, logged } = await setUp();
    const wrongCount = await seal(3);
    const wrongType = await seal(2, 10);
    // Another anchoring account of DEMO (not this service's) took DEMO's records of both roots, with other contents.
    const elsewhere = ledgerOf(secondOfDemo);
    const countTaken = await elsewhere.anchorBatch({ department: "DEMO", docType: "licence", root: wrongCount.root, count: 4 });
    const typeTaken = await elsewhere.anchorBatch({ department: "DEMO", docType: "permit", root: wrongType.root, count: 2 });
    try {
      await worker.runOnce();
      // Both batches stay queued (SENT: the worker tried), not ANCHORED with someone else's receipt.
      for (const batch of [wrongCount, wrongType]) {
        expect(await batchOf(batch.id)).toMatchObject({ state: "SENT", txHash: null });
      }
      expect(await store.countUnanchored()).toBe(5);
      const conflicts = logged("anchoring.batch_conflict");
      expect(conflicts.map((c) => [c.batchId, c.txHash, c.anchorer])).toEqual([
        [wrongCount.id, countTaken.txHash, secondOfDemo.address],
        [wrongType.id, typeTaken.txHash, secondOfDemo.address],
      ]);
      expect(logged("anchoring.batch_refused").map((r) => r.batchId)).toEqual([wrongCount.id, wrongType.id]);

      // Reconciling (as after a restart) does not adopt them either, nor does a second pass (refused again).
      await worker.reconcile();
      await worker.runOnce();
      for (const batch of [wrongCount, wrongType]) expect((await batchOf(batch.id))?.state).toBe("SENT");
      expect(await store.countUnanchored()).toBe(5);
      expect(logged("anchoring.adopted_foreign_anchor")).toEqual([]);
      // The chain still holds the other account's records, untouched.
      expect(await ledger.findAnchoredBatch("DEMO", wrongCount.root)).toMatchObject({ count: 4, sentByUs: false });
      expect(await ledger.findAnchoredBatch("DEMO", wrongType.root)).toMatchObject({ docType: "permit", sentByUs: false });
    } finally {
      await store.close();
    }
  });

  it("the worker adopts, with a warning, an identical record another account of its department sent", async () => {
    const { store, worker, ledgerOf, secondOfDemo, seal, batchOf, logged } = await setUp();
    const sealed = await seal(3);
    const theirs = await ledgerOf(secondOfDemo).anchorBatch({ department: "DEMO", docType: "licence", root: sealed.root, count: 3 });
    try {
      await worker.runOnce();
      expect(await batchOf(sealed.id)).toMatchObject({
        state: "ANCHORED",
        txHash: theirs.txHash,
        blockNumber: theirs.blockNumber,
        blockTime: theirs.blockTime,
      });
      expect(logged("anchoring.adopted_foreign_anchor").map((w) => [w.batchId, w.anchorer])).toEqual([[sealed.id, secondOfDemo.address]]);
      expect(logged("anchoring.batch_conflict")).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
