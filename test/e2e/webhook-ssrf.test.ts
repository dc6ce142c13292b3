/**
 * By default (EPROOF_WEBHOOK_ALLOW_PRIVATE unset) a subscription's URL must be https to a public
 * address: loopback, private, link-local, CGNAT, IPv4-mapped and localhost names are refused with a
 * 400 problem, and so is plain http. (Delivery-time checks: test/integration/webhook-ssrf-guard.test.ts.)
 */
import { hostname } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, removeDataDir, startTestService, type TestService } from "./test-service.ts";

describe("webhook destinations in the default configuration", () => {
  let service: TestService;

  beforeAll(async () => {
    service = await startTestService();
  }, 120_000);

  afterAll(async () => {
    await service?.stop();
    if (service) removeDataDir(service.dataDir);
  });

  const subscribe = (url: string) => api(service, "POST", "/api/v1/subscriptions", { url, docType: "licence" });

  it("refuses private, loopback, link-local, CGNAT and IPv4-mapped destinations with a 400 problem", async () => {
    for (const url of [
      "https://127.0.0.1/hook",
      "https://localhost:8443/hook",
      "https://[::1]/hook",
      "https://[::ffff:127.0.0.1]/hook",
      "https://[::ffff:a00:1]/hook",
      "https://10.1.2.3/hook",
      "https://192.168.0.10/hook",
      "https://169.254.169.254/latest/meta-data",
      "https://100.64.0.1/hook",
      "https://[fd00::1]/hook",
      "https://0.0.0.0/hook",
      `https://${hostname()}/hook`,
    ]) {
      const { status, body } = await subscribe(url);
      expect(status, url).toBe(400);
      expect(body.error.code).toBe("BAD_REQUEST");
      expect(body.error.message, url).toMatch(/refused: the webhook host is a (loopback|private|link-local|cgnat|unspecified|localhost) address/);
    }
  });

  it("refuses plain http, even to localhost, unless private addresses are allowed", async () => {
    const { status, body } = await subscribe("http://127.0.0.1:9/hook");
    expect(status).toBe(400);
    expect(body.error.message).toContain("EPROOF_WEBHOOK_ALLOW_PRIVATE=true");
  });

  it("accepts https to a public address", async () => {
    const { status, body } = await subscribe("https://93.184.216.34/hook");
    expect(status).toBe(201);
    expect(body.url).toBe("https://93.184.216.34/hook");
  });
});
