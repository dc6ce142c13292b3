import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { id } from "ethers";
import { afterEach, describe, expect, it } from "vitest";
import { EthersChainEvents } from "../../services/adapters/chain/ethers-chain-events.ts";
import { EthersLedger, singleAccount } from "../../services/adapters/chain/ethers-ledger.ts";
import { SqliteStore } from "../../services/adapters/store/sqlite-store.ts";
import { SqliteSubscriptions } from "../../services/adapters/store/sqlite-subscriptions.ts";
import { EProofError } from "../../services/errors.ts";
import { createLogger } from "../../services/logger.ts";
import type { Hex, NewDocument } from "../../services/ports.ts";
import { changeStatus } from "../../services/use-cases/change-status.ts";
import { ChainFollower, type FollowerOptions, type NotificationPayload } from "../../services/use-cases/follow-chain-events.ts";
import { demoChain } from "./demo-chain.ts";

const DOC_A = "0123456789abcdef0123456789abcdef";
const DOC_B = "fedcba9876543210fedcba9876543210";
const DOC_C = "00112233445566778899aabbccddeeff";

function storedDoc(documentId: string): NewDocument {
  return { id: documentId, department: "DEMO", type: "licence", issuedAt: "2026-11-25T10:00:00Z", leaf: id(documentId) as Hex, documentJson: "{}" };
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A real DocumentRegistry on Hardhat's in-process chain, a real SQLite store and subscription store. */
async function setUp() {
  const { ethers, anchorer, deployed } = await demoChain();
  const chainId = Number((await ethers.provider.getNetwork()).chainId);
  const ledger = new EthersLedger({ provider: ethers.provider, accounts: singleAccount(anchorer), documentRegistry: deployed.documentRegistry, chainId });
  const dir = mkdtempSync(join(tmpdir(), "eproof-follower-"));
  dirs.push(dir);
  const path = join(dir, "eproof.sqlite");
  const store = new SqliteStore(path);
  const subscriptions = new SqliteSubscriptions(path);
  await store.insertDocuments([storedDoc(DOC_A), storedDoc(DOC_B), storedDoc(DOC_C)]);
  await subscriptions.createSubscription({
    id: "sub-1",
    owner: "key-1",
    url: "http://127.0.0.1:1/hook",
    documentIds: [DOC_A, DOC_B],
    department: null,
    docType: null,
    createdAt: "2026-11-25T10:00:00Z",
  });
  const logLines: string[] = [];
  const logger = createLogger("info", { write: (line: string) => void logLines.push(line) });
  const signed: object[] = [];
  const follower = (options: FollowerOptions = {}) =>
    new ChainFollower(
      {
        events: new EthersChainEvents({ provider: ethers.provider, documentRegistries: [deployed.documentRegistry] }),
        store,
        subscriptions,
        signer: {
          sign: async (payload) => {
            signed.push(payload);
            return `signed.${signed.length}`;
          },
        },
        // Hardhat gives each block a later second than the last, so a quick test runs ahead of the wall clock.
        clock: { now: () => Date.now() + 600_000 },
        logger,
        trust: { chainId, registry: deployed.documentRegistry },
        issuer: "http://localhost:8080",
      },
      { graceMs: 0, ...options },
    );
  const cursorKey = `${chainId}:${deployed.documentRegistry.toLowerCase()}`;
  return { ethers, ledger, store, subscriptions, follower, logLines, cursorKey, signed };
}

describe("chain follower", () => {
  it("records a status change made on chain by someone else, queues one notification per subscribed document, and resumes after a restart without doing either twice", async () => {
    const { ledger, store, subscriptions, follower, signed } = await setUp();
    await ledger.changeDocumentStatus({ department: "DEMO", documentIds: [DOC_A, DOC_B, DOC_C], status: "SUSPENDED" });
    await follower().runOnce();

    for (const documentId of [DOC_A, DOC_B, DOC_C]) {
      const history = await store.statusHistory(documentId);
      expect(history).toHaveLength(1);
      // The chain holds no reason: none is made up (code 0, "unspecified", and a text that says so).
      expect(history[0]).toMatchObject({
        status: "SUSPENDED",
        reasonCode: 0,
        reason: "recorded from the chain (the chain holds no reason)",
        actor: "chain",
      });
      expect((await store.getDocument(documentId))?.status.status).toBe("SUSPENDED");
    }
    // DOC_C has no subscriber.
    expect((await subscriptions.deliveriesOf("sub-1")).map((d) => d.eventId.split(":")[0])).toHaveLength(2);
    // The notification carries no reason either: exactly these fields.
    expect(signed).toHaveLength(2);
    for (const payload of signed as NotificationPayload[]) {
      expect(Object.keys(payload.event).sort()).toEqual(
        [
          "blockNumber",
          "chainId",
          "changedAt",
          "contract",
          "department",
          "docType",
          "documentId",
          "id",
          "root",
          "status",
          "successor",
          "txHash",
          "type",
        ].sort(),
      );
      expect(payload.event).toMatchObject({ type: "document.status_changed", department: "DEMO", docType: "licence", status: "SUSPENDED" });
    }

    // A restarted follower (new instance, same database) finds nothing new to do…
    expect(await follower().runOnce()).toBe(false);
    expect(await store.statusHistory(DOC_A)).toHaveLength(1);
    expect(await subscriptions.deliveriesOf("sub-1")).toHaveLength(2);

    // …and picks up what happened while it was down.
    await ledger.changeDocumentStatus({ department: "DEMO", documentIds: [DOC_A], status: "REVOKED" });
    await follower().runOnce();
    expect((await store.statusHistory(DOC_A)).map((h) => h.status)).toEqual(["SUSPENDED", "REVOKED"]);
    expect(await subscriptions.deliveriesOf("sub-1")).toHaveLength(3);
  });

  it("does nothing twice when it dies after handling events but before saving its cursor", async () => {
    const { ledger, store, subscriptions, follower, cursorKey } = await setUp();
    const before = await subscriptions.chainCursor(cursorKey);
    expect(before).toBeNull();
    await ledger.supersede({ department: "DEMO", documentId: DOC_B, successorId: DOC_C });
    await follower().runOnce();
    const saved = await subscriptions.chainCursor(cursorKey);
    expect(saved).not.toBeNull();
    // The cursor as it was before the crash: the same blocks are read again.
    await subscriptions.saveChainCursor(cursorKey, 0);
    await follower().runOnce();
    expect(await subscriptions.chainCursor(cursorKey)).toBe(saved);
    const history = await store.statusHistory(DOC_B);
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ status: "SUPERSEDED", successor: DOC_C });
    expect(await subscriptions.deliveriesOf("sub-1")).toHaveLength(1);
  });

  it("keeps the officer's own record of a change the service sent, instead of adding a second one", async () => {
    const { ledger, store, follower } = await setUp();
    await changeStatus(
      { store, ledger, clock: { now: () => Date.now() } },
      { department: "DEMO", documentId: DOC_A, action: "suspend", reason: "inspection pending", reasonCode: 3, actor: "officer-key" },
    );
    await follower().runOnce();
    const history = await store.statusHistory(DOC_A);
    expect(history).toHaveLength(1);
    // The officer's reason, code and text, stays in the store (the chain got the status only).
    expect(history[0]).toMatchObject({ reason: "inspection pending", reasonCode: 3, actor: "officer-key" });
  });

  it("leaves events younger than the grace period for the next poll", async () => {
    const { ledger, store, follower, subscriptions, cursorKey } = await setUp();
    await ledger.changeDocumentStatus({ department: "DEMO", documentIds: [DOC_A], status: "SUSPENDED" });
    await follower({ graceMs: 3_600_000_000 }).runOnce();
    expect(await store.statusHistory(DOC_A)).toHaveLength(0);
    const cursor = await subscriptions.chainCursor(cursorKey);
    await follower().runOnce();
    expect(await store.statusHistory(DOC_A)).toHaveLength(1);
    expect(Number(await subscriptions.chainCursor(cursorKey))).toBeGreaterThan(Number(cursor ?? -1));
  });

  it("follows from the chain's head when the chain is behind its cursor (restarted from an older state)", async () => {
    const { ethers, ledger, store, subscriptions, follower, logLines, cursorKey } = await setUp();
    const head = await ethers.provider.getBlockNumber();
    await subscriptions.saveChainCursor(cursorKey, head + 1_000);
    await follower().runOnce();
    expect(await subscriptions.chainCursor(cursorKey)).toBe(head);
    expect(logLines.some((line) => line.includes('"event":"chain_follower.chain_behind"'))).toBe(true);
    await ledger.changeDocumentStatus({ department: "DEMO", documentIds: [DOC_A], status: "SUSPENDED" });
    await follower().runOnce();
    expect(await store.statusHistory(DOC_A)).toHaveLength(1);
  });
});

describe("chain follower when the chain goes away", () => {
  it("keeps polling through an unreachable chain and catches up, without losing or repeating an event", async () => {
    const dir = mkdtempSync(join(tmpdir(), "eproof-follower-"));
    dirs.push(dir);
    const path = join(dir, "eproof.sqlite");
    const store = new SqliteStore(path);
    const subscriptions = new SqliteSubscriptions(path);
    await store.insertDocuments([storedDoc(DOC_A)]);
    let down = true;
    let calls = 0;
    const event = {
      kind: "DOCUMENT_STATUS" as const,
      registry: `0x${"11".repeat(20)}` as Hex,
      department: "DEMO",
      documentId: DOC_A,
      status: "REVOKED" as const,
      successor: null,
      txHash: `0x${"ab".repeat(32)}` as Hex,
      logIndex: 0,
      blockNumber: 7,
      blockTime: 1_700_000_000,
    };
    const logLines: string[] = [];
    const follower = new ChainFollower(
      {
        events: {
          latestBlock: async () => {
            calls++;
            if (down) throw new EProofError("CHAIN_UNAVAILABLE", "connection refused");
            return 10;
          },
          statusEvents: async (from, to) => (from <= 7 && 7 <= to ? [event] : []),
        },
        store,
        subscriptions,
        signer: { sign: async () => "jws" },
        clock: { now: () => Date.now() },
        logger: createLogger("info", { write: (line: string) => void logLines.push(line) }),
        trust: { chainId: 852, registry: `0x${"11".repeat(20)}` },
        issuer: "http://localhost:8080",
      },
      { pollMs: 10, graceMs: 0 },
    );
    follower.start();
    try {
      const deadline = Date.now() + 5_000;
      while (calls < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(logLines.some((line) => line.includes('"event":"chain_follower.failed"'))).toBe(true);
      expect(await store.statusHistory(DOC_A)).toHaveLength(0);
      down = false;
      while ((await store.statusHistory(DOC_A)).length === 0 && Date.now() < deadline + 30_000) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 100));
      expect(await store.statusHistory(DOC_A)).toEqual([expect.objectContaining({ status: "REVOKED", actor: "chain", txHash: event.txHash })]);
      expect(await subscriptions.chainCursor(`852:0x${"11".repeat(20)}`)).toBe(10);
    } finally {
      await follower.stop();
      await subscriptions.close();
      await store.close();
    }
  });
});
