import type { AddressInfo } from "node:net";
import express from "express";
import { describe, expect, it } from "vitest";
import { authFailureRateLimit, verifyRateLimit } from "../../services/adapters/http/abuse-protection.ts";
import { failOpen } from "../../services/adapters/http/counter-store.ts";
import { errorResponder } from "../../services/adapters/http/error-status.ts";
import type { Logger } from "../../services/logger.ts";
import type { CounterStore } from "../../services/ports.ts";

const broken: CounterStore = {
  increment: () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:5432")),
  get: () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:5432")),
  decrement: () => Promise.reject(new Error("down")),
  resetKey: () => Promise.reject(new Error("down")),
};

describe("rate limits when their shared counters are unreachable", () => {
  it("let every request through (no 429, no 500) and warn once", async () => {
    const warnings: unknown[] = [];
    const logger = {
      warn: (...args: unknown[]) => warnings.push(args),
      error: () => undefined,
      info: () => undefined,
      debug: () => undefined,
    } as unknown as Logger;
    const counters = failOpen(broken, logger);
    const app = express();
    app.use("/api/v1/verify", verifyRateLimit({ max: 2, windowMs: 60_000 }, { counters, name: "/api/v1/verify" }) as express.RequestHandler);
    app.use(authFailureRateLimit({ max: 1, windowMs: 60_000 }, counters) as express.RequestHandler);
    app.post("/api/v1/verify", (_req, res) => void res.status(200).json({ ok: true }));
    app.get("/officer", (_req, res) => void res.status(401).json({ error: { code: "UNAUTHENTICATED" } }));
    app.use(errorResponder(logger));
    const server = app.listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      for (let i = 0; i < 5; i += 1) expect((await fetch(`${url}/api/v1/verify`, { method: "POST" })).status).toBe(200);
      for (let i = 0; i < 4; i += 1) expect((await fetch(`${url}/officer`)).status).toBe(401);
      expect(warnings).toHaveLength(1);
      expect(JSON.stringify(warnings[0])).toContain("ECONNREFUSED");
    } finally {
      server.close();
    }
  });
});
