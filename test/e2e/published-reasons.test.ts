/**
 * Reasons stay with the department: the chain records only the status, the officer sees the code and
 * text in the history, and the public verify answer names a code only where the department published it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, downloadEProof, removeDataDir, startTestService, type TestService, TYPICAL_LICENCE, waitUntilAnchored } from "./test-service.ts";

describe("reason codes in public verify answers", () => {
  let service: TestService;
  let admin: { url: string; apiKey: string };

  async function revokedCopy(reasonCode: number): Promise<{ id: string; file: unknown }> {
    const issued = await api(service, "POST", "/api/v1/documents", TYPICAL_LICENCE);
    expect(issued.status).toBe(202);
    await waitUntilAnchored(service, issued.body.id);
    const file = await downloadEProof(service, issued.body.id);
    const revoked = await api(service, "POST", `/api/v1/documents/${issued.body.id}/revoke`, { reason: "handed back at the counter", reasonCode });
    expect(revoked.status).toBe(200);
    return { id: issued.body.id, file };
  }

  beforeAll(async () => {
    service = await startTestService({ env: { EPROOF_VERIFY_RATE_LIMIT: "0" } });
    const credentials = JSON.parse(readFileSync(join(service.dataDir, "dev-credentials.json"), "utf8")) as { adminApiKey: string };
    admin = { url: service.url, apiKey: credentials.adminApiKey };
  });

  afterAll(async () => {
    await service?.stop();
    if (service) removeDataDir(service.dataDir);
  });

  it("names no reason by default, while the officer's history keeps the code and the text", async () => {
    const { id, file } = await revokedCopy(4);
    const { body } = await api(service, "POST", "/api/v1/verify", { document: file });
    expect(body.verdict).toBe("REVOKED");
    expect(body.statusChange).toMatchObject({ status: "REVOKED", scope: "document" });
    expect(body.statusChange).not.toHaveProperty("reasonCode");
    expect(JSON.stringify(body)).not.toContain("handed back");
    const history = (await api(service, "GET", `/api/v1/documents/${id}`)).body.history;
    expect(history).toEqual([expect.objectContaining({ status: "REVOKED", reasonCode: 4, reason: "handed back at the counter" })]);
  });

  it("names a code the department marked publishable, and only that one", async () => {
    const set = await api(admin, "PUT", "/api/v1/admin/departments/DEMO/publishable-reasons", { reasonCodes: [8] });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ code: "DEMO", publishableReasonCodes: [8] });
    expect((await api(admin, "GET", "/api/v1/admin/departments/DEMO")).body.publishableReasonCodes).toEqual([8]);

    const surrendered = await revokedCopy(8);
    const published = await api(service, "POST", "/api/v1/verify", { document: surrendered.file });
    expect(published.body.statusChange).toMatchObject({ status: "REVOKED", reasonCode: 8 });

    const fraud = await revokedCopy(4);
    const withheld = await api(service, "POST", "/api/v1/verify", { document: fraud.file });
    expect(withheld.body.verdict).toBe("REVOKED");
    expect(withheld.body.statusChange).not.toHaveProperty("reasonCode");
  });

  it("refuses an unknown reason code and an officer's key", async () => {
    expect((await api(admin, "PUT", "/api/v1/admin/departments/DEMO/publishable-reasons", { reasonCodes: [999] })).status).toBe(400);
    expect((await api(service, "PUT", "/api/v1/admin/departments/DEMO/publishable-reasons", { reasonCodes: [2] })).status).toBe(403);
  });
});
