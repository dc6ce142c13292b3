import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, removeDataDir, startTestService, type TestService, TYPICAL_LICENCE } from "./test-service.ts";

// The failed-authentication limit once counted every request while it was in
// flight, so one address with more requests in flight than the limit got 429 although none failed.
const AUTH_FAILURE_LIMIT = 3;

describe("failed-authentication limit under concurrency", () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({ env: { EPROOF_AUTH_FAILURE_LIMIT: String(AUTH_FAILURE_LIMIT), EPROOF_VERIFY_RATE_LIMIT: "0" } });
  });
  afterAll(async () => {
    await service?.stop();
    if (service) removeDataDir(service.dataDir);
  });

  it("never refuses concurrent requests with a valid key from one address, however many are in flight", async () => {
    const client = { "x-forwarded-for": "203.0.113.70" };
    const answers = await Promise.all(
      Array.from({ length: AUTH_FAILURE_LIMIT * 10 }, (_, i) =>
        api(service, "POST", "/api/v1/documents", { ...TYPICAL_LICENCE, data: { ...TYPICAL_LICENCE.data, documentNumber: `CONC-${i}` } }, client),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 202));
  });

  it("still refuses an address after the limit of wrong keys, also when they arrive at once", async () => {
    const client = { "x-forwarded-for": "203.0.113.71" };
    const wrong = { ...service, apiKey: "ep_guessing-the-key-0000" };
    const first = await Promise.all(
      Array.from({ length: AUTH_FAILURE_LIMIT }, () => api(wrong, "GET", `/api/v1/documents/${"0".repeat(32)}`, undefined, client)),
    );
    expect(first.map((a) => a.status)).toEqual(first.map(() => 401));
    const refused = await api(service, "POST", "/api/v1/documents", TYPICAL_LICENCE, client);
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe("RATE_LIMITED");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});
