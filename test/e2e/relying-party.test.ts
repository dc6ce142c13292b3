import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, onboardWithOfficer, removeDataDir, runEproof, startTestService, type TestService, TYPICAL_LICENCE } from "./test-service.ts";
import { payloadOf, Receiver } from "./webhook-receiver.ts";

function claimsOf(jws: string): { event: { documentId: string; status: string; department: string; docType: string } } {
  return payloadOf(jws);
}

describe("relying-party API keys (status subscriptions only)", () => {
  let service: TestService;
  let admin: { url: string; apiKey: string };
  let bank: { url: string; apiKey: string; id: string };
  const receiver = new Receiver();

  beforeAll(async () => {
    await receiver.start();
    service = await startTestService({
      env: { EPROOF_FOLLOW_POLL_MS: "100", EPROOF_FOLLOW_GRACE_MS: "200", EPROOF_WEBHOOK_RETRY_BASE_MS: "100", EPROOF_WEBHOOK_ALLOW_PRIVATE: "true" },
    });
    const credentials = JSON.parse(readFileSync(join(service.dataDir, "dev-credentials.json"), "utf8")) as { adminApiKey: string };
    admin = { url: service.url, apiKey: credentials.adminApiKey };
    // Created the way an administrator would: `eproof admin create-key --role relying-party`.
    const created = await runEproof(["admin", "create-key", "--role", "relying-party", "--label", "bank onboarding desk"], {
      EPROOF_URL: service.url,
      EPROOF_ADMIN_API_KEY: admin.apiKey,
    });
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    const key = JSON.parse(created.stdout) as { id: string; apiKey: string; role: string; department: string };
    expect(key).toMatchObject({ role: "relying-party", department: "*" });
    bank = { url: service.url, apiKey: key.apiKey, id: key.id };
  });

  afterAll(async () => {
    await service?.stop();
    if (service) removeDataDir(service.dataDir);
    await receiver.stop();
  });

  async function issueLicence(number: string): Promise<string> {
    const issued = await api(service, "POST", "/api/v1/documents", { ...TYPICAL_LICENCE, data: { ...TYPICAL_LICENCE.data, documentNumber: number } });
    expect(issued.status).toBe(202);
    return issued.body.id;
  }

  it("lets a relying-party key subscribe to a document it holds and to a department's type, and notifies it", async () => {
    const held = await issueLicence("RP-2026-000001");
    const byId = await api(bank, "POST", "/api/v1/subscriptions", { url: `${receiver.url}/held`, documentIds: [held] });
    expect(byId.status).toBe(201);
    const byType = await api(bank, "POST", "/api/v1/subscriptions", { url: `${receiver.url}/type`, docType: "licence", department: "DEMO" });
    expect(byType.status).toBe(201);
    expect(byType.body).toMatchObject({ department: "DEMO", docType: "licence" });

    expect((await api(service, "POST", `/api/v1/documents/${held}/suspend`, { reason: "inspection" })).status).toBe(200);
    const [byIdNote] = await receiver.waitFor("/held", 1);
    expect(claimsOf(String(byIdNote?.body)).event).toMatchObject({ documentId: held, status: "SUSPENDED" });
    const byTypeNotes = await receiver.waitFor("/type", 1);
    expect(byTypeNotes.map((n) => claimsOf(n.body).event)).toContainEqual(
      expect.objectContaining({ documentId: held, department: "DEMO", docType: "licence" }),
    );

    const listed = await api(bank, "GET", "/api/v1/subscriptions");
    expect(listed.body.subscriptions.map((s: { id: string }) => s.id).sort()).toEqual([byId.body.id, byType.body.id].sort());
    expect((await api(bank, "DELETE", `/api/v1/subscriptions/${byId.body.id}`)).status).toBe(204);
    const audit = await api(admin, "GET", `/api/v1/admin/audit?actor=${bank.id}`);
    expect(
      audit.body.entries.map((e: { action: string; role: string; details: { subscriptionId: string } }) => [e.action, e.role, e.details.subscriptionId]),
    ).toEqual([
      ["subscription.create", "relying-party", byId.body.id],
      ["subscription.create", "relying-party", byType.body.id],
      ["subscription.delete", "relying-party", byId.body.id],
    ]);
  });

  it("asks a relying-party key for the department of a type subscription (it has none)", async () => {
    const { status, body } = await api(bank, "POST", "/api/v1/subscriptions", { url: `${receiver.url}/x`, docType: "licence" });
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/department/) });
  });

  it("refuses a relying-party key on officer and admin routes (403), and audits the refusals (once a minute per route family)", async () => {
    const held = await issueLicence("RP-2026-000002");
    const refused = [
      await api(bank, "POST", "/api/v1/documents", TYPICAL_LICENCE),
      await api(bank, "POST", "/api/v1/batches", { type: "licence", items: [TYPICAL_LICENCE.data] }),
      await api(bank, "POST", `/api/v1/documents/${held}/revoke`, { reason: "not mine to revoke" }),
      await api(bank, "POST", "/api/v1/status-changes", { action: "suspend", ids: [held], reason: "x" }),
      await api(bank, "GET", "/api/v1/admin/api-keys"),
      await api(bank, "POST", "/api/v1/admin/api-keys", { role: "admin", label: "escalation" }),
    ];
    expect(refused.map((r) => r.status)).toEqual([403, 403, 403, 403, 403, 403]);
    const audit = await api(admin, "GET", `/api/v1/admin/audit?actor=${bank.id}&action=access.refused`);
    // Once per key, method and route family a minute: the second POST under /api/v1/documents is not recorded again.
    expect(audit.body.entries.map((e: { details: { method: string; path: string } }) => `${e.details.method} ${e.details.path}`)).toEqual([
      "POST /api/v1/documents",
      "POST /api/v1/batches",
      "POST /api/v1/status-changes",
      "GET /api/v1/admin",
      "POST /api/v1/admin",
    ]);
    expect(audit.body.entries.every((e: { role: string }) => e.role === "relying-party")).toBe(true);
  });

  it("lets an officer subscribe only within its department", async () => {
    const own = await issueLicence("RP-2026-000003");
    expect((await api(service, "POST", "/api/v1/subscriptions", { url: `${receiver.url}/own`, documentIds: [own] })).status).toBe(201);
    expect((await api(service, "POST", "/api/v1/subscriptions", { url: `${receiver.url}/own-type`, docType: "licence" })).status).toBe(201);
    const otherType = await api(service, "POST", "/api/v1/subscriptions", { url: `${receiver.url}/other`, docType: "licence", department: "OTHER" });
    expect(otherType.status).toBe(403);
    const otherOfficer = await onboardWithOfficer(admin, "RP-OTHER", { en: "Other", zhHK: "其他" }, "other officer");
    const foreign = await api(otherOfficer, "POST", "/api/v1/documents", TYPICAL_LICENCE);
    expect(foreign.status).toBe(202);
    const foreignDocument = await api(service, "POST", "/api/v1/subscriptions", { url: `${receiver.url}/other`, documentIds: [foreign.body.id] });
    expect(foreignDocument.status).toBe(403);
    // The same document is open to a relying party that holds it.
    expect((await api(bank, "POST", "/api/v1/subscriptions", { url: `${receiver.url}/other`, documentIds: [foreign.body.id] })).status).toBe(201);
  });

  it("refuses an admin key on subscriptions (403)", async () => {
    expect((await api(admin, "GET", "/api/v1/subscriptions")).status).toBe(403);
    const created = await api(admin, "POST", "/api/v1/subscriptions", { url: `${receiver.url}/admin`, docType: "licence", department: "DEMO" });
    expect(created.status).toBe(403);
  });

  it("refuses a relying-party key created with a department or types", async () => {
    const { status } = await api(admin, "POST", "/api/v1/admin/api-keys", { role: "relying-party", label: "bank", department: "DEMO" });
    expect(status).toBe(400);
  });
});
