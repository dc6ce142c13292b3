/**
 * Verification reads pinned to the chain head, and kept while the head stays the same block, or moves
 * on by blocks that provably change no verification record.
 *
 * Every answer is the chain's state AT one block: the head (number and hash) is read at most once per
 * `freshMs`, and each verificationRecord is an eth_call at that block number. An answer read at head H
 * is reused only while H is still the head known to be current (checked within the last `freshMs`):
 * the first verification after a new block, a different block at the same height (a chain that went
 * back), or an invalidation (a transaction this instance saw mined, a governance change, a status event
 * the chain follower read) looks at the head afresh. So a revocation, suspension or key compromise shows
 * in the verdict at most `freshMs` after its block, and a chain that stops answering gives UNAVAILABLE
 * at most `freshMs` after its last answer: no answer is ever older than that. The answer says which
 * block it reflects (`readAt`). A record that says "not anchored" is checked once more at a freshly
 * read head (a batch anchored in the last `freshMs` by someone else must not look unanchored), so only a
 * status, key or grant change may show up to `freshMs` late.
 *
 * Carried answers (`carry`): when the new head H' descends from H (each block's parent hash checked, at
 * most `maxCarryBlocks` blocks on) and every block between says, through its logs bloom and logs, that it
 * changed no verification record (quiet-blocks.ts: no log of the trusted registries but new anchorings
 * in the current one), the answers of "anchored" records read at H are the answers at H' too, and are
 * served as such (readAt H'). A block that may hold anything else, a fork, a gap too long or any doubt
 * reads afresh, as without `carry`. Under a mixed load every anchoring is a new block: without carrying,
 * almost every verification was an eth_call again.
 *
 * RPC cost: one head read per `freshMs` for the whole service, plus one eth_call per distinct
 * (registry, department, root, document, key) per block, or, carrying, per stretch of quiet blocks
 * (which cost a log read each when the current registry may have logged in them).
 */
import type { VerificationRecord } from "../../domain/verification-record.ts";
import type { Hex, Ledger, VerificationQuery } from "../../ports.ts";

/** The chain's latest block, as the head read gives it. */
export interface ChainHead {
  number: number;
  hash: Hex;
  /** The parent block's hash; absent: answers are not carried to or from this block. */
  parentHash?: Hex;
  /** The block's logs bloom (256 bytes, 0x-hex); absent: answers are not carried to this block. */
  logsBloom?: Hex;
}

/** What the pinned reads need of the chain adapter (EthersLedger). */
export interface PinnedVerificationReader {
  head(): Promise<ChainHead>;
  verificationRecordAt(query: VerificationQuery, blockNumber: number): Promise<VerificationRecord>;
}

/** How answers cross to a new head (quiet-blocks.ts): whether blocks changed no record, and the headers between two heads. */
export interface CarryOver {
  /** True only when `block` provably changed no verification record; any doubt (or a failed read) is false. */
  changesNoRecord(block: ChainHead): Promise<boolean>;
  /** The header of block `number` (parentHash and logsBloom included), for a head that moved by more than one block. */
  headerAt(blockNumber: number): Promise<ChainHead>;
}

export interface BlockPinnedReadsOptions {
  /** How long a head read is taken as current, ms (EPROOF_VERIFY_HEAD_MS). */
  freshMs: number;
  /** Most answers kept for one block (then the cache starts again empty). */
  maxEntries?: number;
  /** Milliseconds, monotonic enough (tests give a fake clock). */
  now?: () => number;
  /** Carries answers across blocks that changed no record (see above); absent: every new block reads afresh. */
  carry?: CarryOver;
  /** Most blocks a head may move on by for answers to be carried (default 4; a longer move reads afresh). */
  maxCarryBlocks?: number;
}

/** An answer kept for one head: the read in flight, and once it has answered, its record. */
interface Entry {
  answer: Promise<VerificationRecord>;
  settled?: VerificationRecord;
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
  readonly #carry: CarryOver | undefined;
  readonly #maxCarryBlocks: number;
  #entries = new Map<string, Entry>();
  /** The head the entries are answers at. */
  #entriesHead: ChainHead | null = null;
  /** The move of the entries to a newer head, while it is being checked. */
  #moving: { head: ChainHead; entries: Promise<Map<string, Entry> | null> } | null = null;

  constructor(reader: PinnedVerificationReader, options: BlockPinnedReadsOptions) {
    this.#reader = reader;
    this.#freshMs = options.freshMs;
    this.#maxEntries = options.maxEntries ?? 100_000;
    this.#now = options.now ?? (() => performance.now());
    this.#carry = options.carry;
    this.#maxCarryBlocks = options.maxCarryBlocks ?? 4;
  }

  /**
   * The chain changed (or may have): the next verification reads the head afresh, and answers reach a
   * new head only as the blocks between allow (`carry`).
   */
  invalidate(): void {
    this.#generation += 1;
    this.#head = null;
    this.#refresh = null;
  }

  async verificationRecord(query: VerificationQuery): Promise<VerificationRecord> {
    const head = await this.#currentHead();
    const entries = await this.#entriesAt(head);
    // A head older than the one the answers are kept for (a verification that read it just before a
    // newer one was taken): answered at its head, and not kept.
    if (entries === null) return this.#checked(query, head);
    const key = `${query.registry ?? ""}|${query.department}|${query.root}|${query.documentId}|${query.keyFingerprint}`;
    let entry = entries.get(key);
    if (entry === undefined) {
      if (entries.size >= this.#maxEntries) entries.clear();
      const answer = this.#checked(query, head);
      const created: Entry = { answer };
      entry = created;
      entries.set(key, created);
      answer.then(
        (record) => {
          created.settled = record;
        },
        // A failed read is not kept: the next verification asks the chain again.
        () => {
          if (entries.get(key) === created) entries.delete(key);
          this.invalidate();
        },
      );
    }
    return entry.answer;
  }

  /** The record at `head`; one that says "not anchored" is asked again at the head as it is now. */
  async #checked(query: VerificationQuery, head: ChainHead): Promise<VerificationRecord> {
    const record = await this.#read(query, head);
    if (record.batch.anchored) return record;
    // Not anchored as of a head read up to freshMs ago: a batch anchored since (by another
    // instance, or anyone) must not look unanchored, so ask again at the head as it is now.
    this.invalidate();
    const now = await this.#currentHead();
    return now.hash === head.hash ? record : this.#read(query, now);
  }

  /**
   * The answers kept for `head`: those kept already, or, for a newer head, the ones carried to it (or
   * none); null for a head older than the one they are kept for.
   */
  async #entriesAt(head: ChainHead): Promise<Map<string, Entry> | null> {
    const at = this.#entriesHead;
    if (at?.hash === head.hash) return this.#entries;
    if (at !== null && head.number < at.number) return null;
    if (this.#moving?.head.hash !== head.hash) this.#moving = { head, entries: this.#moveTo(head) };
    return this.#moving.entries;
  }

  /** Moves the answers to `head`: those carried when the blocks since their head changed no record, else none. */
  async #moveTo(head: ChainHead): Promise<Map<string, Entry> | null> {
    const from = this.#entriesHead;
    const quiet = from !== null && (await this.#unchangedBetween(from, head).catch(() => false));
    // Another move may have taken a newer head meanwhile: it is the one kept.
    const current = this.#entriesHead;
    if (current !== from && current !== null && current.number >= head.number) return current.hash === head.hash ? this.#entries : null;
    const carried = new Map<string, Entry>();
    if (quiet && from !== null) {
      const readAt = { blockNumber: head.number, blockHash: head.hash };
      for (const [key, entry] of this.#entries) {
        const record = entry.settled;
        // Only what was read at `from` itself, and anchored (a "not anchored" answer may change with any anchoring).
        if (record?.batch.anchored !== true || record.readAt?.blockHash !== from.hash) continue;
        const moved = { ...record, readAt };
        carried.set(key, { answer: Promise.resolve(moved), settled: moved });
      }
    }
    this.#entries = carried;
    this.#entriesHead = head;
    if (this.#moving?.head.hash === head.hash) this.#moving = null;
    return carried;
  }

  /** Whether `to` descends from `from` by at most maxCarryBlocks blocks, none of which changed a record. */
  async #unchangedBetween(from: ChainHead, to: ChainHead): Promise<boolean> {
    const carry = this.#carry;
    if (carry === undefined || to.number <= from.number || to.number - from.number > this.#maxCarryBlocks) return false;
    const between = [to];
    let block = to;
    while (block.number > from.number + 1) {
      const parent = await carry.headerAt(block.number - 1);
      if (block.parentHash === undefined || parent.hash !== block.parentHash) return false;
      between.push(parent);
      block = parent;
    }
    if (block.parentHash !== from.hash) return false;
    for (const each of between) if (!(await carry.changesNoRecord(each))) return false;
    return true;
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
