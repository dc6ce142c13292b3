/**
 * The chain follower: reads DocumentRegistry status events from the last processed block onwards,
 * records each change in the document's history (so changes sent by another service instance, or
 * straight to the contract, show up too) and queues a signed notification for every matching
 * webhook subscription.
 *
 * Exactly once: the cursor (last block fully processed) is saved after a range's events are handled,
 * and handling is idempotent — a change already in the history (same document, same transaction) is
 * not recorded again, and a delivery already queued for (subscription, event) is not queued again —
 * so a crash between the two only repeats work that leaves no trace.
 *
 * Finality: QBFT finalises a block at once, so there is no reorg handling. A chain that went back
 * (the embedded dev chain restarted from an older state file) moves the cursor back to its head.
 * Events younger than `graceMs` wait for the next poll: the officer route that sent the transaction
 * records the change with the officer's reason first, and the follower then sees it as known.
 */

import { sha256Hex } from "../domain/sha256.ts";
import { CHAIN_ACTOR } from "../domain/status-history.ts";
import { isEProofError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { ChainEvents, ChainStatusEvent, Clock, DocumentStore, Hex, NewDelivery, NotificationSigner, StatusHistory, Subscriptions } from "../ports.ts";
import { LoopWorker } from "./background-loop.ts";

export interface FollowerDeps {
  events: ChainEvents;
  store: DocumentStore & StatusHistory;
  subscriptions: Subscriptions;
  signer: NotificationSigner;
  clock: Clock;
  logger: Logger;
  trust: { chainId: number; registry: Hex };
  /** `iss` of notifications: the service's public URL. */
  issuer: string;
  /** Called when deliveries were queued (wakes the dispatcher). */
  onQueued?: () => void;
  /** Called after each range with the cursor and how many status events it held. */
  onProgress?: (block: number, events: number) => void;
}

export interface FollowerOptions {
  pollMs?: number;
  graceMs?: number;
  /** Most blocks asked for in one eth_getLogs. */
  maxRange?: number;
  /** First block to read when there is no cursor yet (the registry's deployment block or 0). */
  startBlock?: number;
}

/** What a receiver gets, signed: `jti` is the delivery id it deduplicates on. */
export interface NotificationPayload {
  iss: string;
  iat: number;
  jti: string;
  sub: string;
  event: {
    id: string;
    type: "document.status_changed" | "batch.status_changed";
    documentId: string | null;
    root: Hex | null;
    department: string;
    docType: string | null;
    status: string;
    successor: string | null;
    chainId: number;
    contract: Hex;
    txHash: Hex;
    blockNumber: number;
    changedAt: string;
  };
}

export function eventIdOf(event: ChainStatusEvent): string {
  return `${event.txHash}:${event.logIndex}`;
}

/** Same (subscription, event) → same id, on every instance and every retry. */
export function deliveryIdOf(subscriptionId: string, eventId: string): string {
  return sha256Hex(`${subscriptionId}\n${eventId}`).slice(0, 32);
}

export class ChainFollower extends LoopWorker {
  readonly #deps: FollowerDeps;
  readonly #options: Required<FollowerOptions>;
  readonly #cursorKey: string;
  #backoffMs = 0;

  constructor(deps: FollowerDeps, options: FollowerOptions = {}) {
    super();
    this.#deps = deps;
    this.#options = { pollMs: 1_000, graceMs: 2_000, maxRange: 5_000, startBlock: 0, ...options };
    this.#cursorKey = `${deps.trust.chainId}:${deps.trust.registry.toLowerCase()}`;
  }

  /** One turn: a range of blocks; at once again when more are waiting, else after the poll interval or back-off. */
  protected async turn(): Promise<number> {
    let more = false;
    try {
      more = await this.runOnce();
      this.#backoffMs = 0;
    } catch (error) {
      this.#backoffMs = Math.min(Math.max(this.#backoffMs * 2, 500), 30_000);
      const unavailable = isEProofError(error, "CHAIN_UNAVAILABLE");
      this.#deps.logger[unavailable ? "warn" : "error"](
        { event: "chain_follower.failed", retryInMs: this.#backoffMs, ...(unavailable ? {} : { err: error }) },
        unavailable ? "chain unreachable; status events are read when it answers" : "chain follower failed; retrying",
      );
    }
    if (more && this.#backoffMs === 0) return 0;
    return this.#backoffMs || this.#options.pollMs;
  }

  /** Handles one range of blocks; true when more blocks are waiting. */
  async runOnce(): Promise<boolean> {
    const { events, subscriptions, logger, clock } = this.#deps;
    const latest = await events.latestBlock();
    let cursor = await subscriptions.chainCursor(this.#cursorKey);
    if (cursor !== null && cursor > latest) {
      logger.warn(
        { event: "chain_follower.chain_behind", cursor, latest },
        "the chain is behind the last processed block (restarted from older state); following from its head",
      );
      cursor = latest;
      await subscriptions.saveChainCursor(this.#cursorKey, cursor);
    }
    const from = cursor === null ? this.#options.startBlock : cursor + 1;
    if (from > latest) return false;
    const to = Math.min(latest, from + this.#options.maxRange - 1);
    const found = await events.statusEvents(from, to);
    const youngest = clock.now() - this.#options.graceMs;
    const young = found.find((event) => event.blockTime * 1000 > youngest);
    const done = young === undefined ? to : young.blockNumber - 1;
    let queued = 0;
    for (const event of found) {
      if (event.blockNumber > done) break;
      queued += await this.#handle(event);
    }
    if (done >= from) {
      await subscriptions.saveChainCursor(this.#cursorKey, done);
      this.#deps.onProgress?.(done, found.filter((event) => event.blockNumber <= done).length);
    }
    if (queued > 0) this.#deps.onQueued?.();
    return young === undefined && to < latest;
  }

  async #handle(event: ChainStatusEvent): Promise<number> {
    const { store, subscriptions } = this.#deps;
    let docType: string | null = event.kind === "BATCH_STATUS" ? event.docType || null : null;
    if (event.kind === "DOCUMENT_STATUS") {
      const stored = await store.getDocument(event.documentId);
      if (stored && stored.department === event.department) {
        docType = stored.type;
        const history = await store.statusHistory(event.documentId);
        if (!history.some((change) => change.txHash.toLowerCase() === event.txHash.toLowerCase())) {
          // Sent by someone else (another instance's lost record, or straight to the chain): the
          // chain holds no reason, so none is recorded.
          await store.recordStatusChanges([
            {
              documentId: event.documentId,
              status: event.status,
              reason: "recorded from the chain (the chain holds no reason)",
              reasonCode: 0,
              successor: event.successor,
              actor: CHAIN_ACTOR,
              txHash: event.txHash,
              changedAt: new Date(event.blockTime * 1000).toISOString(),
            },
          ]);
          this.#deps.logger.info(
            { event: "chain_follower.change_recorded", documentId: event.documentId, status: event.status, txHash: event.txHash },
            "status change seen on chain",
          );
        }
      }
    }
    const matching = await subscriptions.matchingSubscriptions({
      documentIds: event.kind === "DOCUMENT_STATUS" ? [event.documentId] : [],
      department: event.department,
      docType,
    });
    if (matching.length === 0) return 0;
    const eventId = eventIdOf(event);
    const deliveries: NewDelivery[] = [];
    for (const subscription of matching) {
      const id = deliveryIdOf(subscription.id, eventId);
      const payload: NotificationPayload = {
        iss: this.#deps.issuer,
        iat: Math.floor(this.#deps.clock.now() / 1000),
        jti: id,
        sub: subscription.id,
        event: {
          id: eventId,
          type: event.kind === "DOCUMENT_STATUS" ? "document.status_changed" : "batch.status_changed",
          documentId: event.kind === "DOCUMENT_STATUS" ? event.documentId : null,
          root: event.kind === "BATCH_STATUS" ? event.root : null,
          department: event.department,
          docType,
          status: event.status,
          successor: event.kind === "DOCUMENT_STATUS" ? event.successor : null,
          chainId: this.#deps.trust.chainId,
          contract: event.registry,
          txHash: event.txHash,
          blockNumber: event.blockNumber,
          changedAt: new Date(event.blockTime * 1000).toISOString(),
        },
      };
      deliveries.push({ id, subscriptionId: subscription.id, eventId, url: subscription.url, body: await this.#deps.signer.sign(payload) });
    }
    return subscriptions.enqueueDeliveries(deliveries);
  }
}
