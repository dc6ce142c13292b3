/** Operations: /metrics can be kept for the monitoring system, and requests refused before any route get labels of their own. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { metricsRouteOf } from "../../services/adapters/http/app.ts";
import { loadConfig } from "../../services/config.ts";
import { removeDataDir, startTestService, type TestService } from "./test-service.ts";

const TOKEN = "monitoring-token-0123456789";

describe("/metrics", () => {
  let service: TestService;

  beforeAll(async () => {
    service = await startTestService({ env: { EPROOF_METRICS_TOKEN: TOKEN, EPROOF_BODY_LIMIT_BYTES: "2048" } });
  });

  afterAll(async () => {
    await service?.stop();
    if (service) removeDataDir(service.dataDir);
  });

  it("answers only with the monitoring token when EPROOF_METRICS_TOKEN is set", async () => {
    expect((await fetch(`${service.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${service.url}/metrics`, { headers: { authorization: "Bearer wrong-token-0123456789" } })).status).toBe(401);
    const answer = await fetch(`${service.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(answer.status).toBe(200);
    expect(await answer.text()).toMatch(/eproof_http_requests_total|http_requests/);
  });

  it("labels the page, its assets, and requests refused for a missing key or a body too large, never by the caller's path", async () => {
    await fetch(`${service.url}/verify`);
    await fetch(`${service.url}/assets/verify.js`);
    await fetch(`${service.url}/api/v1/documents/${"a".repeat(32)}`);
    await fetch(`${service.url}/api/v1/verify`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ qr: "x".repeat(4096) }),
    });
    await fetch(`${service.url}/no/such/path/${Math.random()}`);
    const text = await (await fetch(`${service.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    for (const label of ['route="/verify"', 'route="/assets/*"', 'route="refused:unauthenticated"', 'route="refused:too-large"', 'route="unmatched"']) {
      expect(text).toContain(label);
    }
    expect(text).not.toContain("/no/such/path");
  });

  it("maps the label from the declared route first, then the static file, then what refused the request", () => {
    expect(metricsRouteOf("/api/v1/verify", "/verify", 200)).toBe("/api/v1/verify");
    expect(metricsRouteOf(undefined, "/assets/*", 304)).toBe("/assets/*");
    expect(metricsRouteOf(undefined, undefined, 429)).toBe("refused:rate-limited");
    expect(metricsRouteOf(undefined, undefined, 404)).toBe("unmatched");
  });

  it("refuses a token too short to be a secret", () => {
    expect(() => loadConfig({ EPROOF_METRICS_TOKEN: "short" }, () => "")).toThrow(/EPROOF_METRICS_TOKEN .* at least 16/);
    expect(loadConfig({ EPROOF_METRICS_TOKEN: TOKEN }, () => "").metricsToken).toBe(TOKEN);
  });
});
