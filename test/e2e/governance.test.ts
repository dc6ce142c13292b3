/**
 * The platform administrator's governance, end to end on the embedded chain: onboarding, grants,
 * key rotation and compromise judged as of issuance, department suspension, officer API keys with
 * roles and scopes, and the append-only audit log. Each test onboards its own department.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRpcProvider } from "../../services/adapters/chain/rpc-provider.ts";
import { api, downloadEProof, removeDataDir, runEproof, startTestService, type TestService, TYPICAL_LICENCE, waitUntilAnchored } from "./test-service.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("platform administration and trust as of issuance", () => {
  let service: TestService;
  let admin: { url: string; apiKey: string };
  let nextDepartment = 0;

  beforeAll(async () => {
    service = await startTestService();
    const credentials = JSON.parse(readFileSync(join(service.dataDir, "dev-credentials.json"), "utf8")) as { adminApiKey: string };
    admin = { url: service.url, apiKey: credentials.adminApiKey };
  });
  afterAll(async () => {
    await service?.stop();
    if (service) removeDataDir(service.dataDir);
  });

  /** Onboards a fresh department with the given types and returns an officer key for it. */
  async function onboard(
    types: string[] = ["licence"],
    officerTypes: string[] = [],
  ): Promise<{ code: string; officer: { url: string; apiKey: string; id: string } }> {
    nextDepartment += 1;
    const code = `GOV-${nextDepartment}`;
    const onboarded = await api(admin, "POST", "/api/v1/admin/departments", {
      code,
      name: { en: `Governance Test ${nextDepartment}`, zhHK: `管治測試${nextDepartment}` },
      types,
    });
    expect(onboarded.status).toBe(201);
    const key = await api(admin, "POST", "/api/v1/admin/api-keys", { department: code, label: "licensing officer", types: officerTypes });
    expect(key.status).toBe(201);
    return { code, officer: { url: service.url, apiKey: key.body.apiKey, id: key.body.id } };
  }

  async function issueAnchored(officer: { url: string; apiKey: string }): Promise<{ id: string; eproof: any; verifyUrl: string }> {
    const issued = await api(officer, "POST", "/api/v1/documents", TYPICAL_LICENCE);
    expect(issued.status).toBe(202);
    const owner = { ...service, apiKey: officer.apiKey };
    await waitUntilAnchored(owner, issued.body.id);
    return { id: issued.body.id, eproof: await downloadEProof(owner, issued.body.id), verifyUrl: issued.body.verifyUrl };
  }

  async function verify(eproof: unknown) {
    const { status, body } = await api(service, "POST", "/api/v1/verify", { document: eproof });
    expect(status).toBe(200);
    return body as { verdict: string; checks: Array<{ name: string; status: string; reason: string }>; evidence: { anchoredAt: string } | null };
  }

  it("refuses the admin API without a key (401), with an officer's key (403), and an admin key on officer routes (403)", async () => {
    const none = await api({ url: service.url, apiKey: "" }, "GET", "/api/v1/admin/api-keys");
    expect(none.status).toBe(401);
    const officer = await api(service, "POST", "/api/v1/admin/departments", { code: "NOPE", name: { en: "No", zhHK: "否" } });
    expect(officer.status).toBe(403);
    expect(officer.body.error.code).toBe("FORBIDDEN");
    expect((await api(service, "GET", "/api/v1/admin/audit")).status).toBe(403);
    const adminIssuing = await api(admin, "POST", "/api/v1/documents", TYPICAL_LICENCE);
    expect(adminIssuing.status).toBe(403);
  });

  it("onboards a department with a bilingual name on chain, and its officer issues documents that verify VALID", async () => {
    const { code, officer } = await onboard(["licence", "permit"]);
    const described = await api(admin, "GET", `/api/v1/admin/departments/${code}`);
    expect(described.status).toBe(200);
    expect(described.body).toMatchObject({ code, status: "ACTIVE", name: { zhHK: expect.stringContaining("管治測試") } });
    expect(described.body.types.map((t: { type: string; granted: boolean }) => [t.type, t.granted])).toEqual([
      ["licence", true],
      ["permit", true],
    ]);
    expect(described.body.types[0].schemaHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(described.body.signingKeys).toEqual([expect.objectContaining({ kid: `${code}-1`, validUntil: null, compromisedAt: null })]);
    expect(described.body.anchorers).toHaveLength(1);
    const { eproof } = await issueAnchored(officer);
    expect(eproof.header.issuer).toBe(code);
    const verdict = await verify(eproof);
    expect(verdict.verdict).toBe("VALID");
    // The verify page names the issuer as the chain records it.
    expect((verdict as { issuerName?: unknown }).issuerName).toEqual({
      en: expect.stringContaining("Governance Test"),
      "zh-HK": expect.stringContaining("管治測試"),
    });
  });

  it("refuses a type not granted to the department, a type outside the key's scope, and a withdrawn type (403)", async () => {
    const { code, officer } = await onboard(["licence"]);
    const permit = { type: "permit", data: {} };
    const notGranted = await api(officer, "POST", "/api/v1/documents", permit);
    expect(notGranted.status).toBe(403);
    expect(notGranted.body.error.message).toMatch(/not authorised to issue permit/);

    const scoped = await api(admin, "POST", "/api/v1/admin/api-keys", { department: code, label: "permits only", types: ["permit"] });
    const outOfScope = await api({ url: service.url, apiKey: scoped.body.apiKey }, "POST", "/api/v1/documents", TYPICAL_LICENCE);
    expect(outOfScope.status).toBe(403);
    expect(outOfScope.body.error.message).toMatch(/may not issue licence/);

    expect((await api(admin, "DELETE", `/api/v1/admin/departments/${code}/types/licence`)).status).toBe(200);
    const withdrawn = await api(officer, "POST", "/api/v1/documents", TYPICAL_LICENCE);
    expect(withdrawn.status).toBe(403);
    expect(withdrawn.body.error.code).toBe("FORBIDDEN");
  });

  it("hides another department's documents from an officer (404) and refuses reinstating a revoked document (409)", async () => {
    const { officer } = await onboard();
    const { id } = await issueAnchored(officer);
    expect((await api(service, "GET", `/api/v1/documents/${id}`)).status).toBe(404);
    expect((await api(service, "POST", `/api/v1/documents/${id}/revoke`, { reason: "not yours" })).status).toBe(404);
    expect((await api(officer, "POST", `/api/v1/documents/${id}/revoke`, { reason: "cancelled", reasonCode: 3 })).status).toBe(200);
    const reinstate = await api(officer, "POST", `/api/v1/documents/${id}/reinstate`, { reason: "try again" });
    expect(reinstate.status).toBe(409);
    expect(reinstate.body.error.code).toBe("INVALID_STATUS_CHANGE");
  });

  it("keeps a document signed before a key rotation VALID and signs new ones with the new key; JWKS lists both windows", async () => {
    const { code, officer } = await onboard();
    const before = await issueAnchored(officer);
    const rotated = await api(admin, "POST", `/api/v1/admin/departments/${code}/keys/rotate`, { graceSeconds: 60 });
    expect(rotated.status).toBe(200);
    expect(rotated.body.current.kid).toBe(`${code}-2`);
    expect(rotated.body.retired).toEqual([expect.objectContaining({ kid: `${code}-1` })]);
    const after = await issueAnchored(officer);
    expect(after.eproof.signature.jws).not.toBe(before.eproof.signature.jws);
    expect(JSON.parse(Buffer.from(after.eproof.signature.jws.split(".")[0], "base64url").toString()).kid).toBe(`${code}-2`);
    expect((await verify(before.eproof)).verdict).toBe("VALID");
    expect((await verify(after.eproof)).verdict).toBe("VALID");
    // The QR carries only the key number: the verifier finds the past key in the key directory.
    expect((await api(service, "POST", "/api/v1/verify", { qr: before.verifyUrl })).body.verdict).toBe("VALID");
    expect((await api(service, "POST", "/api/v1/verify", { qr: after.verifyUrl })).body.verdict).toBe("VALID");
    const jwks = (await api(service, "GET", "/.well-known/jwks.json")).body.keys.filter((k: { dept: string }) => k.dept === code);
    expect(jwks.map((k: { kid: string; validUntil: string | null }) => [k.kid, k.validUntil === null])).toEqual([
      [`${code}-1`, false],
      [`${code}-2`, true],
    ]);
  });

  it("after a key is marked compromised as of T, fails documents anchored from T on, keeps earlier ones VALID, and stops issuing until rotation", async () => {
    const { code, officer } = await onboard();
    const early = await issueAnchored(officer);
    await sleep(1_100); // the next block gets a later block time
    const late = await issueAnchored(officer);
    const lateVerdict = await verify(late.eproof);
    expect(lateVerdict.verdict).toBe("VALID");
    const t = lateVerdict.evidence?.anchoredAt as string;
    expect(Date.parse(t)).toBeGreaterThan(Date.parse((await verify(early.eproof)).evidence?.anchoredAt as string));

    const marked = await api(admin, "POST", `/api/v1/admin/departments/${code}/keys/${code}-1/compromised`, { at: t });
    expect(marked.status).toBe(200);
    expect((await verify(early.eproof)).verdict).toBe("VALID");
    expect((await api(service, "POST", "/api/v1/verify", { qr: late.verifyUrl })).body.verdict).toBe("UNKNOWN_ISSUER");
    const compromised = await verify(late.eproof);
    expect(compromised.verdict).toBe("UNKNOWN_ISSUER");
    expect(compromised.checks.find((c) => c.name === "signature")).toMatchObject({ status: "INVALID", reason: expect.stringMatching(/compromised/) });
    const jwk = (await api(service, "GET", "/.well-known/jwks.json")).body.keys.find((k: { kid: string }) => k.kid === `${code}-1`);
    expect(jwk.compromisedAt).toBe(t);

    const refused = await api(officer, "POST", "/api/v1/documents", TYPICAL_LICENCE);
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/compromised/);
    const twice = await api(admin, "POST", `/api/v1/admin/departments/${code}/keys/${code}-1/compromised`, { at: t });
    expect(twice.status).toBe(409);
    expect(twice.body.error.message).toMatch(/IssuerRegistrySigningKeyAlreadyCompromised/);

    expect((await api(admin, "POST", `/api/v1/admin/departments/${code}/keys/rotate`, {})).status).toBe(200);
    const renewed = await issueAnchored(officer);
    expect((await verify(renewed.eproof)).verdict).toBe("VALID");
  });

  it("stops a suspended department from issuing while its documents keep their own status, and lets it issue again once reinstated", async () => {
    const { code, officer } = await onboard();
    const kept = await issueAnchored(officer);
    const revoked = await issueAnchored(officer);
    expect((await api(officer, "POST", `/api/v1/documents/${revoked.id}/revoke`, { reason: "cancelled", reasonCode: 3 })).status).toBe(200);

    expect((await api(admin, "POST", `/api/v1/admin/departments/${code}/suspend`)).status).toBe(200);
    expect((await api(admin, "POST", `/api/v1/admin/departments/${code}/suspend`)).status).toBe(409);
    const refused = await api(officer, "POST", "/api/v1/documents", TYPICAL_LICENCE);
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/suspended/);
    expect((await verify(kept.eproof)).verdict).toBe("VALID");
    expect((await verify(revoked.eproof)).verdict).toBe("REVOKED");
    // Suspension stops new issuance, not the care of what exists: a document can still be suspended.
    expect((await api(officer, "POST", `/api/v1/documents/${kept.id}/suspend`, { reason: "inspection" })).status).toBe(200);
    expect((await verify(kept.eproof)).verdict).toBe("SUSPENDED");
    const supersede = await api(officer, "POST", `/api/v1/documents/${kept.id}/supersede`, { data: TYPICAL_LICENCE.data });
    expect(supersede.status).toBe(403); // a successor is a new document

    expect((await api(admin, "POST", `/api/v1/admin/departments/${code}/reinstate`)).status).toBe(200);
    const again = await issueAnchored(officer);
    expect((await verify(again.eproof)).verdict).toBe("VALID");
  });

  it("stops a revoked officer key at once (401), and lists keys without their secrets", async () => {
    const { officer } = await onboard();
    expect((await api(officer, "GET", `/api/v1/documents/${"0".repeat(32)}`)).status).toBe(404);
    expect((await api(admin, "POST", `/api/v1/admin/api-keys/${officer.id}/revoke`)).status).toBe(200);
    expect((await api(officer, "GET", `/api/v1/documents/${"0".repeat(32)}`)).status).toBe(401);
    expect((await api(admin, "POST", `/api/v1/admin/api-keys/${officer.id}/revoke`)).status).toBe(409);
    const listed = await api(admin, "GET", "/api/v1/admin/api-keys");
    expect(listed.body.keys.find((k: { id: string }) => k.id === officer.id)).toMatchObject({ revoked: true, role: "officer" });
    expect(JSON.stringify(listed.body)).not.toContain(officer.apiKey);
  });

  it("describes every admin route in /openapi.json under the admin API key scheme", async () => {
    const { body } = await api(service, "GET", "/openapi.json");
    expect(body.components.securitySchemes.adminApiKey).toMatchObject({ type: "http", scheme: "bearer" });
    const adminPaths = Object.keys(body.paths).filter((p) => p.startsWith("/api/v1/admin/"));
    expect(adminPaths).toEqual(expect.arrayContaining(["/api/v1/admin/departments", "/api/v1/admin/departments/{code}/keys/rotate", "/api/v1/admin/audit"]));
    expect(body.paths["/api/v1/admin/departments"].post.requestBody.content["application/json"].schema.required).toEqual(["code", "name"]);
  });

  it("answers bad administrator input with a 4xx problem, never a 500", async () => {
    const bad = await api(admin, "POST", "/api/v1/admin/departments", { code: "lower case", name: { en: "x", zhHK: "x" } });
    expect(bad.status).toBe(400);
    expect((await api(admin, "POST", "/api/v1/admin/departments", { code: "GOV-X" })).status).toBe(400);
    expect((await api(admin, "POST", "/api/v1/admin/departments", { code: "DEMO", name: { en: "Again", zhHK: "再" } })).status).toBe(409);
    expect((await api(admin, "POST", "/api/v1/admin/departments/DEMO/types", { type: "passport" })).status).toBe(404);
    expect((await api(admin, "POST", "/api/v1/admin/departments/NOWHERE/suspend")).status).toBe(404);
    expect((await api(admin, "POST", "/api/v1/admin/departments/DEMO/keys/DEMO-1/compromised", { at: "yesterday" })).status).toBe(400);
    expect((await api(admin, "POST", "/api/v1/admin/departments/DEMO/anchorers", { account: "0x1234" })).status).toBe(400);
    expect((await api(admin, "POST", "/api/v1/admin/api-keys", { label: "no department" })).status).toBe(400);
    expect((await api(admin, "GET", "/api/v1/admin/audit?limit=abc")).status).toBe(400);
  });

  it("records officer and admin actions in the audit log, with ids and codes but no holder data", async () => {
    const { code, officer } = await onboard();
    const { id } = await issueAnchored(officer);
    expect(
      (await api(officer, "POST", `/api/v1/documents/${id}/suspend`, { reason: `phoned by ${TYPICAL_LICENCE.data.documentNumber}`, reasonCode: 6 })).status,
    ).toBe(200);
    const log = await api(admin, "GET", `/api/v1/admin/audit?department=${code}`);
    expect(log.status).toBe(200);
    const actions = log.body.entries.map((e: { action: string; actor: string; documentId: string | null }) => [e.action, e.documentId]);
    expect(actions).toEqual(
      expect.arrayContaining([
        ["department.onboard", null],
        ["type.grant", null],
        ["key.register", null],
        ["apikey.create", null],
        ["document.issue", id],
        ["document.suspend", id],
      ]),
    );
    const issue = log.body.entries.find((e: { action: string }) => e.action === "document.issue");
    expect(issue).toMatchObject({ actor: officer.id, role: "officer", department: code, details: { type: "licence" } });
    const text = JSON.stringify(log.body);
    expect(text).not.toContain(String(TYPICAL_LICENCE.data.documentNumber));
    expect(text).not.toContain(JSON.stringify(TYPICAL_LICENCE.data.holder).slice(1, 20));
    expect((await api(officer, "POST", "/api/v1/status-changes", { ids: [id], action: "reinstate", reason: "checked" })).status).toBe(200);
    const byDocument = await api(admin, "GET", `/api/v1/admin/audit?documentId=${id}`);
    expect(byDocument.body.entries.map((e: { action: string }) => e.action)).toEqual(["document.issue", "document.suspend", "document.reinstate"]);
    expect(byDocument.body.entries[2].details).toMatchObject({ bulk: true });
  });

  it("rotates a department's anchoring account from `eproof admin`: later batches come from the new account, the old one is no longer its anchorer", async () => {
    const env = { EPROOF_URL: service.url, EPROOF_ADMIN_API_KEY: admin.apiKey };
    expect((await api(admin, "POST", "/api/v1/admin/departments", { code: "ROT", name: { en: "Rotation", zhHK: "輪換" }, types: ["licence"] })).status).toBe(
      201,
    );
    const first = (await api(admin, "GET", "/api/v1/admin/departments/ROT")).body.anchorers as string[];
    expect(first).toHaveLength(1);
    const officer = {
      url: service.url,
      apiKey: (await api(admin, "POST", "/api/v1/admin/api-keys", { department: "ROT", label: "officer" })).body.apiKey as string,
    };
    const provider = createRpcProvider(service.rpcUrl, service.trust.chainId);
    try {
      const before = await issueAnchored(officer);
      expect((await provider.getTransaction(before.eproof.anchor.txHash))?.from).toBe(first[0]);

      const rotated = await runEproof(["admin", "rotate-anchorer", "ROT"], env);
      expect(rotated.code, rotated.stderr).toBe(0);
      const answer = JSON.parse(rotated.stdout) as { account: string; removed: string[] };
      expect(answer.removed).toEqual(first);
      expect((await api(admin, "GET", "/api/v1/admin/departments/ROT")).body.anchorers).toEqual([answer.account]);

      const after = await issueAnchored(officer);
      expect((await provider.getTransaction(after.eproof.anchor.txHash))?.from).toBe(answer.account);
      for (const document of [before, after]) {
        expect((await api(service, "POST", "/api/v1/verify", { document: document.eproof })).body.verdict).toBe("VALID");
      }
      const published = await runEproof(["admin", "publish-reasons", "ROT", "8"], env);
      expect(JSON.parse(published.stdout)).toEqual({ code: "ROT", publishableReasonCodes: [8] });
    } finally {
      provider.destroy();
    }
  });

  it("runs the same administration from `eproof admin`, and refuses an officer's key there too", async () => {
    const env = { EPROOF_URL: service.url, EPROOF_ADMIN_API_KEY: admin.apiKey };
    const onboarded = await runEproof(
      ["admin", "onboard", "CLI-DEPT", "--name-en", "CLI Department", "--name-zh", "命令列部門", "--types", "licence,certificate"],
      env,
    );
    expect(onboarded.stderr).toBe("");
    expect(onboarded.code).toBe(0);
    expect(JSON.parse(onboarded.stdout)).toMatchObject({
      code: "CLI-DEPT",
      name: { en: "CLI Department", zhHK: "命令列部門" },
      signingKeys: [{ kid: "CLI-DEPT-1" }],
    });
    const key = await runEproof(["admin", "create-key", "--department", "CLI-DEPT", "--label", "officer", "--types", "licence"], env);
    expect(key.code).toBe(0);
    const officer = { url: service.url, apiKey: JSON.parse(key.stdout).apiKey as string };
    await issueAnchored(officer);
    expect((await runEproof(["admin", "suspend", "CLI-DEPT"], env)).code).toBe(0);
    expect((await api(officer, "POST", "/api/v1/documents", TYPICAL_LICENCE)).status).toBe(403);
    const audit = await runEproof(["admin", "audit", "--department", "CLI-DEPT", "--action", "department.suspend"], env);
    expect(JSON.parse(audit.stdout).entries).toHaveLength(1);

    const asOfficer = await runEproof(["admin", "list-keys", "--api-key", officer.apiKey], env);
    expect(asOfficer.code).toBe(1);
    expect(asOfficer.stderr).toMatch(/403 FORBIDDEN/);
    expect((await runEproof(["admin", "no-such-thing"], env)).code).toBe(2);

    const offline = await runEproof(["admin", "create-admin-key", "--data-dir", service.dataDir, "--label", "second administrator"]);
    expect(offline.code).toBe(0);
    const second = { url: service.url, apiKey: JSON.parse(offline.stdout).apiKey as string };
    expect((await api(second, "GET", "/api/v1/admin/departments/CLI-DEPT")).body.status).toBe("SUSPENDED");
  }, 180_000); // eight CLI processes, each loading TypeScript

  it("names an onboarded department from the chain after a restart, before it issues again", async () => {
    const { code, officer } = await onboard();
    const { eproof } = await issueAnchored(officer);
    await service.stop();
    service = await startTestService({ dataDir: service.dataDir });
    const verdict = await verify(eproof);
    expect(verdict.verdict).toBe("VALID");
    expect((verdict as { issuerName?: unknown }).issuerName).toEqual({
      en: expect.stringContaining("Governance Test"),
      "zh-HK": expect.stringContaining("管治測試"),
    });
    expect(eproof.header.issuer).toBe(code);
  });
});
