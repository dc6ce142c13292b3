/**
 * The behaviour every Subscriptions adapter must have (SQLite, PostgreSQL): run by each adapter's test.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NewDelivery, SubscriptionRecord, Subscriptions } from "../../services/ports.ts";

const DOC = "0123456789abcdef0123456789abcdef";

function subscription(id: string, fields: Partial<SubscriptionRecord> = {}): SubscriptionRecord {
  return { id, owner: "key-1", url: "https://rp.example/hook", documentIds: [], department: null, docType: null, createdAt: "2026-11-25T10:00:00Z", ...fields };
}

function delivery(id: string, subscriptionId: string, eventId = "0xabc:0"): NewDelivery {
  return { id, subscriptionId, eventId, url: "https://rp.example/hook", body: `jws-${id}` };
}

export interface OpenedSubscriptions {
  subscriptions: Subscriptions;
  /** A second connection to the same database, as another (or a restarted) instance has. */
  reopen(): Promise<Subscriptions>;
  close(): Promise<void>;
}

export function subscriptionsPortContract(name: string, open: () => Promise<OpenedSubscriptions>): void {
  describe(name, () => {
    let opened: OpenedSubscriptions;
    let subscriptions: Subscriptions;

    beforeEach(async () => {
      opened = await open();
      subscriptions = opened.subscriptions;
    });

    afterEach(async () => {
      await opened.close();
    });

    it("matches a subscription by document id or by department and type, each once", async () => {
      await subscriptions.createSubscription(subscription("by-id", { documentIds: [DOC] }));
      await subscriptions.createSubscription(subscription("by-type", { department: "DEMO", docType: "licence" }));
      await subscriptions.createSubscription(subscription("other-type", { department: "DEMO", docType: "permit" }));
      const found = await subscriptions.matchingSubscriptions({ documentIds: [DOC], department: "DEMO", docType: "licence" });
      expect(found.map((s) => s.id).sort()).toEqual(["by-id", "by-type"]);
      expect(await subscriptions.matchingSubscriptions({ documentIds: [], department: "OTHER", docType: "licence" })).toEqual([]);
    });

    it("queues one delivery per (subscription, event) however often it is enqueued", async () => {
      await subscriptions.createSubscription(subscription("s"));
      expect(await subscriptions.enqueueDeliveries([delivery("d1", "s")])).toBe(1);
      expect(await subscriptions.enqueueDeliveries([delivery("d1", "s"), delivery("d1-again", "s")])).toBe(0);
      expect(await subscriptions.deliveriesOf("s")).toHaveLength(1);
    });

    it("keeps a leased delivery from other workers until the lease runs out, so a worker that died loses nothing", async () => {
      await subscriptions.createSubscription(subscription("s"));
      await subscriptions.enqueueDeliveries([delivery("d1", "s")]);
      const now = Date.now();
      expect((await subscriptions.claimDueDeliveries(now, 10, 60_000)).map((d) => d.id)).toEqual(["d1"]);
      // The worker dies here; a second one (after a restart) sees it only once the lease is over.
      const restarted = await opened.reopen();
      try {
        expect(await restarted.claimDueDeliveries(now + 1_000, 10, 60_000)).toEqual([]);
        expect((await restarted.claimDueDeliveries(now + 60_001, 10, 60_000)).map((d) => d.id)).toEqual(["d1"]);
      } finally {
        await restarted.close();
      }
    });

    it("schedules a failed attempt for later, ends a delivery when it succeeds or is given up, and logs every attempt", async () => {
      await subscriptions.createSubscription(subscription("s"));
      await subscriptions.enqueueDeliveries([delivery("ok", "s", "e1"), delivery("dead", "s", "e2")]);
      const now = Date.now();
      await subscriptions.claimDueDeliveries(now, 10, 60_000);
      await subscriptions.recordDeliveryAttempt("ok", { at: "t1", httpStatus: 500, error: "HTTP 500", ms: 3, ok: false, nextAttemptAt: now + 5_000 });
      await subscriptions.recordDeliveryAttempt("dead", { at: "t1", httpStatus: null, error: "refused", ms: 1, ok: false, nextAttemptAt: null });
      expect(await subscriptions.claimDueDeliveries(now + 4_000, 10, 60_000)).toEqual([]);
      const due = await subscriptions.claimDueDeliveries(now + 5_000, 10, 60_000);
      expect(due.map((d) => [d.id, d.attempts])).toEqual([["ok", 1]]);
      await subscriptions.recordDeliveryAttempt("ok", { at: "t2", httpStatus: 204, error: null, ms: 2, ok: true, nextAttemptAt: null });
      const log = await subscriptions.deliveriesOf("s");
      expect(log.map((d) => [d.id, d.state, d.attempts, d.log.map((a) => a.httpStatus)])).toEqual([
        ["dead", "FAILED", 1, [null]],
        ["ok", "DELIVERED", 2, [500, 204]],
      ]);
    });

    it("drops a subscription's pending deliveries with it, and only for its owner", async () => {
      await subscriptions.createSubscription(subscription("s", { documentIds: [DOC] }));
      await subscriptions.enqueueDeliveries([delivery("d1", "s")]);
      expect(await subscriptions.deleteSubscription("someone-else", "s")).toBe(false);
      expect(await subscriptions.deleteSubscription("key-1", "s")).toBe(true);
      expect(await subscriptions.claimDueDeliveries(Date.now() + 1, 10, 1_000)).toEqual([]);
      expect(await subscriptions.matchingSubscriptions({ documentIds: [DOC], department: "DEMO", docType: null })).toEqual([]);
    });

    it("keeps the follower's cursor per chain and registry", async () => {
      expect(await subscriptions.chainCursor("852:0xaa")).toBeNull();
      await subscriptions.saveChainCursor("852:0xaa", 10);
      await subscriptions.saveChainCursor("852:0xaa", 12);
      await subscriptions.saveChainCursor("852:0xbb", 3);
      expect(await subscriptions.chainCursor("852:0xaa")).toBe(12);
      expect(await subscriptions.chainCursor("852:0xbb")).toBe(3);
    });
  });
}
