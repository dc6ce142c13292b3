/**
 * Verification reads pinned to the chain head, and kept while the head stays the same block.
 *
 * Every answer is the chain's state AT one block: the head (number and hash) is read at most once per
 * `freshMs`, and each verificationRecord is an eth_call at that block number. An answer read at head H
 * is reused only while H is still the head known to be current (checked within the last `freshMs`):
 * the first verification after a new block, a different block at the same height (a chain that went
 * back), or an invalidation (a transaction this instance saw mined, a governance change, a status event
 * the chain follower read) reads afresh. So a revocation, suspension or key compromise shows in the
 * verdict at most `freshMs` after its block, and a chain that stops answering gives UNAVAILABLE at most
 * `freshMs` after its last answer: no answer is ever older than that. The answer says which block it
 * reflects (`readAt`). A record that says "not anchored" is checked once more at a freshly read head
 * (a batch anchored in the last `freshMs` by someone else must not look unanchored), so only a
 * status, key or grant change may show up to `freshMs` late.
 *
 * RPC cost: one head read per `freshMs` for the whole service, plus one eth_call per distinct
 * (registry, department, root, document, key) per block.
 */
import type { VerificationRecord } from "../../domain/verification-record.ts";
import type { Hex, Ledger, VerificationQuery } from "../../ports.ts";

/** The chain's latest block, as the head read gives it. */
export interface ChainHead {
  number: number;
  hash: Hex;
}

/** What the pinned reads need of the chain adapter (EthersLedger). */
export interface PinnedVerificationReader {
  head(): Promise<ChainHead>;
  verificationRecordAt(query: VerificationQuery, blockNumber: number): Promise<VerificationRecord>;
}

export interface BlockPinnedReadsOptions {
  /** How long a head read is taken as current, ms (EPROOF_VERIFY_HEAD_MS). */
  freshMs: number;
  /** Most answers kept for one block (then the cache starts again empty). */
  maxEntries?: number;
  /** Milliseconds, monotonic enough (tests give a fake clock). */
  now?: () => number;
}

export class BlockPinnedReads implements Pick<Ledger, "verificationRecord"> {
  readonly #reader: PinnedVerificationReader;
  readonly #freshMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  #head: { head: ChainHead; readAt: number } | null = null;
  #refresh: Promise<ChainHead> | null = null;
  /** Bumped by invalidate(): a head read started before it is not taken as current after it. */
  #generation = 0;
  #entries = new Map<string, Promise<VerificationRecord>>();
  #entriesHash: Hex | null = null;

  constructor(reader: PinnedVerificationReader, options: BlockPinnedReadsOptions) {
    this.#reader = reader;
    this.#freshMs = options.freshMs;
    this.#maxEntries = options.maxEntries ?? 100_000;
    this.#now = options.now ?? (() => performance.now());
  }

  /** The chain changed (or may have): the next verification reads the head and its answers afresh. */
  invalidate(): void {
    this.#generation += 1;
    this.#head = null;
    this.#refresh = null;
  }

  async verificationRecord(query: VerificationQuery): Promise<VerificationRecord> {
    const head = await this.#currentHead();
    if (this.#entriesHash !== head.hash) {
      this.#entries = new Map();
      this.#entriesHash = head.hash;
    }
    const key = `${query.registry ?? ""}|${query.department}|${query.root}|${query.documentId}|${query.keyFingerprint}`;
    let answer = this.#entries.get(key);
    if (answer === undefined) {
      if (this.#entries.size >= this.#maxEntries) this.#entries.clear();
      const entries = this.#entries;
      answer = this.#read(query, head).then(async (record) => {
        if (record.batch.anchored) return record;
        // Not anchored as of a head read up to freshMs ago: a batch anchored since (by another
        // instance, or anyone) must not look unanchored, so ask again at the head as it is now.
        this.invalidate();
        const now = await this.#currentHead();
        return now.hash === head.hash ? record : this.#read(query, now);
      });
      entries.set(key, answer);
      // A failed read is not kept: the next verification asks the chain again.
      answer.catch(() => {
        if (entries.get(key) === answer) entries.delete(key);
        this.invalidate();
      });
    }
    return answer;
  }

  async #read(query: VerificationQuery, head: ChainHead): Promise<VerificationRecord> {
    const record = await this.#reader.verificationRecordAt(query, head.number);
    return { ...record, readAt: { blockNumber: head.number, blockHash: head.hash } };
  }

  async #currentHead(): Promise<ChainHead> {
    for (;;) {
      const known = this.#head;
      if (known && this.#now() - known.readAt < this.#freshMs) return known.head;
      const generation = this.#generation;
      if (this.#refresh === null) {
        const started = this.#now();
        const refresh = this.#reader.head().then(
          (head) => {
            if (this.#generation === generation) this.#head = { head, readAt: started };
            return head;
          },
          (error: unknown) => {
            if (this.#generation === generation) this.#head = null;
            throw error;
          },
        );
        this.#refresh = refresh;
        void refresh.then(
          () => this.#clearRefresh(refresh),
          () => this.#clearRefresh(refresh),
        );
      }
      const head = await this.#refresh;
      // Invalidated while the head was being read: that head may predate the change; read again.
      if (this.#generation === generation) return head;
    }
  }

  #clearRefresh(refresh: Promise<ChainHead>): void {
    if (this.#refresh === refresh) this.#refresh = null;
  }
}
