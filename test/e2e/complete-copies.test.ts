/**
 * Every copy is complete or says when to come back: a download right after issuing waits briefly for
 * the batch and is then verifiable with the chain alone; a document whose batch is not on the ledger
 * yet answers 202 with Retry-After, never a proofless file; the public proof completes an early copy.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, heldCopy, removeDataDir, runEproof, startTestService, type TestService, TYPICAL_LICENCE, waitUntilAnchored } from "./test-service.ts";

describe("complete copies", () => {
  let service: TestService;
  let folder: string;

  beforeAll(async () => {
    service = await startTestService({ env: { EPROOF_VERIFY_RATE_LIMIT: "0", EPROOF_DOWNLOAD_WAIT_MS: "2500" } });
    folder = mkdtempSync(join(tmpdir(), "eproof-copies-"));
  });

  afterAll(async () => {
    await service?.stop();
    if (service) removeDataDir(service.dataDir);
    if (folder) removeDataDir(folder);
  });

  it("hands out the e-Proof file and the PDF complete when they are asked for in the second the document is issued", async () => {
    const issued = await api(service, "POST", "/api/v1/documents", TYPICAL_LICENCE);
    expect(issued.status).toBe(202);
    const [file, pdf] = await Promise.all([
      api(service, "GET", `/api/v1/documents/${issued.body.id}/eproof.json`),
      api(service, "GET", `/api/v1/documents/${issued.body.id}/pdf`),
    ]);
    expect(file.status).toBe(200);
    expect(pdf.status).toBe(200);
    const saved = JSON.parse(Buffer.isBuffer(file.body) ? file.body.toString("utf8") : JSON.stringify(file.body));
    expect(saved.anchor).toMatchObject({ chainId: service.trust.chainId, registry: service.trust.registry });
    // The copy verifies with the chain alone, no service.
    const fileName = join(folder, "saved.json");
    writeFileSync(fileName, JSON.stringify(saved));
    const byChain = await runEproof(["verify", fileName, "--rpc", service.rpcUrl, "--registry", service.trust.registry]);
    expect(byChain.code, byChain.stdout).toBe(0);
    const pdfName = join(folder, "saved.pdf");
    writeFileSync(pdfName, pdf.body as Buffer);
    expect((await runEproof(["verify", pdfName, "--rpc", service.rpcUrl, "--registry", service.trust.registry])).code).toBe(0);
  });

  it("answers 202 with Retry-After and a problem JSON, never a proofless copy, while the batch is not on the ledger", async () => {
    await service.worker?.stop();
    try {
      const issued = await api(service, "POST", "/api/v1/documents", TYPICAL_LICENCE);
      for (const path of [
        `/api/v1/documents/${issued.body.id}/eproof.json`,
        `/api/v1/documents/${issued.body.id}/pdf`,
        `/api/v1/public/documents/${issued.body.id}/proof`,
      ]) {
        const answer = await api(service, "GET", path);
        expect(answer.status, path).toBe(202);
        expect(Number(answer.headers.get("retry-after"))).toBeGreaterThan(0);
        expect(answer.body.error).toMatchObject({ code: "NOT_YET_ANCHORED" });
        expect(answer.body.error.message).toMatch(/try again in \d+ s/);
      }
    } finally {
      service.worker?.start();
    }
  });

  it("completes a copy saved before anchoring from the public proof (`--service`), and says how when it cannot", async () => {
    await service.worker?.stop();
    const issued = await api(service, "POST", "/api/v1/documents", TYPICAL_LICENCE);
    const early = await heldCopy(service, issued.body.id);
    service.worker?.start();
    expect(early.anchor).toBeUndefined();
    const earlyName = join(folder, "early.json");
    writeFileSync(earlyName, JSON.stringify(early));
    await waitUntilAnchored(service, issued.body.id);

    const chainOnly = ["verify", earlyName, "--rpc", service.rpcUrl, "--registry", service.trust.registry];
    const alone = await runEproof(chainOnly);
    expect(alone.code).toBe(1);
    expect(JSON.parse(alone.stdout).verdict).toBe("NOT_ANCHORED");
    expect(alone.stderr).toMatch(/carries no anchor.*--service/);
    const completed = await runEproof([...chainOnly, "--service", service.url]);
    expect(completed.code, completed.stderr).toBe(0);
    expect(JSON.parse(completed.stdout).verdict).toBe("VALID");

    const redactedName = join(folder, "early.redacted.json");
    const redacted = await runEproof(["redact", earlyName, "--hide", "premises", "--out", redactedName, "--service", service.url]);
    expect(redacted.code, redacted.stderr).toBe(0);
    const copy = JSON.parse(readFileSync(redactedName, "utf8"));
    expect(copy.anchor).toBeDefined();
    expect((await runEproof(["verify", redactedName, "--rpc", service.rpcUrl, "--registry", service.trust.registry])).code).toBe(0);
  });

  it("gives any issued document's anchor publicly, without personal data, and refuses unknown or malformed ids", async () => {
    const issued = await api(service, "POST", "/api/v1/documents", TYPICAL_LICENCE);
    const proof = await fetch(`${service.url}/api/v1/public/documents/${issued.body.id}/proof`);
    expect(proof.status).toBe(200);
    const body = (await proof.json()) as { id: string; anchor: Record<string, unknown> };
    expect(Object.keys(body.anchor).sort()).toEqual(["blockNumber", "chainId", "proof", "registry", "root", "txHash"]);
    expect(JSON.stringify(body)).not.toMatch(/CHAN|陳大文|FFL-2026|A123/);
    const file = await api(service, "GET", `/api/v1/documents/${issued.body.id}/eproof.json`);
    expect(body.anchor).toEqual(file.body.anchor);
    expect((await fetch(`${service.url}/api/v1/public/documents/${"0".repeat(32)}/proof`)).status).toBe(404);
    expect((await fetch(`${service.url}/api/v1/public/documents/not-an-id/proof`)).status).toBe(400);
  });
});
