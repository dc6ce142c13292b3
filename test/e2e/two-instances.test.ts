import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PgStore } from "../../services/adapters/store/pg-store.ts";
import type { RunningService } from "../../services/main.ts";
import { waitUntil } from "../wait-until.ts";
import { type SharedDeployment, startSharedDeployment, waitUntilNoneUnanchored } from "./shared-deployment.ts";
import { api, TYPICAL_LICENCE } from "./test-service.ts";

describe("two instances on one PostgreSQL database and one chain", () => {
  let shared: SharedDeployment;
  const instances: RunningService[] = [];

  beforeAll(async () => {
    shared = await startSharedDeployment();
    // Each instance names its connections, so that pg_stat_activity tells whose they are.
    for (let i = 0; i < 2; i++) {
      instances.push(await shared.startInstance({ EPROOF_BATCH_SIZE: "5", EPROOF_DATABASE_URL: `${shared.schema.url}&application_name=eproof_instance_${i}` }));
    }
  });
  afterAll(async () => {
    for (const instance of instances) await instance.stop();
    await shared?.stop();
  });

  it("anchors every document issued concurrently through either instance exactly once", async () => {
    const clients = instances.map((instance) => ({ url: instance.url, apiKey: shared.apiKey }));
    const issue = (n: number) => api(clients[n % 2] as (typeof clients)[0], "POST", "/api/v1/documents", TYPICAL_LICENCE);
    const issued = await Promise.all(Array.from({ length: 60 }, (_, n) => issue(n)));
    expect(issued.map((r) => r.status)).toEqual(issued.map(() => 202));
    const ids = issued.map((r) => String(r.body.id));

    // Either instance sees every document (one database) and both anchor until none is left.
    const store = await PgStore.open({ connectionString: shared.schema.url, maxConnections: 2 });
    try {
      await waitUntilNoneUnanchored(store);

      const roots = await shared.anchoredRoots();
      expect(new Set(roots).size).toBe(roots.length);
      const batchRoots = new Set<string>();
      for (const id of ids) {
        const document = await store.getDocument(id);
        expect(document?.batch?.state).toBe("ANCHORED");
        batchRoots.add(String(document?.batch?.root));
      }
      // Every batch the documents are in is on chain once, and nothing else was anchored.
      expect([...batchRoots].sort()).toEqual([...roots].sort());
      expect(batchRoots.size).toBeGreaterThanOrEqual(12);
      // Each batch was anchored by exactly one of the instances: their counts add up to the batches.
      const counts = await Promise.all(instances.map((instance) => anchoredCount(instance.url)));
      expect(counts.reduce((a, b) => a + b, 0)).toBe(roots.length);
    } finally {
      await store.close();
    }
    const seenByOther = await api(clients[1] as (typeof clients)[0], "GET", `/api/v1/documents/${ids[0]}`);
    expect(seenByOther.body.anchoring).toBe("ANCHORED");
  });

  it("holds one pool per instance: every connection an instance has open is one of its pool's, at most ten", async () => {
    const [first] = instances;
    const pool = first?.databasePool;
    if (!pool) throw new Error("the instance has no PostgreSQL pool");
    // Store, locks, subscriptions (the officer role's follower and dispatcher) and rate-limit counters all at work.
    await Promise.all(Array.from({ length: 20 }, () => api({ url: first.url, apiKey: shared.apiKey }, "POST", "/api/v1/documents", TYPICAL_LICENCE)));
    const client = new pg.Client({ connectionString: shared.schema.url });
    await client.connect();
    try {
      const open = async () =>
        Number((await client.query("SELECT COUNT(*) AS n FROM pg_stat_activity WHERE application_name = 'eproof_instance_0'")).rows[0]?.n);
      // Background loops open and end pooled connections: compare when the pool did not change meanwhile.
      await waitUntil(async () => {
        const before = pool.totalCount;
        const seen = await open();
        return seen > 0 && seen === before && pool.totalCount === before;
      }, "the instance's connections to be those of its pool");
      expect(await open()).toBeLessThanOrEqual(10);
    } finally {
      await client.end();
    }
  });
});

async function anchoredCount(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith("eproof_batches_anchored_total "));
  return Number(line?.split(" ")[1] ?? Number.NaN);
}
