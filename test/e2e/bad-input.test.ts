import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashApiKey } from "../../services/adapters/http/auth.ts";
import { api, removeDataDir, startTestService, type TestService, TYPICAL_LICENCE } from "./test-service.ts";

describe("the API answers a caller's mistake with a clear 4xx, never a 500 or a stack trace", () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({ env: { EPROOF_BODY_LIMIT_BYTES: "65536", EPROOF_MAX_BATCH_ITEMS: "50" } });
  });
  afterAll(async () => {
    await service?.stop();
    if (service) removeDataDir(service.dataDir);
  });

  function expectError(response: { status: number; body: any }, status: number, code: string): void {
    expect(response.status).toBe(status);
    expect(response.body.error.code).toBe(code);
    expect(response.body.error.message).toEqual(expect.any(String));
    expect(JSON.stringify(response.body)).not.toMatch(/at \w+ \(|node_modules|\.ts:\d+/);
  }

  it("refuses malformed JSON with 400", async () => {
    expectError(await api(service, "POST", "/api/v1/documents", '{"type": "licence", '), 400, "MALFORMED_JSON");
  });

  it("refuses a body over the limit with 413", async () => {
    const huge = { type: "licence", data: { documentNumber: "x".repeat(70_000) } };
    expectError(await api(service, "POST", "/api/v1/documents", huge), 413, "PAYLOAD_TOO_LARGE");
  });

  it("refuses a missing or wrong API key with 401", async () => {
    expectError(await api({ ...service, apiKey: "" }, "POST", "/api/v1/documents", TYPICAL_LICENCE), 401, "UNAUTHORISED");
    expectError(await api({ ...service, apiKey: "ep_not-a-real-key-at-all" }, "POST", "/api/v1/documents", TYPICAL_LICENCE), 401, "UNAUTHORISED");
  });

  it("refuses an unknown document type with 404 naming the known ones", async () => {
    const response = await api(service, "POST", "/api/v1/documents", { type: "dog-licence", data: {} });
    expectError(response, 404, "UNKNOWN_TYPE");
    expect(response.body.error.message).toContain("licence");
  });

  it("refuses invalid data with 422 and the list of problems by field path", async () => {
    const data = structuredClone(TYPICAL_LICENCE.data) as any;
    delete data.documentNumber;
    data.validUntil = "not a date";
    const response = await api(service, "POST", "/api/v1/documents", { type: "licence", data });
    expectError(response, 422, "INVALID_DOCUMENT");
    const paths = response.body.error.problems.map((p: { path: string }) => p.path);
    expect(paths).toEqual(expect.arrayContaining(["documentNumber", "validUntil"]));
  });

  it("refuses a batch with bad items naming each item, and one over the item limit", async () => {
    const bad = { ...(TYPICAL_LICENCE.data as object), validFrom: "2026-13-45" };
    const response = await api(service, "POST", "/api/v1/batches", { type: "licence", items: [TYPICAL_LICENCE.data, bad] });
    expectError(response, 422, "INVALID_DOCUMENT");
    expect(response.body.error.problems[0].path).toMatch(/^items\[1\]\./);
    const tooMany = await api(service, "POST", "/api/v1/batches", { type: "licence", items: Array(51).fill(TYPICAL_LICENCE.data) });
    expectError(tooMany, 400, "BAD_REQUEST");
  });

  it("refuses a batch whose idempotency keys repeat with 400", async () => {
    const response = await api(service, "POST", "/api/v1/batches", {
      type: "licence",
      items: [TYPICAL_LICENCE.data, TYPICAL_LICENCE.data],
      idempotencyKeys: ["a", "a"],
    });
    expectError(response, 400, "BAD_REQUEST");
  });

  it("refuses a status change by a key scoped to another document type with 403", async () => {
    const issued = await api(service, "POST", "/api/v1/documents", TYPICAL_LICENCE);
    await service.store.insertApiKey(
      { id: "permit-officer", department: "DEMO", label: "permits only", types: ["permit"], revoked: false },
      hashApiKey("ep_permit-officer-key"),
    );
    const scoped = { ...service, apiKey: "ep_permit-officer-key" };
    expectError(await api(scoped, "POST", `/api/v1/documents/${issued.body.id}/revoke`, { reason: "x" }), 403, "FORBIDDEN");
    expectError(await api(scoped, "POST", "/api/v1/documents", TYPICAL_LICENCE), 403, "FORBIDDEN");
  });

  it("refuses a body of the wrong shape with 400", async () => {
    expectError(await api(service, "POST", "/api/v1/documents", [1, 2, 3]), 400, "BAD_REQUEST");
    expectError(await api(service, "POST", "/api/v1/documents", { type: "licence" }), 400, "BAD_REQUEST");
    expectError(await api(service, "POST", "/api/v1/verify", { something: "else" }), 400, "BAD_REQUEST");
  });

  it("answers 404 for an unknown document and an unknown route", async () => {
    expectError(await api(service, "GET", `/api/v1/documents/${"0".repeat(32)}`), 404, "NOT_FOUND");
    expectError(await api(service, "GET", "/api/v1/documents/not-an-id/pdf"), 404, "NOT_FOUND");
    expectError(await api(service, "GET", "/nowhere"), 404, "NOT_FOUND");
  });

  it("answers a bad QR text and a bad PDF with 400", async () => {
    expectError(await api(service, "POST", "/api/v1/verify", { qr: "HTTP://LOCALHOST/VERIFY#12345" }), 400, "INVALID_QR");
    expectError(await api(service, "POST", "/api/v1/verify", { qr: "hello" }), 400, "INVALID_QR");
    expectError(
      await api(service, "POST", "/api/v1/verify", new TextEncoder().encode("%PDF-1.7 garbage"), { "content-type": "application/pdf" }),
      400,
      "INVALID_PDF",
    );
  });

  it("verifies garbage documents as TAMPERED rather than failing", async () => {
    for (const document of [{}, { header: 1 }, { eproof: 1, header: { id: "x" }, data: [], salts: null }]) {
      const response = await api(service, "POST", "/api/v1/verify", { document });
      expect(response.status).toBe(200);
      expect(response.body.verdict).toBe("TAMPERED");
    }
  });

  it("refuses a status change without a reason, and reinstating an active document", async () => {
    const issued = await api(service, "POST", "/api/v1/documents", TYPICAL_LICENCE);
    expectError(await api(service, "POST", `/api/v1/documents/${issued.body.id}/revoke`, {}), 400, "BAD_REQUEST");
    expectError(await api(service, "POST", `/api/v1/documents/${issued.body.id}/reinstate`, { reason: "x" }), 409, "INVALID_STATUS_CHANGE");
  });

  it("serves health, metrics and an OpenAPI document generated from the schemas", async () => {
    const health = await api(service, "GET", "/healthz");
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: "ok", chain: { reachable: true }, database: { reachable: true } });
    const metrics = await fetch(`${service.url}/metrics`);
    expect(await metrics.text()).toContain("eproof_http_requests_total");
    const openapi = await api(service, "GET", "/openapi.json");
    expect(openapi.body.openapi).toBe("3.1.0");
    expect(Object.keys(openapi.body.components.schemas)).toEqual(expect.arrayContaining(["licence-v1", "permit-v1", "subsidy-agreement-v1", "certificate-v1"]));
  });
});
