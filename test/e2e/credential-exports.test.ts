/**
 * The credential exports end to end, on the whole system (embedded chain, SQLite, HTTP): an officer
 * downloads a licence's SD-JWT VC and VC-JWT; independent libraries verify them with the keys from
 * /.well-known/jwt-vc-issuer; the verify API and the CLI give VALID for both and for a holder's
 * presentation of two fields, TAMPERED for a changed disclosure, REVOKED once revoked; bad input is
 * a 400 problem, an unknown document a 404, never a 500.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { digest, ES256, generateSalt } from "@sd-jwt/crypto-nodejs";
import { SDJwtVcInstance } from "@sd-jwt/sd-jwt-vc";
import { decodeProtectedHeader, importJWK, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalJson } from "../../services/domain/canonical-json.ts";
import { keccak256 } from "../../services/domain/keccak.ts";
import type { JsonValue } from "../../services/domain/types.ts";
import { api, runEproof, startTestService, stopTestService, type TestService, TYPICAL_LICENCE, waitUntilAnchored } from "./test-service.ts";

async function text(service: TestService, path: string): Promise<{ status: number; type: string; body: string }> {
  const response = await fetch(`${service.url}${path}`, { headers: { authorization: `Bearer ${service.apiKey}` } });
  return { status: response.status, type: response.headers.get("content-type") ?? "", body: await response.text() };
}

async function publicJson(service: TestService, path: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${service.url}${path}`);
  return { status: response.status, body: await response.json() };
}

describe("credential exports: SD-JWT VC and VC 2.0 VC-JWT", () => {
  let service: TestService;
  let workDir: string;
  let id: string;
  let sdJwt: string;
  let vcJwt: string;

  beforeAll(async () => {
    service = await startTestService();
    workDir = mkdtempSync(join(tmpdir(), "eproof-exports-"));
    const issued = await api(service, "POST", "/api/v1/documents", TYPICAL_LICENCE);
    expect(issued.status).toBe(202);
    id = issued.body.id;
    await waitUntilAnchored(service, id);
    const sd = await text(service, `/api/v1/documents/${id}/sd-jwt-vc`);
    expect(sd.status).toBe(200);
    expect(sd.type).toContain("application/dc+sd-jwt");
    sdJwt = sd.body;
    const vc = await text(service, `/api/v1/documents/${id}/vc-jwt`);
    expect(vc.status).toBe(200);
    expect(vc.type).toContain("application/vc+jwt");
    vcJwt = vc.body;
  });

  afterAll(async () => {
    await stopTestService(service);
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  async function issuerKey(jwt: string): Promise<Record<string, unknown>> {
    const { kid } = decodeProtectedHeader(jwt);
    const metadata = await publicJson(service, "/.well-known/jwt-vc-issuer/issuers/DEMO");
    expect(metadata.status).toBe(200);
    expect(metadata.body.issuer).toBe(`http://localhost:${service.env.PORT}/issuers/DEMO`);
    const key = (metadata.body.jwks.keys as Array<Record<string, unknown>>).find((k) => k.kid === kid);
    expect(key, `the issuer metadata publishes ${kid}`).toBeDefined();
    return key as Record<string, unknown>;
  }

  it("the SD-JWT VC verifies with @sd-jwt/sd-jwt-vc and the key from /.well-known/jwt-vc-issuer; its vct resolves to Type Metadata", async () => {
    const key = await issuerKey(sdJwt.split("~")[0] as string);
    const library = new SDJwtVcInstance({ hasher: digest, hashAlg: "sha-256", saltGenerator: generateSalt, verifier: await ES256.getVerifier(key) });
    const { payload } = await library.verify(sdJwt);
    expect(payload.eproof_id).toBe(id);
    expect(payload.documentNumber).toBe(TYPICAL_LICENCE.data.documentNumber);
    expect(payload.iss).toMatch(/\/issuers\/DEMO$/);
    const vct = new URL(payload.vct);
    const metadata = await publicJson(service, vct.pathname);
    expect(metadata.status).toBe(200);
    expect(metadata.body.vct).toBe(payload.vct);
    expect(metadata.body.claims.map((c: { path: string[] }) => c.path[0])).toContain("holder");
  });

  it("the VC-JWT verifies with jose and the key from /.well-known/jwt-vc-issuer; its schema is the one whose hash is on chain, its context is served", async () => {
    const key = await issuerKey(vcJwt);
    const { payload } = await jwtVerify(vcJwt, await importJWK({ ...(key as object), alg: "ES256" } as never, "ES256"), { typ: "vc+jwt" });
    expect(payload.type).toEqual(["VerifiableCredential", "LicenceCredential"]);
    const schemaRef = payload.credentialSchema as { id: string; schemaHash: string };
    const schema = await publicJson(service, new URL(schemaRef.id).pathname);
    expect(schema.status).toBe(200);
    expect(keccak256(canonicalJson(schema.body as JsonValue))).toBe(schemaRef.schemaHash);
    const context = await publicJson(service, new URL((payload["@context"] as string[])[1] as string).pathname);
    expect(context.status).toBe(200);
    expect(context.body["@context"].LicenceCredential).toBeDefined();
  });

  it("the verify API answers VALID for both exports, with the same evidence as the e-Proof file", async () => {
    const file = await api(service, "POST", "/api/v1/verify", { document: JSON.parse((await text(service, `/api/v1/documents/${id}/eproof.json`)).body) });
    for (const body of [{ sdJwt }, { vcJwt }]) {
      const { status, body: result } = await api(service, "POST", "/api/v1/verify", body);
      expect(status).toBe(200);
      expect(result.verdict, Object.keys(body)[0]).toBe("VALID");
      expect(result.evidence).toEqual(file.body.evidence);
      expect(result.issuerName).toEqual(file.body.issuerName);
    }
  });

  it("a holder's presentation of two fields, made by the library, is VALID; a changed disclosure is TAMPERED", async () => {
    const key = await issuerKey(sdJwt.split("~")[0] as string);
    const wallet = new SDJwtVcInstance({ hasher: digest, hashAlg: "sha-256", saltGenerator: generateSalt, verifier: await ES256.getVerifier(key) });
    const presentation = await wallet.present(sdJwt, { documentNumber: true, validUntil: true } as never);
    const presented = await api(service, "POST", "/api/v1/verify", { sdJwt: presentation });
    expect(presented.body.verdict).toBe("VALID");
    expect(presented.body.document.facts).toEqual({ documentNumber: TYPICAL_LICENCE.data.documentNumber, validUntil: TYPICAL_LICENCE.data.validUntil });
    expect(presented.body.document.hidden).toContain("holder");
    const [jwt, ...rest] = presentation.split("~");
    const changed = rest.map((d) => {
      if (!d) return d;
      const [salt, name] = JSON.parse(Buffer.from(d, "base64url").toString("utf8")) as [string, string];
      return name === "documentNumber" ? Buffer.from(JSON.stringify([salt, name, "FFL-2026-999999"])).toString("base64url") : d;
    });
    const tampered = await api(service, "POST", "/api/v1/verify", { sdJwt: [jwt, ...changed].join("~") });
    expect(tampered.status).toBe(200);
    expect(tampered.body.verdict).toBe("TAMPERED");
  });

  it("the CLI verifies the .sd-jwt and .vc-jwt files and a presentation of two fields against the chain alone: VALID, exit code 0", async () => {
    const key = await issuerKey(sdJwt.split("~")[0] as string);
    const wallet = new SDJwtVcInstance({ hasher: digest, hashAlg: "sha-256", saltGenerator: generateSalt, verifier: await ES256.getVerifier(key) });
    const presentation = await wallet.present(sdJwt, { documentNumber: true, holder: true } as never);
    for (const [name, content] of [
      ["licence.sd-jwt", sdJwt],
      ["licence.vc-jwt", vcJwt],
      ["presented", presentation],
    ] as const) {
      const file = join(workDir, name);
      writeFileSync(file, content);
      const result = await runEproof(["verify", file, "--rpc", service.rpcUrl, "--registry", service.trust.registry]);
      expect(result.code, `${name}: ${result.stderr}`).toBe(0);
      expect(JSON.parse(result.stdout).verdict).toBe("VALID");
    }
  });

  it("answers 404 for an unknown document and 400 problems for bad input, never a 500", async () => {
    for (const path of ["sd-jwt-vc", "vc-jwt"]) {
      expect((await api(service, "GET", `/api/v1/documents/${"0".repeat(32)}/${path}`)).status).toBe(404);
      expect((await api(service, "GET", `/api/v1/documents/not-an-id/${path}`)).status).toBe(404);
    }
    for (const body of [{ sdJwt: 5 }, { sdJwt: "" }, { vcJwt: "not { a token" }, { sdJwt: sdJwt, vcJwt: vcJwt }, { sdJwt: "x".repeat(70_000) }]) {
      const { status, body: problem } = await api(service, "POST", "/api/v1/verify", body);
      expect(status, JSON.stringify(body).slice(0, 60)).toBe(400);
      expect(problem.error.code).toBe("BAD_REQUEST");
    }
    for (const body of [{ sdJwt: "abc" }, { sdJwt: "a.b.c~" }, { vcJwt: "a.b.c" }, { vcJwt: sdJwt }]) {
      const { status, body: result } = await api(service, "POST", "/api/v1/verify", body);
      expect(status).toBe(200);
      expect(result.verdict).toBe("TAMPERED");
    }
    expect((await publicJson(service, "/.well-known/jwt-vc-issuer/issuers/NOPE")).status).toBe(404);
    expect((await publicJson(service, "/credentials/types/licence/9")).status).toBe(404);
  });

  it("revoked: both exports verify as REVOKED", async () => {
    const revoked = await api(service, "POST", `/api/v1/documents/${id}/revoke`, { reason: "Licence cancelled after inspection", reasonCode: 3 });
    expect(revoked.status).toBe(200);
    for (const body of [{ sdJwt }, { vcJwt }]) expect((await api(service, "POST", "/api/v1/verify", body)).body.verdict).toBe("REVOKED");
  });
});
