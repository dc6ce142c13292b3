import { createServer } from "node:http";
import { describe, expect, it } from "vitest";
import { api, removeDataDir, startTestService, TYPICAL_LICENCE } from "./test-service.ts";

describe("webhook deliveries across a restart", () => {
  it("delivers after a restart what a receiver refused before it, exactly once, and the follower resumes without queueing it again", async () => {
    const received: Array<{ deliveryId: string; answered: number }> = [];
    let up = false;
    const receiver = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        const answered = up ? 204 : 503;
        received.push({ deliveryId: String(req.headers["x-eproof-delivery-id"]), answered });
        res.statusCode = answered;
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const address = receiver.address();
    const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/hook`;
    const env = { EPROOF_FOLLOW_POLL_MS: "100", EPROOF_FOLLOW_GRACE_MS: "200", EPROOF_WEBHOOK_RETRY_BASE_MS: "100", EPROOF_WEBHOOK_RETRY_MAX_MS: "300" };

    const first = await startTestService({ env });
    const dataDir = first.dataDir;
    let id = "";
    let subscriptionId = "";
    try {
      try {
        const issued = await api(first, "POST", "/api/v1/documents", TYPICAL_LICENCE);
        id = issued.body.id;
        subscriptionId = (await api(first, "POST", "/api/v1/subscriptions", { url, documentIds: [id] })).body.id;
        expect((await api(first, "POST", `/api/v1/documents/${id}/suspend`, { reason: "inspection" })).status).toBe(200);
        const deadline = Date.now() + 20_000;
        while (Date.now() < deadline && received.length < 2) await new Promise((r) => setTimeout(r, 50));
        expect(received.length).toBeGreaterThanOrEqual(2);
      } finally {
        await first.stop();
      }
      up = true;
      const refusedBefore = received.length;

      const second = await startTestService({ dataDir, env: first.env });
      try {
        const deadline = Date.now() + 20_000;
        while (Date.now() < deadline && !received.some((r) => r.answered === 204)) await new Promise((r) => setTimeout(r, 50));
        // Time for a duplicate (a re-queued event, a second send) to show up.
        await new Promise((r) => setTimeout(r, 1_500));
        const accepted = received.filter((r) => r.answered === 204);
        expect(accepted).toHaveLength(1);
        expect(received.length).toBe(refusedBefore + 1);
        expect(new Set(received.map((r) => r.deliveryId)).size).toBe(1);
        const log = await api(second, "GET", `/api/v1/subscriptions/${subscriptionId}/deliveries`);
        expect(log.body.deliveries).toHaveLength(1);
        expect(log.body.deliveries[0]).toMatchObject({ state: "DELIVERED", attempts: refusedBefore + 1 });
        expect((await api(second, "GET", `/api/v1/documents/${id}`)).body.history).toHaveLength(1);
      } finally {
        await second.stop();
      }
    } finally {
      removeDataDir(dataDir);
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });
});
