import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SqliteStore } from "../../services/adapters/store/sqlite-store.ts";
import { SqliteSubscriptions } from "../../services/adapters/store/sqlite-subscriptions.ts";
import type { Subscriptions } from "../../services/ports.ts";
import { DEFAULT_RETRY_POLICY, nextAttemptAt } from "../../services/use-cases/deliver-webhooks.ts";
import { subscriptionsPortContract } from "./subscriptions-port-contract.ts";

subscriptionsPortContract("SQLite subscriptions and delivery queue", async () => {
  const dir = mkdtempSync(join(tmpdir(), "eproof-subs-"));
  const path = join(dir, "eproof.sqlite");
  const store = new SqliteStore(path);
  const opened: Subscriptions[] = [new SqliteSubscriptions(path)];
  return {
    subscriptions: opened[0] as Subscriptions,
    async reopen() {
      const again = new SqliteSubscriptions(path);
      opened.push(again);
      return again;
    },
    async close() {
      for (const s of opened) await s.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe("webhook retry policy", () => {
  it("doubles the delay after each failure up to the cap, and gives up after the last attempt", () => {
    const policy = { baseDelayMs: 1_000, maxDelayMs: 5_000, maxAttempts: 5 };
    expect([1, 2, 3, 4].map((attempts) => nextAttemptAt(0, attempts, policy, 0))).toEqual([1_000, 2_000, 4_000, 5_000]);
    expect(nextAttemptAt(0, 5, policy, 0)).toBeNull();
    expect(nextAttemptAt(0, 1, policy, 1)).toBe(1_100);
  });

  it("by default keeps trying for about ten hours", () => {
    let total = 0;
    for (let attempts = 1; attempts < DEFAULT_RETRY_POLICY.maxAttempts; attempts++) total += Number(nextAttemptAt(0, attempts, DEFAULT_RETRY_POLICY, 0));
    expect(total / 3_600_000).toBeGreaterThan(8);
    expect(total / 3_600_000).toBeLessThan(12);
  });
});
