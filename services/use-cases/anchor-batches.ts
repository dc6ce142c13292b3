/**
 * The anchoring worker: cuts accepted documents into Merkle batches and anchors each root on chain,
 * exactly once, whatever dies in between.
 *
 * A batch moves SEALED → SENT → ANCHORED. It is marked SENT *before* its transaction is broadcast,
 * so after a crash a SENT batch may or may not be on chain: it is looked up on chain (by its
 * department and root) before it is ever sent again, and the contract refuses a root twice per
 * department. The chain keeps a record per (department, root), so another department anchoring the
 * same root first (front-running, or squatting after a rollback) fills its own record, not ours; and
 * an anchoring found in our department's record is adopted only if it is exactly what this worker
 * would have written (see `#adoptable`). On start, recently anchored
 * batches are checked too: a dev chain restarted from an older state file has forgotten them, so
 * they go back to SEALED and are anchored again.
 *
 * Several instances may share one database: each batch is sent under a lock named after it, taken
 * without waiting (an instance skips a batch another one is sending), and re-read once the lock is
 * held, so a batch another instance has just anchored is not sent again.
 */

import { merkleTree } from "../domain/merkle.ts";
import { isEProofError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { AnchoredBatch, Clock, DocumentStore, Ledger, Locks, StoredBatch, TxReceipt } from "../ports.ts";
import { LoopWorker } from "./background-loop.ts";

export interface AnchoringOptions {
  batchSize: number;
  maxWaitMs: number;
  /** Pause between polls of the outbox, ms. */
  pollMs?: number;
  /** How many recent anchored batches to re-check on chain at start. */
  reconcileDepth?: number;
  /**
   * How often the newest anchored batch is looked up on chain while the service runs, ms
   * (default 10 000; 0 turns the watch off). A chain node restarted from an older state (a dev
   * chain killed before it saved) forgets the newest blocks first: when that batch is gone, the
   * whole reconciliation runs and the lost batches are anchored again.
   */
  watchMs?: number;
  /** Least time between two reconciliations asked for by reconcileSoon(), ms (default 5 000). */
  reconcileRequestMinMs?: number;
  /**
   * Block time (unix seconds) from which the current registry holds the anchorings (default 0).
   * Batches anchored before it live in an earlier, read-only registry and are not re-checked against
   * the current one (they are not lost: they were never there).
   */
  currentSince?: number;
}

export interface AnchoringDeps {
  store: DocumentStore;
  ledger: Ledger;
  clock: Clock;
  logger: Logger;
  /** Shared with the other instances on the same database (SQLite: InProcessLocks, this process only). */
  locks: Locks;
  onAnchored?: (batch: StoredBatch, documentCount: number) => void;
}

export class AnchoringWorker extends LoopWorker {
  readonly #deps: AnchoringDeps;
  readonly #options: Required<AnchoringOptions>;
  readonly #locks: Locks;
  #reconciled = false;
  #afterOutage = false;
  #chainBackoffMs = 0;
  #lastWatch = 0;
  #reconcileRequested = false;
  #lastReconcileRequest = Number.NEGATIVE_INFINITY;

  constructor(deps: AnchoringDeps, options: AnchoringOptions) {
    super();
    this.#deps = deps;
    this.#options = { pollMs: 100, reconcileDepth: 500, watchMs: 10_000, reconcileRequestMinMs: 5_000, currentSince: 0, ...options };
    this.#locks = deps.locks;
  }

  /**
   * Asks for a reconciliation with the chain at the next turn of the loop, without waiting for the
   * watch: a verification found a batch this store believes anchored that the chain does not know.
   * At most once per `reconcileRequestMinMs` (a reconciliation reads up to `reconcileDepth` batches).
   */
  reconcileSoon(): void {
    const now = this.#deps.clock.now();
    if (now - this.#lastReconcileRequest < this.#options.reconcileRequestMinMs) return;
    this.#lastReconcileRequest = now;
    this.#reconcileRequested = true;
    this.poke();
  }

  /** One turn of the loop: reconcile when needed, then anchor what is sealed; answers the wait before the next. */
  protected async turn(): Promise<number> {
    try {
      const requested = this.#reconcileRequested;
      this.#reconcileRequested = false;
      if (!this.#reconciled || requested || (await this.#chainForgotNewestBatch(this.#afterOutage))) {
        if (requested)
          this.#deps.logger.warn({ event: "anchoring.reconcile_requested" }, "a verification met an anchored batch the chain does not know; reconciling");
        await this.reconcile();
        this.#reconciled = true;
      }
      this.#afterOutage = false;
      await this.runOnce();
      this.#chainBackoffMs = 0;
    } catch (error) {
      if (isEProofError(error, "CHAIN_UNAVAILABLE")) {
        // The chain that comes back may be an older state of itself: look before sending again
        // (the newest batch first; everything only if that one is gone).
        this.#afterOutage = true;
        this.#chainBackoffMs = Math.min(Math.max(this.#chainBackoffMs * 2, 250), 10_000);
        this.#deps.logger.warn({ event: "anchoring.chain_unavailable", retryInMs: this.#chainBackoffMs }, "chain unreachable; documents stay queued");
      } else {
        this.#chainBackoffMs = 1_000;
        this.#deps.logger.error({ event: "anchoring.failed", err: error }, "anchoring failed; will retry");
      }
    }
    return this.#chainBackoffMs || this.#options.pollMs;
  }

  /**
   * The periodic watch (see `watchMs`), or at once when `force` (the chain just came back): true
   * when the newest anchored batch is no longer on chain.
   */
  async #chainForgotNewestBatch(force = false): Promise<boolean> {
    const { watchMs } = this.#options;
    const now = this.#deps.clock.now();
    if (!force && (watchMs <= 0 || now - this.#lastWatch < watchMs)) return false;
    this.#lastWatch = now;
    const [newest] = await this.#deps.store.recentAnchoredBatches(1);
    if (newest === undefined || (newest.blockTime ?? 0) < this.#options.currentSince) return false;
    const onChain = await this.#deps.ledger.findAnchoredBatch(newest.department, newest.root);
    if (onChain !== null) return false;
    this.#deps.logger.warn({ event: "anchoring.chain_rolled_back", batchId: newest.id }, "the chain no longer has the newest anchored batch; reconciling");
    return true;
  }

  /** Brings the store in line with the chain: SENT batches found on chain are ANCHORED; lost ones are re-queued. */
  async reconcile(): Promise<void> {
    const { store, ledger, logger } = this.#deps;
    for (const batch of await store.unfinishedBatches()) {
      if (batch.state !== "SENT") continue;
      const receipt = this.#adoptable(batch, await ledger.findAnchoredBatch(batch.department, batch.root));
      if (receipt) {
        await store.markBatchAnchored(batch.id, receipt);
        logger.info({ event: "anchoring.reconciled", batchId: batch.id, txHash: receipt.txHash }, "batch found on chain");
      }
    }
    const anchored = (await store.recentAnchoredBatches(this.#options.reconcileDepth)).filter((batch) => (batch.blockTime ?? 0) >= this.#options.currentSince);
    for (const batch of anchored) {
      let receipt: TxReceipt | null;
      try {
        receipt = this.#adoptable(batch, await ledger.findAnchoredBatch(batch.department, batch.root));
      } catch (error) {
        // The newest batch failing means the chain is down: retry the whole reconciliation later.
        // An older one the node cannot describe (say its log was pruned) must not stop anchoring for good.
        if (batch === anchored[0]) throw error;
        logger.warn({ event: "anchoring.reconcile_skipped", batchId: batch.id, err: error }, "could not re-check this anchored batch");
        continue;
      }
      if (!receipt) {
        await store.markBatchLost(batch.id);
        logger.warn({ event: "anchoring.batch_lost", batchId: batch.id, root: batch.root }, "chain no longer has this batch; anchoring it again");
      } else if (receipt.txHash !== batch.txHash) {
        await store.markBatchAnchored(batch.id, receipt);
      }
    }
  }

  /** One pass: seal due batches, then send every unfinished one. */
  async runOnce(): Promise<void> {
    const { store, clock } = this.#deps;
    const now = clock.now();
    for (const group of await store.unbatchedGroups()) {
      const due = group.count >= this.#options.batchSize || now - Date.parse(group.oldestIssuedAt) >= this.#options.maxWaitMs;
      if (!due) continue;
      let remaining = group.count;
      while (remaining > 0) {
        const sealed = await store.sealBatch(group.department, group.type, this.#options.batchSize, merkleTree);
        if (!sealed) break;
        remaining -= sealed.count;
      }
    }
    for (const listed of await store.unfinishedBatches()) {
      try {
        await this.#locks.tryWithLock(`batch:${listed.id}`, async () => {
          // Another instance may have anchored it since the list was read.
          const batch = (await store.unfinishedBatches()).find((b) => b.id === listed.id);
          if (batch) await this.#send(batch);
        });
      } catch (error) {
        // The chain being down stops the pass (and backs off); a batch the chain refuses (say its
        // department was suspended) must not hold up every other department's batches.
        if (isEProofError(error, "CHAIN_UNAVAILABLE")) throw error;
        this.#deps.logger.error(
          { event: "anchoring.batch_refused", batchId: listed.id, department: listed.department, err: error },
          "the chain refused this batch; it stays queued",
        );
      }
    }
  }

  /**
   * The on-chain anchoring of `batch` that this worker may record as its own: the department's record
   * of the root, for the batch's type and count. Sent by one of our accounts, it is ours. Sent by
   * another anchorer of the same department (the registrar gave it a second account), an identical
   * record proves the same documents and is adopted with a warning; a record that differs is never
   * adopted: the batch stays queued and the conflict is logged for the operator.
   */
  #adoptable(batch: StoredBatch, found: AnchoredBatch | null): TxReceipt | null {
    if (found === null) return null;
    const { logger } = this.#deps;
    if (found.department !== batch.department || found.docType !== batch.type || found.count !== batch.count) {
      logger.error(
        { event: "anchoring.batch_conflict", batchId: batch.id, department: batch.department, anchorer: found.anchorer, txHash: found.txHash },
        "the department's record of this root is not the batch this service sealed; it is not adopted",
      );
      return null;
    }
    if (!found.sentByUs) {
      logger.warn(
        { event: "anchoring.adopted_foreign_anchor", batchId: batch.id, department: batch.department, anchorer: found.anchorer, txHash: found.txHash },
        "another anchoring account of this department anchored the same batch; its record is identical and is adopted",
      );
    }
    return { txHash: found.txHash, blockNumber: found.blockNumber, blockTime: found.blockTime };
  }

  async #send(batch: StoredBatch): Promise<void> {
    const { store, ledger, logger } = this.#deps;
    if (batch.state === "SENT") {
      const already = this.#adoptable(batch, await ledger.findAnchoredBatch(batch.department, batch.root));
      if (already) {
        await store.markBatchAnchored(batch.id, already);
        this.#deps.onAnchored?.(batch, batch.count);
        return;
      }
    }
    await store.markBatchSent(batch.id);
    let receipt: TxReceipt;
    try {
      receipt = await ledger.anchorBatch({ department: batch.department, docType: batch.type, root: batch.root, count: batch.count });
    } catch (error) {
      // Our department's record of this root exists: an earlier attempt of ours landed (take its
      // receipt), or something else took the record (refused by #adoptable, the batch stays queued).
      const landed = isEProofError(error, "CHAIN_REJECTED") ? this.#adoptable(batch, await ledger.findAnchoredBatch(batch.department, batch.root)) : null;
      if (!landed) throw error;
      receipt = landed;
    }
    await store.markBatchAnchored(batch.id, receipt);
    logger.info(
      { event: "anchoring.anchored", batchId: batch.id, count: batch.count, txHash: receipt.txHash, blockNumber: receipt.blockNumber },
      "batch anchored",
    );
    this.#deps.onAnchored?.(batch, batch.count);
  }
}
