import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SQLITE_MIGRATIONS } from "../../services/adapters/store/sqlite-schema.ts";
import { SqliteStore } from "../../services/adapters/store/sqlite-store.ts";
import type { Hex, NewDocument } from "../../services/ports.ts";

function doc(n: number, overrides: Partial<NewDocument> = {}): NewDocument {
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

/** A stand-in tree: the root is the first leaf, each proof names its position. */
const fakeTree = (leaves: Hex[]) => ({ root: `0x${"ab".repeat(31)}${leaves.length.toString(16).padStart(2, "0")}` as Hex, proofs: leaves.map((l) => [l]) });

describe("SqliteStore", () => {
  let dir: string;
  let path: string;
  let store: SqliteStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "eproof-store-"));
    path = join(dir, "eproof.sqlite");
    store = new SqliteStore(path);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps accepted documents across a reopen (durable once insert resolves)", async () => {
    await store.insertDocuments([doc(1), doc(2)]);
    await store.close();
    store = new SqliteStore(path);
    expect((await store.getDocument(doc(1).id))?.documentJson).toBe(doc(1).documentJson);
    expect(await store.countUnanchored()).toBe(2);
  });

  it("migrates a database of the first schema without losing its documents", async () => {
    await store.close();
    rmSync(path, { force: true });
    const old = new DatabaseSync(path);
    old.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
    old.exec(SQLITE_MIGRATIONS[0] as string);
    old.prepare("INSERT INTO schema_migrations VALUES (1, '2026-11-22')").run();
    old
      .prepare("INSERT INTO documents (id, department, type, issued_at, leaf, document_json) VALUES (?, ?, ?, ?, ?, ?)")
      .run(doc(1).id, "DEMO", "licence", doc(1).issuedAt, doc(1).leaf, doc(1).documentJson);
    old.close();
    store = new SqliteStore(path);
    expect((await store.getDocument(doc(1).id))?.documentJson).toBe(doc(1).documentJson);
  });

  it("refuses a second document with the same id and keeps the first batch of inserts whole", async () => {
    await store.insertDocuments([doc(1)]);
    await expect(store.insertDocuments([doc(2), doc(1)])).rejects.toThrow();
    expect(await store.getDocument(doc(2).id)).toBeNull();
  });

  it("seals at most maxSize unbatched documents of one department and type, oldest first, with their proofs", async () => {
    await store.insertDocuments([doc(1), doc(2), doc(3), doc(4, { type: "permit" })]);
    const groups = await store.unbatchedGroups();
    expect(groups.map((g) => [g.type, g.count])).toEqual([
      ["licence", 3],
      ["permit", 1],
    ]);
    const batch = await store.sealBatch("DEMO", "licence", 2, fakeTree);
    expect(batch).toMatchObject({ count: 2, state: "SEALED", department: "DEMO", type: "licence" });
    const first = await store.getDocument(doc(1).id);
    expect(first?.batch?.id).toBe(batch?.id);
    expect(first?.merkleProof).toEqual([doc(1).leaf]);
    expect((await store.getDocument(doc(3).id))?.batch).toBeNull();
  });

  it("moves a batch SEALED → SENT → ANCHORED and back to SEALED when the chain lost it", async () => {
    await store.insertDocuments([doc(1)]);
    const batch = await store.sealBatch("DEMO", "licence", 10, fakeTree);
    if (!batch) throw new Error("no batch");
    await store.markBatchSent(batch.id);
    expect((await store.unfinishedBatches())[0]?.state).toBe("SENT");
    await store.markBatchAnchored(batch.id, { txHash: `0x${"11".repeat(32)}`, blockNumber: 7, blockTime: 1_700_000_000 });
    expect(await store.unfinishedBatches()).toEqual([]);
    expect(await store.countUnanchored()).toBe(0);
    expect((await store.recentAnchoredBatches(5))[0]).toMatchObject({ state: "ANCHORED", blockNumber: 7 });
    await store.markBatchLost(batch.id);
    expect((await store.unfinishedBatches())[0]).toMatchObject({ state: "SEALED", txHash: null });
  });

  it("finds earlier documents by idempotency key within the department only", async () => {
    await store.insertDocuments([doc(1, { idempotencyKey: "row-1" })]);
    expect(await store.findByIdempotencyKey("DEMO", ["row-1", "row-2"])).toEqual(new Map([["row-1", doc(1).id]]));
    expect((await store.findByIdempotencyKey("OTHER", ["row-1"])).size).toBe(0);
  });

  it("records status changes as history and as the current status", async () => {
    await store.insertDocuments([doc(1)]);
    const change = { documentId: doc(1).id, reason: "breach", reasonCode: 3, successor: null, actor: "k1", txHash: `0x${"22".repeat(32)}` as Hex };
    await store.recordStatusChanges([{ ...change, status: "SUSPENDED", changedAt: "2026-11-22T10:00:00.000Z" }]);
    await store.recordStatusChanges([{ ...change, status: "REVOKED", changedAt: "2026-11-22T11:00:00.000Z" }]);
    expect((await store.statusHistory(doc(1).id)).map((c) => c.status)).toEqual(["SUSPENDED", "REVOKED"]);
    expect((await store.getDocument(doc(1).id))?.status).toMatchObject({ status: "REVOKED", reasonCode: 3 });
  });

  it("finds API keys only by their hash", async () => {
    await store.insertApiKey({ id: "k1", department: "DEMO", label: "officer", types: ["licence"], revoked: false }, "hash-1");
    // A key stored without a role is an officer's key.
    expect(await store.findApiKey("hash-1")).toEqual({ id: "k1", department: "DEMO", label: "officer", types: ["licence"], revoked: false, role: "officer" });
    expect(await store.findApiKey("nope")).toBeNull();
  });
});
