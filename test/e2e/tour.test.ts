import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeQrFragment, encodeQrFragment, qrUrl } from "../../services/domain/qr-payload.ts";
import { readQrFromPng } from "../unit/qr/read-qr-image.ts";
import { api, downloadEProof, removeDataDir, runEproof, startTestService, type TestService, TYPICAL_LICENCE, waitUntilAnchored } from "./test-service.ts";

describe("the README tour, end to end on the embedded chain", () => {
  let service: TestService;
  let id: string;
  let verifyUrl: string;
  let eproof: any;

  beforeAll(async () => {
    service = await startTestService();
    const issued = await api(service, "POST", "/api/v1/documents", TYPICAL_LICENCE);
    expect(issued.status).toBe(202);
    id = issued.body.id;
    verifyUrl = issued.body.verifyUrl;
    await waitUntilAnchored(service, id);
    eproof = await downloadEProof(service, id);
  });
  afterAll(async () => {
    await service?.stop();
    if (service) removeDataDir(service.dataDir);
  });

  it("publishes the trust configuration a verifier pins", async () => {
    const { body } = await api(service, "GET", "/.well-known/eproof.json");
    expect(body).toMatchObject({ chainId: 852, registry: service.trust.registry, jwksUri: expect.stringMatching(/\/\.well-known\/jwks\.json$/) });
    const jwks = await api(service, "GET", "/.well-known/jwks.json");
    expect(jwks.body.keys[0]).toMatchObject({ kid: "DEMO-1", kty: "EC", crv: "P-256", dept: "DEMO" });
  });

  it("verifies the issued e-Proof file as VALID with the on-chain evidence", async () => {
    expect(eproof.anchor).toMatchObject({ chainId: 852, registry: service.trust.registry });
    const { status, body } = await api(service, "POST", "/api/v1/verify", { document: eproof });
    expect(status).toBe(200);
    expect(body.verdict).toBe("VALID");
    expect(body.checks.map((c: { status: string }) => c.status)).toEqual(["VALID", "VALID", "VALID", "VALID", "VALID", "VALID"]);
    expect(body.evidence).toMatchObject({ chainId: 852, contract: service.trust.registry, txHash: expect.stringMatching(/^0x[0-9a-f]{64}$/) });
  });

  it("verifies the QR link's text as VALID", async () => {
    expect(verifyUrl).toMatch(/^HTTP:\/\/LOCALHOST:\d+\/VERIFY#\d+$/);
    const { body } = await api(service, "POST", "/api/v1/verify", { qr: verifyUrl });
    expect(body.verdict).toBe("VALID");
  });

  it("tells a QR code naming an unknown key (UNKNOWN_ISSUER) from one with a forged signature (TAMPERED)", async () => {
    const parts = decodeQrFragment(verifyUrl);
    const unknownKey = qrUrl(service.url, encodeQrFragment({ ...parts, keyNumber: 9 }));
    const unknown = (await api(service, "POST", "/api/v1/verify", { qr: unknownKey })).body;
    expect(unknown.verdict).toBe("UNKNOWN_ISSUER");
    expect(unknown.checks.find((c: { name: string }) => c.name === "signature")).toMatchObject({ status: "INVALID" });
    const signature = Uint8Array.from(parts.signature);
    signature[10] = (signature[10] as number) ^ 0xff;
    const forged = qrUrl(service.url, encodeQrFragment({ ...parts, signature }));
    expect((await api(service, "POST", "/api/v1/verify", { qr: forged })).body.verdict).toBe("TAMPERED");
  });

  it("serves the QR link's page, case-insensitively as phone cameras open it", async () => {
    const page = await fetch(`${service.url}/VERIFY`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("/assets/verify.js");
  });

  it("verifies the downloaded PDF (its embedded e-Proof file) as VALID", async () => {
    const pdf = await api(service, "GET", `/api/v1/documents/${id}/pdf`);
    expect(pdf.headers.get("content-type")).toBe("application/pdf");
    const { body } = await api(service, "POST", "/api/v1/verify", new Uint8Array(pdf.body), { "content-type": "application/pdf" });
    expect(body.verdict).toBe("VALID");
  });

  it("serves the QR code as PNG and SVG; the PNG read as a camera would verifies VALID", async () => {
    const png = await api(service, "GET", `/api/v1/documents/${id}/qr.png`);
    expect(png.headers.get("content-type")).toBe("image/png");
    const scanned = readQrFromPng(png.body as Buffer);
    expect(scanned).toBe(verifyUrl);
    expect((await api(service, "POST", "/api/v1/verify", { qr: scanned })).body.verdict).toBe("VALID");
    const svg = await api(service, "GET", `/api/v1/documents/${id}/qr.svg`);
    expect(svg.body.toString()).toContain("<svg");
  });

  it("verifies the file with the CLI against the chain alone (exit 0 for VALID)", async () => {
    const file = join(service.dataDir, "tour.json");
    writeFileSync(file, JSON.stringify(eproof));
    const result = await runEproof(["verify", file, "--rpc", service.rpcUrl, "--registry", service.trust.registry]);
    expect(JSON.parse(result.stdout).verdict).toBe("VALID");
    expect(result.code).toBe(0);
  });

  it("reports TAMPERED for a file whose holder name was changed", async () => {
    const forged = structuredClone(eproof);
    forged.data.holder.name.en = "WONG Siu Ming";
    const { body } = await api(service, "POST", "/api/v1/verify", { document: forged });
    expect(body.verdict).toBe("TAMPERED");
  });

  it("reports NOT_ANCHORED for a file naming another registry", async () => {
    const elsewhere = structuredClone(eproof);
    elsewhere.anchor.registry = "0x000000000000000000000000000000000000dEaD";
    const { body } = await api(service, "POST", "/api/v1/verify", { document: elsewhere });
    expect(body.verdict).toBe("NOT_ANCHORED");
  });

  it("reports UNAVAILABLE from the CLI when the chain cannot be reached (exit 1, never invalid)", async () => {
    const file = join(service.dataDir, "tour.json");
    const result = await runEproof(["verify", file, "--rpc", "http://127.0.0.1:1", "--registry", service.trust.registry]);
    expect(JSON.parse(result.stdout).verdict).toBe("UNAVAILABLE");
    expect(result.code).toBe(1);
  });

  it("revokes the document and then verifies it as REVOKED, by file and by QR", async () => {
    const revoked = await api(service, "POST", `/api/v1/documents/${id}/revoke`, { reason: "Licence cancelled after inspection", reasonCode: 3 });
    expect(revoked.status).toBe(200);
    expect(revoked.body.status).toBe("REVOKED");
    expect((await api(service, "POST", "/api/v1/verify", { document: eproof })).body.verdict).toBe("REVOKED");
    expect((await api(service, "POST", "/api/v1/verify", { qr: verifyUrl })).body.verdict).toBe("REVOKED");
    const looked = await api(service, "GET", `/api/v1/documents/${id}`);
    expect(looked.body.history.map((h: { status: string }) => h.status)).toEqual(["REVOKED"]);
    const again = await api(service, "POST", `/api/v1/documents/${id}/reinstate`, { reason: "mistake" });
    expect(again.status).toBe(409);
  });

  it("suspends, reinstates and supersedes, each answered by the verifier", async () => {
    const issued = await api(service, "POST", "/api/v1/documents", TYPICAL_LICENCE);
    const other = issued.body.id as string;
    await waitUntilAnchored(service, other);
    const file = await downloadEProof(service, other);
    const verdict = async () => (await api(service, "POST", "/api/v1/verify", { document: file })).body;

    expect((await api(service, "POST", `/api/v1/documents/${other}/suspend`, { reason: "inspection pending" })).status).toBe(200);
    expect((await verdict()).verdict).toBe("SUSPENDED");
    expect((await api(service, "POST", `/api/v1/documents/${other}/reinstate`, { reason: "inspection passed" })).status).toBe(200);
    expect((await verdict()).verdict).toBe("VALID");

    const renewed = { ...TYPICAL_LICENCE.data, validUntil: "2028-12-31" };
    const superseded = await api(service, "POST", `/api/v1/documents/${other}/supersede`, { data: renewed, reason: "renewed" });
    expect(superseded.status).toBe(201);
    const result = await verdict();
    expect(result.verdict).toBe("SUPERSEDED");
    expect(result.successor).toBe(superseded.body.successor);
    const looked = await api(service, "GET", `/api/v1/documents/${other}`);
    expect(looked.body.history.map((h: { status: string }) => h.status)).toEqual(["SUSPENDED", "ACTIVE", "SUPERSEDED"]);
    await waitUntilAnchored(service, superseded.body.successor);
    const successorFile = await downloadEProof(service, superseded.body.successor);
    expect((await api(service, "POST", "/api/v1/verify", { document: successorFile })).body.verdict).toBe("VALID");
  });
});
