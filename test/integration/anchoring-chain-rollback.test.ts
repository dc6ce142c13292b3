/**
 * The running worker and a chain that comes back from an outage, or restarts, with an older state
 * (a dev chain killed before it saved its last blocks): what it forgot is anchored again, once.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InProcessLocks } from "../../services/adapters/store/in-process-locks.ts";
import { SqliteStore } from "../../services/adapters/store/sqlite-store.ts";
import { createLogger } from "../../services/logger.ts";
import type { Hex } from "../../services/ports.ts";
import { AnchoringWorker } from "../../services/use-cases/anchor-batches.ts";
import { FakeRegistryChain, newDocuments } from "./fake-registry-chain.ts";

async function until(condition: () => Promise<boolean> | boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("AnchoringWorker against a chain that lost blocks", () => {
  let dir: string;
  let store: SqliteStore;
  let chain: FakeRegistryChain;
  let worker: AnchoringWorker | undefined;
  const logger = createLogger("silent");
  const start = (watchMs: number, reconcileRequestMinMs?: number) => {
    worker = new AnchoringWorker(
      { store, ledger: chain.asLedger(), clock: { now: () => Date.now() }, logger, locks: new InProcessLocks() },
      { batchSize: 100, maxWaitMs: 0, pollMs: 10, watchMs, ...(reconcileRequestMinMs === undefined ? {} : { reconcileRequestMinMs }) },
    );
    worker.start();
    return worker;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "eproof-rollback-"));
    store = new SqliteStore(join(dir, "db.sqlite"));
    chain = new FakeRegistryChain();
  });
  afterEach(async () => {
    await worker?.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("reconciles again after an outage, so batches the returning chain forgot are anchored again", async () => {
    start(0); // no periodic watch: only the outage triggers the check
    await store.insertDocuments(newDocuments(3, 0));
    await until(() => chain.anchored.size === 1);
    const firstRoot = chain.sends[0]?.root;

    chain.down = true;
    await store.insertDocuments(newDocuments(2, 10));
    await new Promise((r) => setTimeout(r, 300));
    expect(await store.countUnanchored()).toBe(2);
    chain.forgetEverything();
    chain.down = false;

    await until(async () => (await store.countUnanchored()) === 0 && chain.anchored.size === 2);
    expect(chain.hasRoot("DEMO", firstRoot as Hex)).toBe(true);
    expect(chain.sends.filter((s) => s.root === firstRoot)).toHaveLength(2);
  });

  it("notices, without any outage seen, that the chain forgot its newest batch (the watch) and anchors it again once", async () => {
    start(50);
    await store.insertDocuments(newDocuments(4, 20));
    await until(() => chain.anchored.size === 1);
    const root = chain.sends[0]?.root as Hex;

    chain.forgetEverything();
    await until(() => chain.hasRoot("DEMO", root));
    await new Promise((r) => setTimeout(r, 300));
    expect(chain.sends.filter((s) => s.root === root)).toHaveLength(2);
    expect(await store.countUnanchored()).toBe(0);
  });

  it("with the watch off and no outage, does not re-check the chain (the watch is what heals a silent rollback)", async () => {
    start(0);
    await store.insertDocuments(newDocuments(1, 40));
    await until(() => chain.anchored.size === 1);
    chain.forgetEverything();
    await new Promise((r) => setTimeout(r, 300));
    expect(chain.anchored.size).toBe(0);
  });

  it("reconciles at once when asked (a verification met a forgotten batch), with the watch off, and anchors the batch again once", async () => {
    const running = start(0);
    await store.insertDocuments(newDocuments(2, 50));
    await until(() => chain.anchored.size === 1);
    const root = chain.sends[0]?.root as Hex;
    chain.forgetEverything();
    running.reconcileSoon();
    await until(() => chain.hasRoot("DEMO", root), 2_000);
    await new Promise((r) => setTimeout(r, 200));
    expect(chain.sends.filter((s) => s.root === root)).toHaveLength(2);
    expect(await store.countUnanchored()).toBe(0);
  });

  it("heeds at most one request to reconcile per interval, so verifications cannot make it read the chain over and over", async () => {
    const running = start(0, 60_000);
    await store.insertDocuments(newDocuments(1, 60));
    await until(() => chain.anchored.size === 1);
    chain.forgetEverything();
    running.reconcileSoon();
    await until(() => chain.anchored.size === 1, 2_000);
    chain.forgetEverything();
    running.reconcileSoon();
    await new Promise((r) => setTimeout(r, 300));
    expect(chain.anchored.size).toBe(0);
    expect(chain.sends).toHaveLength(2);
  });
});
