import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningService } from "../../services/main.ts";
import { waitUntil } from "../wait-until.ts";
import { type SharedDeployment, startSharedDeployment } from "./shared-deployment.ts";
import { api } from "./test-service.ts";

const VERIFY_LIMIT = 5;
const AUTH_FAILURE_LIMIT = 3;

describe("rate limits of two instances on one PostgreSQL database", () => {
  let shared: SharedDeployment;
  const instances: RunningService[] = [];

  beforeAll(async () => {
    shared = await startSharedDeployment();
    for (let i = 0; i < 2; i++)
      instances.push(
        await shared.startInstance({
          EPROOF_VERIFY_RATE_LIMIT: String(VERIFY_LIMIT),
          EPROOF_AUTH_FAILURE_LIMIT: String(AUTH_FAILURE_LIMIT),
        }),
      );
  });
  afterAll(async () => {
    for (const instance of instances) await instance.stop();
    await shared?.stop();
  });

  const at = (n: number) => ({ url: (instances[n % 2] as RunningService).url, apiKey: shared.apiKey });

  it("gives a client one verify allowance across both instances: the 6th verify, on either, gets 429", async () => {
    const client = { "x-forwarded-for": "203.0.113.50" };
    for (let i = 0; i < VERIFY_LIMIT; i += 1) {
      expect((await api(at(i), "POST", "/api/v1/verify", { qr: "hello" }, client)).status).toBe(400);
    }
    for (const n of [0, 1]) {
      const refused = await api(at(n), "POST", "/api/v1/verify", { qr: "hello" }, client);
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe("RATE_LIMITED");
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    }
    // Another client still has its whole allowance, and redact has an allowance of its own.
    expect((await api(at(1), "POST", "/api/v1/verify", { qr: "hello" }, { "x-forwarded-for": "203.0.113.51" })).status).toBe(400);
    expect((await api(at(0), "POST", "/api/v1/redact", { document: {}, hide: ["x"] }, client)).status).toBe(422);
  });

  it("counts concurrent verifies on both instances exactly: 5 of 12 pass, 7 are refused", async () => {
    const client = { "x-forwarded-for": "203.0.113.52" };
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => api(at(i), "POST", "/api/v1/verify", { qr: "hello" }, client)));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 400)).toHaveLength(VERIFY_LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(12 - VERIFY_LIMIT);
  });

  it("locks a client out on both instances after wrong API keys spread across them", async () => {
    const client = { "x-forwarded-for": "203.0.113.60" };
    const path = `/api/v1/documents/${"0".repeat(32)}`;
    for (let i = 0; i < AUTH_FAILURE_LIMIT; i += 1) {
      expect((await api({ ...at(i), apiKey: "ep_guessing-the-key-0000" }, "GET", path, undefined, client)).status).toBe(401);
    }
    // The 401 is counted once its response has finished, so the last count lands just after the
    // answer: poll with the right key (a 404 here counts nothing) until the lockout shows.
    await waitUntil(async () => (await api(at(0), "GET", path, undefined, client)).status === 429, "the lockout on instance 0", 10_000);
    for (const n of [0, 1]) expect((await api(at(n), "GET", path, undefined, client)).status).toBe(429);
    expect((await api(at(1), "GET", path, undefined, { "x-forwarded-for": "203.0.113.61" })).status).toBe(404);
  });
});
