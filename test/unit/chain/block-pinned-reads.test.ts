/**
 * The verify API's block-pinned chain reads: an answer is the state at one block and is reused only
 * while that block is still the head read within `freshMs`; anything else reads afresh.
 */
import { describe, expect, it } from "vitest";
import { BlockPinnedReads, type CarryOver, type ChainHead, type PinnedVerificationReader } from "../../../services/adapters/chain/block-pinned-reads.ts";
import type { VerificationRecord } from "../../../services/domain/verification-record.ts";
import { EProofError } from "../../../services/errors.ts";
import type { Hex, VerificationQuery } from "../../../services/ports.ts";

const hashOf = (n: number, fork = 0) => `0x${(n * 16 + fork).toString(16).padStart(64, "0")}` as Hex;

function record(status: VerificationRecord["document"]["status"]): VerificationRecord {
  return {
    batch: { anchored: true, department: "DEMO", docType: "licence", count: 1, blockNumber: 3, anchoredAt: 1_700_000_000, status: "ACTIVE" },
    document: { status, changedAt: 0, successor: null },
    department: { registered: true, suspended: false },
    typeGrant: { grantedAt: 1, withdrawnAt: 0 },
    key: { registered: true, validFrom: 1, validUntil: 0, compromisedAt: 0, registeredBlock: 1 },
  };
}

/** A chain whose head and per-block document statuses the test sets; it counts every read. */
class FakeChain implements PinnedVerificationReader {
  head_: ChainHead = { number: 10, hash: hashOf(10) };
  statusAt = new Map<number, VerificationRecord["document"]["status"]>();
  /** Blocks from which on the batch is anchored (default: always). */
  anchoredFrom = 0;
  down = false;
  headReads = 0;
  recordReads: Array<{ documentId: string; block: number }> = [];
  /** Resolves the next head read only when released (for the race test). */
  holdHead: Promise<void> | null = null;

  async head(): Promise<ChainHead> {
    this.headReads += 1;
    const seen = this.head_;
    if (this.holdHead) await this.holdHead;
    if (this.down) throw new EProofError("CHAIN_UNAVAILABLE", "cannot reach the ledger");
    return seen;
  }

  async verificationRecordAt(query: VerificationQuery, block: number): Promise<VerificationRecord> {
    this.recordReads.push({ documentId: query.documentId, block });
    if (this.down) throw new EProofError("CHAIN_UNAVAILABLE", "cannot reach the ledger");
    const answer = record(this.statusAt.get(block) ?? "ACTIVE");
    return block >= this.anchoredFrom ? answer : { ...answer, batch: { ...answer.batch, anchored: false } };
  }
}

const query = (documentId: string): VerificationQuery => ({ department: "DEMO", root: hashOf(99), documentId, keyFingerprint: hashOf(98) });

function setUp(freshMs = 250) {
  const chain = new FakeChain();
  let now = 1_000;
  const reads = new BlockPinnedReads(chain, { freshMs, now: () => now });
  return { chain, reads, advance: (ms: number) => (now += ms) };
}

describe("block-pinned verification reads", () => {
  it("reads each document once per block, pinned to the head it read, and says which block the answer reflects", async () => {
    const { chain, reads } = setUp();
    const first = await reads.verificationRecord(query("a"));
    await reads.verificationRecord(query("a"));
    await reads.verificationRecord(query("b"));
    expect(chain.headReads).toBe(1);
    expect(chain.recordReads).toEqual([
      { documentId: "a", block: 10 },
      { documentId: "b", block: 10 },
    ]);
    expect(first.readAt).toEqual({ blockNumber: 10, blockHash: hashOf(10) });
  });

  it("shows a revocation mined in a new block once the head is read again, at most freshMs later", async () => {
    const { chain, reads, advance } = setUp(250);
    expect((await reads.verificationRecord(query("a"))).document.status).toBe("ACTIVE");
    chain.head_ = { number: 11, hash: hashOf(11) };
    chain.statusAt.set(11, "REVOKED");
    advance(249);
    // Still within freshMs of the last head read: the answer of block 10, and it says so.
    expect((await reads.verificationRecord(query("a"))).readAt?.blockNumber).toBe(10);
    advance(1);
    const after = await reads.verificationRecord(query("a"));
    expect(after.document.status).toBe("REVOKED");
    expect(after.readAt).toEqual({ blockNumber: 11, blockHash: hashOf(11) });
  });

  it("reads afresh at once after invalidate() (a transaction this instance saw mined)", async () => {
    const { chain, reads } = setUp(1_000);
    await reads.verificationRecord(query("a"));
    chain.head_ = { number: 11, hash: hashOf(11) };
    chain.statusAt.set(11, "SUSPENDED");
    reads.invalidate();
    expect((await reads.verificationRecord(query("a"))).document.status).toBe("SUSPENDED");
  });

  it("does not keep an answer across a different block at the same height (a chain that went back)", async () => {
    const { chain, reads, advance } = setUp();
    await reads.verificationRecord(query("a"));
    chain.head_ = { number: 10, hash: hashOf(10, 1) };
    advance(250);
    await reads.verificationRecord(query("a"));
    expect(chain.recordReads).toHaveLength(2);
  });

  it("fails (UNAVAILABLE to the verifier) once the head cannot be read, and keeps no failed read", async () => {
    const { chain, reads, advance } = setUp();
    await reads.verificationRecord(query("a"));
    chain.down = true;
    advance(250);
    await expect(reads.verificationRecord(query("a"))).rejects.toMatchObject({ code: "CHAIN_UNAVAILABLE" });
    chain.down = false;
    // A record read that fails is dropped, and the head is read again on the next verification.
    chain.head_ = { number: 12, hash: hashOf(12) };
    chain.down = true;
    await expect(reads.verificationRecord(query("b"))).rejects.toMatchObject({ code: "CHAIN_UNAVAILABLE" });
    chain.down = false;
    expect((await reads.verificationRecord(query("b"))).readAt?.blockNumber).toBe(12);
  });

  it("does not take a head read that started before invalidate() as current", async () => {
    const { chain, reads } = setUp(1_000);
    let release = () => {};
    chain.holdHead = new Promise<void>((resolve) => {
      release = resolve;
    });
    const pending = reads.verificationRecord(query("a"));
    // The head read above saw block 10; then block 11 is mined and this instance is told.
    chain.head_ = { number: 11, hash: hashOf(11) };
    chain.statusAt.set(11, "REVOKED");
    reads.invalidate();
    chain.holdHead = null;
    release();
    const answer = await pending;
    expect(answer.readAt?.blockNumber).toBe(11);
    expect(answer.document.status).toBe("REVOKED");
  });

  it("shares one head read among concurrent verifications", async () => {
    const { chain, reads } = setUp();
    await Promise.all(["a", "b", "c", "d"].map((id) => reads.verificationRecord(query(id))));
    expect(chain.headReads).toBe(1);
  });

  it("checks a 'not anchored' answer again at a freshly read head: a batch anchored since by someone else is seen at once", async () => {
    const { chain, reads, advance } = setUp(250);
    chain.anchoredFrom = 11;
    await reads.verificationRecord(query("other"));
    // Someone else anchors in block 11, within freshMs of the last head read.
    chain.head_ = { number: 11, hash: hashOf(11) };
    advance(10);
    const answer = await reads.verificationRecord(query("a"));
    expect(answer.batch.anchored).toBe(true);
    expect(answer.readAt?.blockNumber).toBe(11);
    // An answer that stays "not anchored" at the fresh head is that head's answer.
    chain.anchoredFrom = 99;
    advance(300);
    expect((await reads.verificationRecord(query("b"))).batch.anchored).toBe(false);
  });
});

/** Block n of a chain (fork f): its parent is block n-1 of the same fork. */
const block = (n: number, fork = 0): ChainHead => ({ number: n, hash: hashOf(n, fork), parentHash: hashOf(n - 1, fork) });

/** The fake chain's blocks, for the carry-over: which changed a record, and their headers. */
class FakeBlocks implements CarryOver {
  /** Blocks that changed a record (a status change, a key or department change). */
  busy = new Set<number>();
  checked: number[] = [];
  headers: number[] = [];
  fork = 0;
  async changesNoRecord(head: ChainHead): Promise<boolean> {
    this.checked.push(head.number);
    return !this.busy.has(head.number);
  }
  async headerAt(blockNumber: number): Promise<ChainHead> {
    this.headers.push(blockNumber);
    return block(blockNumber, this.fork);
  }
}

function setUpCarrying(freshMs = 250, maxCarryBlocks?: number) {
  const chain = new FakeChain();
  chain.head_ = block(10);
  const blocks = new FakeBlocks();
  let now = 1_000;
  const reads = new BlockPinnedReads(chain, { freshMs, now: () => now, carry: blocks, ...(maxCarryBlocks ? { maxCarryBlocks } : {}) });
  return { chain, blocks, reads, advance: (ms: number) => (now += ms) };
}

describe("block-pinned verification reads carried across blocks that changed no record", () => {
  it("answers at the new head without reading again when the block since changed no record, and says so", async () => {
    const { chain, blocks, reads, advance } = setUpCarrying();
    await reads.verificationRecord(query("a"));
    chain.head_ = block(11);
    advance(250);
    const answer = await reads.verificationRecord(query("a"));
    expect(chain.recordReads).toEqual([{ documentId: "a", block: 10 }]);
    expect(blocks.checked).toEqual([11]);
    expect(answer.readAt).toEqual({ blockNumber: 11, blockHash: hashOf(11) });
    // A document not asked for before is read at the new head.
    await reads.verificationRecord(query("b"));
    expect(chain.recordReads).toEqual([
      { documentId: "a", block: 10 },
      { documentId: "b", block: 11 },
    ]);
  });

  it("reads afresh after a block that may have changed a record: a revocation in it shows at once", async () => {
    const { chain, blocks, reads, advance } = setUpCarrying();
    await reads.verificationRecord(query("a"));
    chain.head_ = block(11);
    chain.statusAt.set(11, "REVOKED");
    blocks.busy.add(11);
    advance(250);
    const answer = await reads.verificationRecord(query("a"));
    expect(answer.document.status).toBe("REVOKED");
    expect(answer.readAt?.blockNumber).toBe(11);
  });

  it("reads afresh when the new head does not descend from the answers' block (the chain went another way)", async () => {
    const { chain, reads, advance } = setUpCarrying();
    await reads.verificationRecord(query("a"));
    chain.head_ = block(11, 1);
    advance(250);
    await reads.verificationRecord(query("a"));
    expect(chain.recordReads).toEqual([
      { documentId: "a", block: 10 },
      { documentId: "a", block: 11 },
    ]);
  });

  it("checks every block of a longer move, through the headers between, and reads afresh when one of them changed a record", async () => {
    const { chain, blocks, reads, advance } = setUpCarrying();
    await reads.verificationRecord(query("a"));
    chain.head_ = block(13);
    advance(250);
    expect((await reads.verificationRecord(query("a"))).readAt?.blockNumber).toBe(13);
    expect(blocks.headers).toEqual([12, 11]);
    expect(blocks.checked.sort()).toEqual([11, 12, 13]);
    expect(chain.recordReads).toHaveLength(1);
    blocks.busy.add(15);
    chain.head_ = block(16);
    chain.statusAt.set(16, "SUSPENDED");
    advance(250);
    expect((await reads.verificationRecord(query("a"))).document.status).toBe("SUSPENDED");
    expect(chain.recordReads).toHaveLength(2);
  });

  it("reads afresh after a move of more than maxCarryBlocks blocks, or a header between that is not the parent", async () => {
    const { chain, blocks, reads, advance } = setUpCarrying(250, 2);
    await reads.verificationRecord(query("a"));
    chain.head_ = block(13);
    advance(250);
    await reads.verificationRecord(query("a"));
    expect(chain.recordReads).toHaveLength(2);
    expect(blocks.checked).toEqual([]);
    // The node gives a header of another fork for the block between.
    blocks.fork = 1;
    chain.head_ = block(15);
    advance(250);
    await reads.verificationRecord(query("a"));
    expect(chain.recordReads).toHaveLength(3);
  });

  it("never carries a 'not anchored' answer: it may change with any anchoring", async () => {
    const { chain, reads, advance } = setUpCarrying();
    chain.anchoredFrom = 99;
    expect((await reads.verificationRecord(query("a"))).batch.anchored).toBe(false);
    chain.head_ = block(11);
    chain.anchoredFrom = 11;
    advance(250);
    expect((await reads.verificationRecord(query("a"))).batch.anchored).toBe(true);
  });
});
