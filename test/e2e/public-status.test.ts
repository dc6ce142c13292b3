/**
 * The public status lookup (GET /api/v1/public/documents/{id}/status): what the verify page links to
 * from a SUPERSEDED verdict. Anyone may ask, with no key; the answer names the document's type,
 * department, validity window and ledger status, and nothing of its holder or contents.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, removeDataDir, startTestService, type TestService, TYPICAL_LICENCE, waitUntilAnchored } from "./test-service.ts";

/** Asked as the public: no API key. */
async function publicGet(service: TestService, path: string) {
  const response = await fetch(`${service.url}${path}`);
  return { status: response.status, body: await response.json(), headers: response.headers };
}

const statusPath = (id: string) => `/api/v1/public/documents/${id}/status`;

/** Every personal or content value of the typical licence, as it would appear in JSON. */
const PERSONAL = ["CHAN Tai Man", "陳大文", "A123***(4)", "FFL-2026", "Wing Fat", "榮發", "Maximum 20 workers", "Food Factory Licence", "食物製造廠牌照"];

describe("the public status lookup", () => {
  let service: TestService;
  let original: string;
  let successor: string;

  beforeAll(async () => {
    service = await startTestService();
    const issued = await api(service, "POST", "/api/v1/documents", TYPICAL_LICENCE);
    expect(issued.status).toBe(202);
    original = issued.body.id;
    await waitUntilAnchored(service, original);
    const replaced = await api(service, "POST", `/api/v1/documents/${original}/supersede`, {
      data: { ...TYPICAL_LICENCE.data, documentNumber: "FFL-2026-004217-R1" },
      reason: "renewed",
    });
    expect(replaced.status).toBe(201);
    successor = replaced.body.successor;
    await waitUntilAnchored(service, successor);
  }, 120_000);

  afterAll(async () => {
    await service?.stop();
    if (service) removeDataDir(service.dataDir);
  });

  it("answers the successor's type, department, validity and ledger status without a key", async () => {
    const { status, body, headers } = await publicGet(service, statusPath(successor));
    expect(status).toBe(200);
    expect(headers.get("cache-control")).toBe("no-cache");
    expect(body).toMatchObject({
      id: successor,
      type: "licence",
      typeVersion: 1,
      issuer: { code: "DEMO", name: { en: "Demonstration Department", "zh-HK": "示範部門" } },
      validFrom: "2026-01-01",
      validUntil: "2027-12-31",
      status: "ACTIVE",
      verdict: "VALID",
    });
    expect(body.issuedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(body.anchoring).toMatchObject({ chainId: service.trust.chainId, contract: service.trust.registry });
    expect(body.anchoring.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(body.successor).toBeUndefined();
  });

  it("reports the replaced document SUPERSEDED on the ledger, naming its successor", async () => {
    const { status, body } = await publicGet(service, statusPath(original));
    expect(status).toBe(200);
    expect(body.status).toBe("SUPERSEDED");
    expect(body.verdict).toBe("SUPERSEDED");
    expect(body.successor).toBe(successor);
    expect(body.statusChange).toMatchObject({ status: "SUPERSEDED", scope: "document" });
    expect(body.statusChange.changedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it("holds no personal or content field of the document, only the allowed keys", async () => {
    for (const id of [original, successor]) {
      const { body } = await publicGet(service, statusPath(id));
      const text = JSON.stringify(body);
      for (const value of PERSONAL) expect(text, `the answer for ${id} leaks ${value}`).not.toContain(value);
      const allowed = [
        "id",
        "type",
        "typeVersion",
        "issuer",
        "issuedAt",
        "validFrom",
        "validUntil",
        "status",
        "statusChange",
        "successor",
        "verdict",
        "anchoring",
      ];
      expect(Object.keys(body).filter((key) => !allowed.includes(key))).toEqual([]);
    }
  });

  it("reports PENDING for a document accepted but not yet anchored", async () => {
    await service.worker?.stop();
    const issued = await api(service, "POST", "/api/v1/documents", TYPICAL_LICENCE);
    const { status, body } = await publicGet(service, statusPath(issued.body.id));
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: "PENDING", verdict: "PENDING", anchoring: null });
  });

  it("answers 404 problem JSON for an id never issued here, and 400 for a malformed id", async () => {
    const unknown = await publicGet(service, statusPath("0".repeat(32)));
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("NOT_FOUND");
    for (const bad of ["not-an-id", "A".repeat(32), "0".repeat(31)]) {
      const malformed = await publicGet(service, statusPath(bad));
      expect(malformed.status, bad).toBe(400);
      expect(malformed.body.error).toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("32 lowercase hex") });
    }
  });

  it("is described in /openapi.json", async () => {
    const { body } = await publicGet(service, "/openapi.json");
    const op = body.paths["/api/v1/public/documents/{id}/status"]?.get;
    expect(op?.security).toBeUndefined();
    expect(Object.keys(op?.responses ?? {}).sort()).toEqual(["200", "400", "404", "429"]);
  });
});
