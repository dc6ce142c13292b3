/**
 * The service keeps the contract its /openapi.json states: real answers (issue, replay, downloads
 * before and after anchoring, verdicts, problems) validate (ajv, JSON Schema 2020-12) against the
 * schema the document gives for that operation and status; and a client generated from the live
 * document (openapi-typescript + openapi-fetch) type-checks and calls the service.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule, { type FormatsPlugin } from "ajv-formats";
import openapiTS, { astToString } from "openapi-typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, startTestService, stopTestService, type TestService, TYPICAL_LICENCE, waitUntilAnchored } from "./test-service.ts";

interface Operation {
  responses: Record<string, { headers?: Record<string, unknown>; content?: Record<string, { schema?: unknown }> }>;
}
type OpenApi = { paths: Record<string, Record<string, Operation>> };

// ajv-formats is CommonJS: Node's default import is the plugin itself, which its types call `.default`.
const addFormats = addFormatsModule as unknown as FormatsPlugin;

let service: TestService;
let document: OpenApi;
let ajv: Ajv2020;

/** The document's answer schema for this operation and status (the path as documented, e.g. /api/v1/documents/{id}). */
function answerOf(method: string, path: string, status: number): { headers?: Record<string, unknown>; content?: Record<string, { schema?: unknown }> } {
  const response = document.paths[path]?.[method.toLowerCase()]?.responses[String(status)];
  if (!response) throw new Error(`/openapi.json documents no ${status} for ${method} ${path}`);
  return response;
}

/** Validates a JSON body against the document's schema for it; returns the errors (none: it conforms). */
function conformance(method: string, path: string, status: number, body: unknown): unknown[] {
  const pointer = ["paths", path, method.toLowerCase(), "responses", String(status), "content", "application/json", "schema"]
    .map((part) => part.replaceAll("~", "~0").replaceAll("/", "~1"))
    .join("/");
  const validate = ajv.getSchema(`openapi.json#/${pointer}`);
  if (!validate) throw new Error(`no JSON schema for ${status} of ${method} ${path}`);
  return validate(body) ? [] : (validate.errors ?? []);
}

async function call(method: string, documented: string, path: string, body?: unknown, key?: string) {
  const answer = await api({ url: service.url, apiKey: key ?? service.apiKey }, method, path, body);
  return { ...answer, conformance: () => conformance(method, documented, answer.status, answer.body) };
}

beforeAll(async () => {
  service = await startTestService({ env: { EPROOF_VERIFY_RATE_LIMIT: "0", EPROOF_DOWNLOAD_WAIT_MS: "200", EPROOF_WEBHOOK_ALLOW_PRIVATE: "true" } });
  document = (await (await fetch(`${service.url}/openapi.json`)).json()) as OpenApi;
  ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ ...document, $id: "openapi.json" });
}, 120_000);

afterAll(async () => {
  await stopTestService(service);
});

describe("real answers against /openapi.json", () => {
  it("answers issue (202), idempotent replay (200), a download before anchoring (202 with Retry-After) and after it (200) as documented", async () => {
    await service.worker?.stop();
    let id: string;
    try {
      const request = { ...TYPICAL_LICENCE, idempotencyKey: `openapi-${Date.now()}` };
      const issued = await call("POST", "/api/v1/documents", "/api/v1/documents", request);
      expect(issued.status).toBe(202);
      expect(issued.conformance()).toEqual([]);
      id = issued.body.id;
      const replayed = await call("POST", "/api/v1/documents", "/api/v1/documents", request);
      expect(replayed.status).toBe(200);
      expect(replayed.body).toMatchObject({ id, replayed: true });
      expect(replayed.conformance()).toEqual([]);

      const early = await call("GET", "/api/v1/documents/{id}/eproof.json", `/api/v1/documents/${id}/eproof.json`);
      expect(early.status).toBe(202);
      expect(early.body.error.code).toBe("NOT_YET_ANCHORED");
      expect(early.conformance()).toEqual([]);
      expect(Object.keys(answerOf("GET", "/api/v1/documents/{id}/eproof.json", 202).headers ?? {})).toContain("Retry-After");
      expect(Number(early.headers.get("retry-after"))).toBeGreaterThan(0);
      const proof = await call("GET", "/api/v1/public/documents/{id}/proof", `/api/v1/public/documents/${id}/proof`);
      expect(proof.status).toBe(202);
      expect(proof.conformance()).toEqual([]);
    } finally {
      service.worker?.start();
    }
    await waitUntilAnchored(service, id);

    const record = await call("GET", "/api/v1/documents/{id}", `/api/v1/documents/${id}`);
    expect(record.status).toBe(200);
    expect(record.conformance()).toEqual([]);
    const proof = await call("GET", "/api/v1/public/documents/{id}/proof", `/api/v1/public/documents/${id}/proof`);
    expect(proof.status).toBe(200);
    expect(proof.conformance()).toEqual([]);
    const status = await call("GET", "/api/v1/public/documents/{id}/status", `/api/v1/public/documents/${id}/status`);
    expect(status.status).toBe(200);
    expect(status.conformance()).toEqual([]);

    const copy = await api(service, "GET", `/api/v1/documents/${id}/eproof.json`);
    expect(copy.status).toBe(200);
    const file = copy.body;
    expect(conformance("GET", "/api/v1/documents/{id}/eproof.json", 200, file)).toEqual([]);

    const valid = await call("POST", "/api/v1/verify", "/api/v1/verify", { document: file });
    expect(valid.body.verdict).toBe("VALID");
    expect(valid.conformance()).toEqual([]);
    const tampered = await call("POST", "/api/v1/verify", "/api/v1/verify", {
      document: { ...file, data: { ...file.data, documentNumber: "FFL-2026-999999" } },
    });
    expect(tampered.body.verdict).toBe("TAMPERED");
    expect(tampered.conformance()).toEqual([]);
    const redacted = await call("POST", "/api/v1/redact", "/api/v1/redact", { document: file, hide: ["premises"] });
    expect(redacted.status).toBe(200);
    expect(redacted.conformance()).toEqual([]);
  }, 60_000);

  it("answers a batch (202), status changes (200), a bulk change (200) and a supersession (201) as documented", async () => {
    const batch = await call("POST", "/api/v1/batches", "/api/v1/batches", { type: "licence", items: [TYPICAL_LICENCE.data, TYPICAL_LICENCE.data] });
    expect(batch.status).toBe(202);
    expect(batch.conformance()).toEqual([]);
    const [first, second] = (batch.body.documents as Array<{ id: string }>).map((d) => d.id) as [string, string];
    await waitUntilAnchored(service, first);
    await waitUntilAnchored(service, second);
    for (const action of ["suspend", "reinstate"]) {
      const changed = await call("POST", `/api/v1/documents/{id}/${action}`, `/api/v1/documents/${first}/${action}`, { reason: "contract test" });
      expect(changed.status, action).toBe(200);
      expect(changed.conformance(), action).toEqual([]);
    }
    const refused = await call("POST", "/api/v1/documents/{id}/reinstate", `/api/v1/documents/${first}/reinstate`, { reason: "not suspended" });
    expect(refused.status).toBe(409);
    expect(refused.conformance()).toEqual([]);
    const bulk = await call("POST", "/api/v1/status-changes", "/api/v1/status-changes", { action: "suspend", ids: [first], reason: "contract test" });
    expect(bulk.status).toBe(200);
    expect(bulk.conformance()).toEqual([]);
    const superseded = await call("POST", "/api/v1/documents/{id}/supersede", `/api/v1/documents/${second}/supersede`, { data: TYPICAL_LICENCE.data });
    expect(superseded.status).toBe(201);
    expect(superseded.conformance()).toEqual([]);
  }, 60_000);

  it("answers problems (bad verify input 400, unknown type 404, no key 401, a non-JSON body 400) as documented", async () => {
    const bad = await call("POST", "/api/v1/verify", "/api/v1/verify", { neither: "document nor qr" });
    expect(bad.status).toBe(400);
    expect(bad.conformance()).toEqual([]);
    const unknownType = await call("POST", "/api/v1/documents", "/api/v1/documents", { type: "passport", data: {} });
    expect(unknownType.status).toBe(404);
    expect(unknownType.body.error.code).toBe("UNKNOWN_TYPE");
    expect(unknownType.conformance()).toEqual([]);
    const noKey = await call("GET", "/api/v1/documents/{id}", `/api/v1/documents/${"0".repeat(32)}`, undefined, "ep_not-a-key");
    expect(noKey.status).toBe(401);
    expect(noKey.conformance()).toEqual([]);
    const malformed = await call("POST", "/api/v1/verify", "/api/v1/verify", "{not json");
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe("MALFORMED_JSON");
    expect(malformed.conformance()).toEqual([]);
  });

  it("finds an answer that breaks the documented shape (the check is not vacuous)", () => {
    expect(conformance("POST", "/api/v1/verify", 200, { verdict: "PROBABLY_FINE", checks: [], document: null, evidence: null })).not.toEqual([]);
    expect(conformance("POST", "/api/v1/documents", 404, { error: { code: "NO_SUCH_CODE", message: "x", requestId: "r" } })).not.toEqual([]);
    expect(conformance("GET", "/api/v1/documents/{id}/eproof.json", 202, { error: { code: "NOT_YET_ANCHORED", message: "x", requestId: "r" } })).not.toEqual(
      [],
    );
  });

  it("answers a body over the limit with the documented 413 problem", async () => {
    const huge = await call("POST", "/api/v1/verify", "/api/v1/verify", JSON.stringify({ qr: "1".repeat(3_000_000) }));
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(huge.conformance()).toEqual([]);
  });

  it("serves the non-JSON answers (page, favicon, metrics, QR codes, PDF) in the media types documented for them", async () => {
    const issued = await api(service, "POST", "/api/v1/documents", TYPICAL_LICENCE);
    await waitUntilAnchored(service, issued.body.id);
    const id = String(issued.body.id);
    for (const [documented, path, expected] of [
      ["/verify", "/verify", "text/html"],
      ["/favicon.ico", "/favicon.ico", "image/svg+xml"],
      ["/metrics", "/metrics", "text/plain"],
      ["/api/v1/documents/{id}/qr.png", `/api/v1/documents/${id}/qr.png`, "image/png"],
      ["/api/v1/documents/{id}/qr.svg", `/api/v1/documents/${id}/qr.svg`, "image/svg+xml"],
      ["/api/v1/documents/{id}/pdf", `/api/v1/documents/${id}/pdf`, "application/pdf"],
    ] as const) {
      const answer = await api(service, "GET", path);
      expect(answer.status, path).toBe(200);
      const served = answer.headers.get("content-type")?.split(";")[0];
      expect(served, path).toBe(expected);
      expect(Object.keys(answerOf("GET", documented, 200).content ?? {}), path).toEqual([served]);
    }
    const root = await fetch(`${service.url}/`, { redirect: "manual" });
    expect(root.status).toBe(302);
    expect(Object.keys(answerOf("GET", "/", 302).headers ?? {})).toEqual(["Location"]);
  });

  it("answers the trust configuration, keys and health as documented", async () => {
    for (const path of ["/.well-known/eproof.json", "/.well-known/jwks.json", "/healthz", "/healthz/live", "/healthz/ready"]) {
      const answer = await call("GET", path, path);
      expect(answer.status, path).toBe(200);
      expect(answer.conformance(), path).toEqual([]);
    }
  });

  it("answers the subscription and admin routes as documented, writes included", async () => {
    const created = await call("POST", "/api/v1/subscriptions", "/api/v1/subscriptions", { url: "http://localhost:9/hook", docType: "licence" });
    expect(created.status).toBe(201);
    expect(created.conformance()).toEqual([]);
    const sub = String(created.body.id);
    for (const [documented, path] of [
      ["/api/v1/subscriptions", "/api/v1/subscriptions"],
      ["/api/v1/subscriptions/{id}", `/api/v1/subscriptions/${sub}`],
      ["/api/v1/subscriptions/{id}/deliveries", `/api/v1/subscriptions/${sub}/deliveries`],
    ] as const) {
      const answer = await call("GET", documented, path);
      expect(answer.status, path).toBe(200);
      expect(answer.conformance(), path).toEqual([]);
    }
    expect((await call("DELETE", "/api/v1/subscriptions/{id}", `/api/v1/subscriptions/${sub}`)).status).toBe(204);

    const adminKey = (JSON.parse(readFileSync(join(service.dataDir, "dev-credentials.json"), "utf8")) as { adminApiKey: string }).adminApiKey;
    for (const [documented, path] of [
      ["/api/v1/admin/api-keys", "/api/v1/admin/api-keys"],
      ["/api/v1/admin/audit", "/api/v1/admin/audit?limit=5"],
      ["/api/v1/admin/departments/{code}", "/api/v1/admin/departments/DEMO"],
    ] as const) {
      const answer = await call("GET", documented, path, undefined, adminKey);
      expect(answer.status, path).toBe(200);
      expect(answer.conformance(), path).toEqual([]);
    }
    const code = `OAPI-${Date.now() % 100_000}`;
    const department = `/api/v1/admin/departments/${code}`;
    for (const [method, documented, path, body, status] of [
      ["POST", "/api/v1/admin/departments", "/api/v1/admin/departments", { code, name: { en: "OpenAPI Office", zhHK: "開放辦" }, types: ["licence"] }, 201],
      ["PUT", "/api/v1/admin/departments/{code}/publishable-reasons", `${department}/publishable-reasons`, { reasonCodes: [1] }, 200],
      ["POST", "/api/v1/admin/departments/{code}/suspend", `${department}/suspend`, undefined, 200],
      ["POST", "/api/v1/admin/departments/{code}/reinstate", `${department}/reinstate`, undefined, 200],
      ["POST", "/api/v1/admin/departments/{code}/types", `${department}/types`, { type: "permit" }, 200],
      ["DELETE", "/api/v1/admin/departments/{code}/types/{type}", `${department}/types/permit`, undefined, 200],
      ["POST", "/api/v1/admin/departments/{code}/keys/rotate", `${department}/keys/rotate`, { graceSeconds: 60 }, 200],
      ["POST", "/api/v1/admin/departments/{code}/anchorers/rotate", `${department}/anchorers/rotate`, undefined, 200],
    ] as const) {
      const answer = await call(method, documented, path, body, adminKey);
      expect(answer.status, path).toBe(status);
      expect(answer.conformance(), path).toEqual([]);
    }
    const key = await call("POST", "/api/v1/admin/api-keys", "/api/v1/admin/api-keys", { department: code, label: "openapi" }, adminKey);
    expect(key.status).toBe(201);
    expect(key.conformance()).toEqual([]);
    const revoked = await call("POST", "/api/v1/admin/api-keys/{id}/revoke", `/api/v1/admin/api-keys/${key.body.id}/revoke`, undefined, adminKey);
    expect(revoked.status).toBe(200);
    expect(revoked.conformance()).toEqual([]);

    const refused = await call("GET", "/api/v1/admin/api-keys", "/api/v1/admin/api-keys", undefined, service.apiKey);
    expect(refused.status).toBe(403);
    expect(refused.conformance()).toEqual([]);
  });
});

describe("a client generated from /openapi.json", () => {
  it("type-checks against the generated types and calls the service: an officer GET and POST /api/v1/verify", async () => {
    const [issued] = [await api(service, "POST", "/api/v1/documents", TYPICAL_LICENCE)];
    const id = String(issued?.body.id);
    await waitUntilAnchored(service, id);

    const folder = mkdtempSync(join(tmpdir(), "eproof-client-"));
    try {
      // What an integrator runs: the types from the live document, then a client on openapi-fetch.
      writeFileSync(join(folder, "eproof-api.d.ts"), astToString(await openapiTS(new URL(`${service.url}/openapi.json`))));
      symlinkSync(resolve("node_modules"), join(folder, "node_modules"));
      writeFileSync(join(folder, "package.json"), JSON.stringify({ type: "module" }));
      writeFileSync(
        join(folder, "tsconfig.json"),
        JSON.stringify({
          compilerOptions: {
            strict: true,
            noEmit: true,
            target: "es2023",
            module: "nodenext",
            allowImportingTsExtensions: true,
            types: ["node"],
            skipLibCheck: true,
          },
          files: ["client.ts"],
        }),
      );
      writeFileSync(
        join(folder, "client.ts"),
        `import createClient from "openapi-fetch";
import type { paths } from "./eproof-api.d.ts";

const [baseUrl, apiKey, id] = process.argv.slice(2) as [string, string, string];
const client = createClient<paths>({ baseUrl });
const officer = { Authorization: \`Bearer \${apiKey}\` };

const record = await client.GET("/api/v1/documents/{id}", { params: { path: { id } }, headers: officer });
if (!record.data) throw new Error(\`GET /api/v1/documents/{id}: \${record.response.status}\`);
const anchoring: "ANCHORED" | "PENDING" = record.data.anchoring;

const copy = await client.GET("/api/v1/documents/{id}/eproof.json", { params: { path: { id } }, headers: officer, parseAs: "json" });
if (!copy.data || copy.response.status !== 200) throw new Error(\`eproof.json: \${copy.response.status}\`);
const verified = await client.POST("/api/v1/verify", { body: { document: copy.data } });
if (!verified.data) throw new Error(\`POST /api/v1/verify: \${verified.response.status}\`);
type Verdict = "VALID" | "TAMPERED" | "REVOKED" | "SUSPENDED" | "SUPERSEDED" | "EXPIRED" | "NOT_YET_VALID" | "UNKNOWN_ISSUER" | "NOT_ANCHORED" | "PENDING" | "UNAVAILABLE";
const verdict: Verdict = verified.data.verdict;
const checks: string[] = verified.data.checks.map((check) => \`\${check.name}:\${check.status}\`);

function neverCalled() {
  // @ts-expect-error a path the document does not have is a type error
  return client.GET("/api/v1/no-such-route");
}
void neverCalled;

console.log(JSON.stringify({ anchoring, verdict, checks, issuedAt: record.data.issuedAt }));
`,
      );
      const run = promisify(execFile);
      await run(process.execPath, [resolve("node_modules/typescript/bin/tsc"), "-p", folder], { timeout: 120_000 }).catch((error: { stdout?: string }) => {
        throw new Error(`the generated client does not type-check:\n${error.stdout}`);
      });
      const { stdout } = await run(process.execPath, [join(folder, "client.ts"), service.url, service.apiKey, id], { timeout: 30_000 });
      const printed = JSON.parse(stdout.trim());
      expect(printed).toMatchObject({ anchoring: "ANCHORED", verdict: "VALID", issuedAt: issued?.body.issuedAt });
      expect(printed.checks).toContain("integrity:VALID");
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 180_000);
});
