/**
 * What every Store must do, whatever holds the data: run by sqlite-store.test.ts and pg-store.test.ts
 * against a real SQLite file and a real PostgreSQL schema.
 */
import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SqlStore } from "../../services/adapters/store/sql-store.ts";
import { buildMerkleTree, merkleTree } from "../../services/domain/merkle.ts";
import type { Hex, NewDocument } from "../../services/ports.ts";

/** Either dialect's store: every port it implements is held to the same behaviour. */
type Store = SqlStore;

export function doc(n: number, overrides: Partial<NewDocument> = {}): NewDocument {
  const id = n.toString(16).padStart(32, "0");
  return {
    id,
    department: "DEMO",
    type: "licence",
    issuedAt: `2026-11-22T10:00:${String(n % 60).padStart(2, "0")}Z`,
    leaf: `0x${n.toString(16).padStart(64, "0")}` as Hex,
    documentJson: JSON.stringify({ header: { id } }),
    ...overrides,
  };
}

/** n distinct documents from `from` on, with random leaves (a tree sorts its leaves: their order must not follow the seqs'). */
export function docs(count: number, from = 1): NewDocument[] {
  return Array.from({ length: count }, (_, i) => doc(from + i, { leaf: `0x${randomBytes(32).toString("hex")}` as Hex }));
}

/**
 * The tree migration, as both dialects' tests end it: doc(1) and doc(2) were sealed before trees were
 * kept (their proofs `oldProofs` stored as JSON) and keep serving them; doc(3)–doc(5), sealed now,
 * serve theirs from the batch's tree.
 */
export async function expectProofsAcrossTheTreeMigration(store: SqlStore, oldProofs: Hex[][]): Promise<void> {
  try {
    expect((await store.getDocument(doc(1).id))?.merkleProof).toEqual(oldProofs[0]);
    expect((await store.getDocument(doc(2).id))?.merkleProof).toEqual(oldProofs[1]);
    await store.insertDocuments([doc(3), doc(4), doc(5)]);
    await store.sealBatch("DEMO", "licence", 10, merkleTree);
    expect((await store.getDocument(doc(4).id))?.merkleProof).toEqual(buildMerkleTree([doc(3).leaf, doc(4).leaf, doc(5).leaf]).proofs[1]);
  } finally {
    await store.close();
  }
}

export interface StoreHarness {
  /** A store on a fresh, empty database. */
  create(): Promise<Store>;
  /** A new store on the same database as the last `create` (as after a restart). */
  reopen(): Promise<Store>;
  /** Removes the database. */
  destroy(): Promise<void>;
}

export function storeContract(name: string, harness: StoreHarness): void {
  describe(`${name} (store contract)`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await harness.create();
    });
    afterEach(async () => {
      await store.close();
      await harness.destroy();
    });

    it("keeps accepted documents across a reopen (durable once insert resolves)", async () => {
      await store.insertDocuments([doc(1), doc(2)]);
      await store.close();
      store = await harness.reopen();
      expect((await store.getDocument(doc(1).id))?.documentJson).toBe(doc(1).documentJson);
      expect(await store.countUnanchored()).toBe(2);
    });

    it("refuses a second document with the same id and keeps the first batch of inserts whole", async () => {
      await store.insertDocuments([doc(1)]);
      await expect(store.insertDocuments([doc(2), doc(1)])).rejects.toThrow();
      expect(await store.getDocument(doc(2).id)).toBeNull();
    });

    it("returns an accepted document with no batch, no proof and ACTIVE status, and null for an unknown id", async () => {
      await store.insertDocuments([doc(1)]);
      expect(await store.getDocument(doc(1).id)).toEqual({
        id: doc(1).id,
        department: "DEMO",
        type: "licence",
        issuedAt: doc(1).issuedAt,
        leaf: doc(1).leaf,
        documentJson: doc(1).documentJson,
        batch: null,
        merkleProof: null,
        status: { status: "ACTIVE", reason: null, reasonCode: 0, changedAt: null, successor: null },
      });
      expect(await store.getDocument(doc(9).id)).toBeNull();
    });

    it("seals at most maxSize unbatched documents of one department and type, oldest first, with their proofs", async () => {
      await store.insertDocuments([doc(1), doc(2), doc(3), doc(4, { type: "permit" })]);
      const groups = await store.unbatchedGroups();
      expect(groups.map((g) => [g.type, g.count, g.oldestIssuedAt])).toEqual([
        ["licence", 3, doc(1).issuedAt],
        ["permit", 1, doc(4).issuedAt],
      ]);
      const batch = await store.sealBatch("DEMO", "licence", 2, merkleTree);
      const tree = buildMerkleTree([doc(1).leaf, doc(2).leaf]);
      expect(batch).toMatchObject({ count: 2, state: "SEALED", department: "DEMO", type: "licence", root: tree.root });
      const first = await store.getDocument(doc(1).id);
      expect(first?.batch?.id).toBe(batch?.id);
      expect(first?.merkleProof).toEqual(tree.proofs[0]);
      expect((await store.getDocument(doc(2).id))?.merkleProof).toEqual(tree.proofs[1]);
      expect((await store.getDocument(doc(3).id))?.batch).toBeNull();
      expect((await store.getDocument(doc(3).id))?.merkleProof).toBeNull();
      expect(await store.countUnanchored()).toBe(4);
      expect(await store.sealBatch("OTHER", "licence", 2, merkleTree)).toBeNull();
    });

    it("gives every document of a sealed batch the proof its batch's whole tree gives, for every leaf of a 150-document batch", async () => {
      const batchDocs = docs(150);
      await store.insertDocuments(batchDocs);
      const batch = await store.sealBatch("DEMO", "licence", 150, merkleTree);
      const tree = buildMerkleTree(batchDocs.map((d) => d.leaf));
      expect(batch?.root).toBe(tree.root);
      for (const [i, d] of batchDocs.entries()) {
        const stored = await store.getDocument(d.id);
        expect(stored?.batch?.id, `document ${i}`).toBe(batch?.id);
        expect(stored?.merkleProof, `document ${i}`).toEqual(tree.proofs[i]);
      }
    });

    it("gives the proof the whole tree gives for every leaf of batches of 1, 3, 40, 64 and 65 documents", async () => {
      let from = 1;
      for (const size of [1, 3, 40, 64, 65]) {
        const batchDocs = docs(size, from);
        from += size;
        await store.insertDocuments(batchDocs);
        await store.sealBatch("DEMO", "licence", size, merkleTree);
        const { proofs } = buildMerkleTree(batchDocs.map((d) => d.leaf));
        for (const [i, d] of batchDocs.entries()) expect((await store.getDocument(d.id))?.merkleProof, `document ${i} of ${size}`).toEqual(proofs[i]);
      }
    });

    it("reads the proofs of a 4,200-document batch, three chunks of its tree deep, as the whole tree gives them", async () => {
      const batchDocs = docs(4_200);
      await store.insertDocuments(batchDocs);
      await store.insertDocuments([doc(9_000, { type: "permit" })]);
      const batch = await store.sealBatch("DEMO", "licence", 5_000, merkleTree);
      expect(batch?.count).toBe(4_200);
      const tree = merkleTree(batchDocs.map((d) => d.leaf));
      const { proofs } = buildMerkleTree(batchDocs.map((d) => d.leaf));
      // The smallest and largest leaves (the two depths of the tree's last levels) and a spread between them.
      const order = [...tree.leafIndex.keys()].sort((a, b) => (tree.leafIndex[a] as number) - (tree.leafIndex[b] as number));
      const sample = new Set([...order.slice(0, 5), ...order.slice(-5), ...order.filter((_, k) => k % 97 === 0)]);
      for (const i of sample) {
        const proof = (await store.getDocument(batchDocs[i]?.id as string))?.merkleProof;
        expect(proof, `document ${i}`).toEqual(proofs[i]);
        expect(proof?.length).toBeGreaterThanOrEqual(12);
      }
      expect((await store.getDocument(doc(9_000).id))?.merkleProof).toBeNull();
    });

    it("stores a large request whole, in order, and stores nothing of one that fails at its last document", async () => {
      const first = docs(1_000);
      await store.insertDocuments(first);
      for (const i of [0, 127, 128, 999]) expect((await store.getDocument(first[i]?.id as string))?.documentJson).toBe(first[i]?.documentJson);
      const batch = await store.sealBatch("DEMO", "licence", 300, merkleTree);
      expect(batch?.root, "the oldest 300 are sealed first").toBe(merkleTree(first.slice(0, 300).map((d) => d.leaf)).root);
      const second = [...docs(299, 2_000), doc(5)];
      await expect(store.insertDocuments(second)).rejects.toThrow();
      expect(await store.getDocument(second[0]?.id as string)).toBeNull();
      expect(await store.getDocument(second[298]?.id as string)).toBeNull();
      expect(await store.countUnanchored()).toBe(1_000);
    });

    it("moves a batch SEALED → SENT → ANCHORED and back to SEALED when the chain lost it", async () => {
      await store.insertDocuments([doc(1)]);
      const batch = await store.sealBatch("DEMO", "licence", 10, merkleTree);
      if (!batch) throw new Error("no batch");
      await store.markBatchSent(batch.id);
      expect((await store.unfinishedBatches())[0]?.state).toBe("SENT");
      const txHash = `0x${"11".repeat(32)}` as Hex;
      await store.markBatchAnchored(batch.id, { txHash, blockNumber: 7, blockTime: 1_700_000_000 });
      expect(await store.unfinishedBatches()).toEqual([]);
      expect(await store.countUnanchored()).toBe(0);
      expect((await store.recentAnchoredBatches(5))[0]).toEqual({ ...batch, state: "ANCHORED", txHash, blockNumber: 7, blockTime: 1_700_000_000 });
      expect((await store.getDocument(doc(1).id))?.batch).toMatchObject({ state: "ANCHORED", txHash });
      await store.markBatchLost(batch.id);
      expect((await store.unfinishedBatches())[0]).toMatchObject({ state: "SEALED", txHash: null, blockNumber: null });
    });

    it("lists anchored batches newest first, at most `limit`", async () => {
      await store.insertDocuments([doc(1), doc(2), doc(3)]);
      const receipt = { txHash: `0x${"33".repeat(32)}` as Hex, blockNumber: 1, blockTime: 1 };
      const ids: number[] = [];
      for (let i = 0; i < 3; i++) {
        const batch = await store.sealBatch("DEMO", "licence", 1, merkleTree);
        if (!batch) throw new Error("no batch");
        await store.markBatchAnchored(batch.id, receipt);
        ids.push(batch.id);
      }
      expect((await store.recentAnchoredBatches(2)).map((b) => b.id)).toEqual([ids[2], ids[1]]);
    });

    it("finds earlier documents by idempotency key within the department only", async () => {
      await store.insertDocuments([doc(1, { idempotencyKey: "row-1" })]);
      expect(await store.findByIdempotencyKey("DEMO", ["row-1", "row-2"])).toEqual(new Map([["row-1", doc(1).id]]));
      expect((await store.findByIdempotencyKey("OTHER", ["row-1"])).size).toBe(0);
    });

    it("refuses a second document with the same idempotency key in one department", async () => {
      await store.insertDocuments([doc(1, { idempotencyKey: "row-1" })]);
      await expect(store.insertDocuments([doc(2, { idempotencyKey: "row-1" })])).rejects.toMatchObject({ code: "DUPLICATE_REQUEST" });
      await store.insertDocuments([doc(3, { idempotencyKey: "row-1", department: "OTHER" })]);
      expect(await store.getDocument(doc(2).id)).toBeNull();
    });

    it("records status changes as history and as the current status", async () => {
      await store.insertDocuments([doc(1)]);
      const change = { documentId: doc(1).id, reason: "breach", reasonCode: 3, successor: null, actor: "k1", txHash: `0x${"22".repeat(32)}` as Hex };
      await store.recordStatusChanges([{ ...change, status: "SUSPENDED", changedAt: "2026-11-22T10:00:00.000Z" }]);
      await store.recordStatusChanges([{ ...change, status: "SUPERSEDED", successor: doc(2).id, changedAt: "2026-11-22T11:00:00.000Z" }]);
      expect((await store.statusHistory(doc(1).id)).map((c) => [c.status, c.successor])).toEqual([
        ["SUSPENDED", null],
        ["SUPERSEDED", doc(2).id],
      ]);
      expect((await store.getDocument(doc(1).id))?.status).toEqual({
        status: "SUPERSEDED",
        reason: "breach",
        reasonCode: 3,
        changedAt: "2026-11-22T11:00:00.000Z",
        successor: doc(2).id,
      });
    });

    it("finds API keys only by their hash", async () => {
      await store.insertApiKey({ id: "k1", department: "DEMO", label: "officer", types: ["licence"], revoked: false }, "hash-1");
      // A key stored without a role is an officer's key.
      expect(await store.findApiKey("hash-1")).toEqual({ id: "k1", department: "DEMO", label: "officer", types: ["licence"], revoked: false, role: "officer" });
      expect(await store.findApiKey("nope")).toBeNull();
    });

    it("stores relying-party and admin keys with their role, across a reopen", async () => {
      await store.insertApiKey({ id: "rp", department: "*", label: "bank", types: [], revoked: false, role: "relying-party" }, "hash-rp");
      await store.insertApiKey({ id: "adm", department: "*", label: "admin", types: [], revoked: false, role: "admin" }, "hash-adm");
      await store.close();
      store = await harness.reopen();
      expect(await store.findApiKey("hash-rp")).toEqual({ id: "rp", department: "*", label: "bank", types: [], revoked: false, role: "relying-party" });
      expect((await store.findApiKey("hash-adm"))?.role).toBe("admin");
    });

    it("keeps signing-key metadata ordered by department and key number", async () => {
      const key = {
        department: "DEMO",
        kid: "DEMO-2",
        keyNumber: 2,
        thumbprint: `0x${"44".repeat(32)}` as Hex,
        publicJwk: { kty: "EC", crv: "P-256", x: "x", y: "y" },
        validFrom: "2026-11-22T10:00:00.000Z",
        validUntil: null,
        compromisedAt: null,
      };
      await store.insertSigningKey(key);
      await store.insertSigningKey({ ...key, kid: "DEMO-1", keyNumber: 1, thumbprint: `0x${"55".repeat(32)}`, validUntil: "2026-11-23T10:00:00.000Z" });
      expect((await store.signingKeys()).map((k) => [k.kid, k.validUntil])).toEqual([
        ["DEMO-1", "2026-11-23T10:00:00.000Z"],
        ["DEMO-2", null],
      ]);
      expect((await store.signingKeys())[1]).toEqual(key);
    });
  });
}
