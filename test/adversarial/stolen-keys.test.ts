/**
 * Stolen keys: ATTK, a second department onboarded through the admin API, has its anchoring account
 * stolen from key custody; so is DEMO's document-signing key (but not DEMO's anchoring account).
 * The thief goes straight to the contracts with ethers, as a real one would. Neither secret reaches
 * into DEMO's records, and no combination of them yields a VALID DEMO document.
 */
import { generateKeyPairSync, type KeyObject, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type JsonRpcProvider, Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRpcProvider } from "../../services/adapters/chain/rpc-provider.ts";
import type { EProofDocument, Hex } from "../../services/domain/types.ts";
import type { CustodyRecords } from "../../services/ports.ts";
import { api, startTestService, stealFromCustody, stopTestService, type TestService } from "../e2e/test-service.ts";
import {
  b16,
  b32,
  batchOf,
  documentRegistry,
  forgeLicence,
  fundedWallet,
  issueAnchored,
  issuerRegistry,
  ON_CHAIN,
  revertOf,
  sendAnyway,
  verdictByApi,
  verdictByCli,
} from "./adversary.ts";

describe("stolen keys reach no other department", () => {
  let service: TestService;
  let provider: JsonRpcProvider;
  let admin: { url: string; apiKey: string };
  let registrar: Wallet;
  /** ATTK's anchoring account, as the thief holds it. */
  let attkThief: Wallet;
  let demoSigningKey: KeyObject;
  let victim: { id: string; file: EProofDocument };

  beforeAll(async () => {
    service = await startTestService({ env: { EPROOF_VERIFY_RATE_LIMIT: "0" } });
    provider = createRpcProvider(service.rpcUrl, service.trust.chainId);
    const credentials = JSON.parse(readFileSync(join(service.dataDir, "dev-credentials.json"), "utf8")) as { adminApiKey: string };
    admin = { url: service.url, apiKey: credentials.adminApiKey };
    const deployment = JSON.parse(readFileSync(join(service.dataDir, "chain", "deployment.json"), "utf8")) as { adminKey: string };
    registrar = new Wallet(deployment.adminKey, provider);
    const onboarded = await api(admin, "POST", "/api/v1/admin/departments", {
      code: "ATTK",
      name: { en: "Attacked Neighbour Department", zhHK: "鄰近部門" },
      types: ["licence"],
    });
    expect(onboarded.status).toBe(201);
    const custodyKeyFile = join(service.dataDir, "custody.key");
    const records = service.store as unknown as CustodyRecords;
    const attk = await stealFromCustody(records, custodyKeyFile, "ATTK");
    attkThief = await fundedWallet(provider, attk.anchoringKeys.at(-1));
    expect(onboarded.body.anchorers.map((a: string) => a.toLowerCase())).toContain(attkThief.address.toLowerCase());
    demoSigningKey = (await stealFromCustody(records, custodyKeyFile, "DEMO")).signingKey(1);
    victim = await issueAnchored(service);
  });
  afterAll(() => stopTestService(service, provider));

  async function expectVictimValid(): Promise<void> {
    const byApi = await verdictByApi(service, victim.file);
    expect(byApi.verdict).toBe("VALID");
    expect(byApi.evidence?.txHash).toBe(victim.file.anchor?.txHash);
    expect(await verdictByCli(victim.file, service.rpcUrl, service.trust.registry)).toMatchObject({ exitCode: 0, verdict: "VALID" });
  }

  describe("(a) ATTK's stolen anchoring account", () => {
    it("cannot anchor a batch for DEMO: DocumentRegistryUnauthorizedAnchorer, and nothing is recorded", async () => {
      const registry = documentRegistry(service.trust.registry, attkThief);
      const root = `0x${randomBytes(32).toString("hex")}` as Hex;
      const args = [b32("DEMO"), b32("licence"), root, 1];
      const refused = await revertOf(registry.getFunction("anchorBatch").staticCall(...args));
      expect(refused).toEqual({ name: "DocumentRegistryUnauthorizedAnchorer", args: [b32("DEMO"), attkThief.address] });
      expect((await sendAnyway(registry, "anchorBatch", args)).status).toBe(0);
      expect((await registry.getFunction("batch").staticCall(b32("DEMO"), root)).anchored).toBe(false);
    });

    it("cannot suspend, revoke, revoke the batch of, or supersede a DEMO document: DocumentRegistryUnauthorizedAnchorer, and it stays VALID", async () => {
      const registry = documentRegistry(service.trust.registry, attkThief);
      const id = b16(victim.id);
      const root = victim.file.anchor?.root as Hex;
      const attacks: Array<[string, unknown[]]> = [
        ["changeDocumentStatus", [b32("DEMO"), [id], ON_CHAIN.Suspended]],
        ["changeDocumentStatus", [b32("DEMO"), [id], ON_CHAIN.Revoked]],
        ["changeBatchStatus", [b32("DEMO"), root, ON_CHAIN.Revoked]],
        ["changeBatchStatus", [b32("DEMO"), root, ON_CHAIN.Suspended]],
        ["supersede", [b32("DEMO"), id, b16(randomBytes(16).toString("hex"))]],
      ];
      for (const [method, args] of attacks) {
        const refused = await revertOf(registry.getFunction(method).staticCall(...args));
        expect(refused, method).toEqual({ name: "DocumentRegistryUnauthorizedAnchorer", args: [b32("DEMO"), attkThief.address] });
        expect((await sendAnyway(registry, method, args)).status, method).toBe(0);
      }
      expect(Number((await registry.getFunction("documentStatus").staticCall(b32("DEMO"), id)).status)).toBe(ON_CHAIN.Active);
      expect(Number((await registry.getFunction("batch").staticCall(b32("DEMO"), root)).status)).toBe(ON_CHAIN.Active);
      await expectVictimValid();
    });

    it("revokes and supersedes DEMO's document id and root only in ATTK's own records, which leave DEMO's document VALID", async () => {
      const registry = documentRegistry(service.trust.registry, attkThief);
      const id = b16(victim.id);
      const root = victim.file.anchor?.root as Hex;
      const own = [
        ["anchorBatch", [b32("ATTK"), b32("licence"), root, 1]],
        ["changeBatchStatus", [b32("ATTK"), root, ON_CHAIN.Revoked]],
        ["changeDocumentStatus", [b32("ATTK"), [id], ON_CHAIN.Suspended]],
        ["supersede", [b32("ATTK"), id, b16(randomBytes(16).toString("hex"))]],
      ] as const;
      for (const [method, args] of own) expect((await sendAnyway(registry, method, [...args])).status, method).toBe(1);
      expect(Number((await registry.getFunction("documentStatus").staticCall(b32("ATTK"), id)).status)).toBe(ON_CHAIN.Superseded);
      expect(Number((await registry.getFunction("batch").staticCall(b32("ATTK"), root)).status)).toBe(ON_CHAIN.Revoked);
      // The verifier reads the record of the document's own issuer (its header): DEMO's.
      await expectVictimValid();
    });
  });

  describe("(b) DEMO's stolen signing key, without DEMO's anchoring account", () => {
    it("never makes a forgery VALID: unanchored, anchored under ATTK with ATTK's stolen account, or under DEMO with any account but DEMO's", async () => {
      const forged = await forgeLicence({ issuer: "DEMO", kid: "DEMO-1", privateKey: demoSigningKey });
      const { root, proof } = batchOf(forged.documentHash);
      const anchor = (txHash: Hex, blockNumber: number) => ({
        chainId: service.trust.chainId,
        registry: service.trust.registry,
        root,
        proof,
        txHash,
        blockNumber,
      });

      // Unanchored: the chain has no DEMO record of it, and the service never issued it.
      expect((await verdictByApi(service, forged.document)).verdict).toBe("NOT_ANCHORED");

      // DEMO's record is out of reach of ATTK's account and of a fresh one.
      for (const thief of [attkThief, await fundedWallet(provider)]) {
        const refused = await revertOf(
          documentRegistry(service.trust.registry, thief).getFunction("anchorBatch").staticCall(b32("DEMO"), b32("licence"), root, 2),
        );
        expect(refused).toEqual({ name: "DocumentRegistryUnauthorizedAnchorer", args: [b32("DEMO"), thief.address] });
      }

      // Anchored in ATTK's own record: the verifier asks DEMO's record, which does not have it.
      const inAttk = await sendAnyway(documentRegistry(service.trust.registry, attkThief), "anchorBatch", [b32("ATTK"), b32("licence"), root, 2]);
      expect(inAttk.status).toBe(1);
      const file = { ...forged.document, anchor: anchor(inAttk.hash, inAttk.blockNumber) };
      const byApi = await verdictByApi(service, file);
      expect(byApi.verdict).toBe("NOT_ANCHORED");
      expect(byApi.checks.find((c) => c.name === "anchored")?.status).toBe("INVALID");
      expect(await verdictByCli(file, service.rpcUrl, service.trust.registry)).toMatchObject({ exitCode: 1, verdict: "NOT_ANCHORED" });
    });

    it("never makes VALID a forgery that names ATTK as its issuer, signed with DEMO's key and anchored with ATTK's account (UNKNOWN_ISSUER)", async () => {
      const forged = await forgeLicence({ issuer: "ATTK", kid: "ATTK-1", privateKey: demoSigningKey });
      const { root, proof } = batchOf(forged.documentHash);
      const anchored = await sendAnyway(documentRegistry(service.trust.registry, attkThief), "anchorBatch", [b32("ATTK"), b32("licence"), root, 2]);
      expect(anchored.status).toBe(1);
      const file = {
        ...forged.document,
        anchor: { chainId: service.trust.chainId, registry: service.trust.registry, root, proof, txHash: anchored.hash, blockNumber: anchored.blockNumber },
      };
      const byApi = await verdictByApi(service, file);
      expect(byApi.verdict).toBe("UNKNOWN_ISSUER");
      expect(byApi.checks.find((c) => c.name === "anchored")?.status).toBe("VALID");
      expect(byApi.checks.find((c) => c.name === "signature")?.status).toBe("INVALID");
    });

    it("never makes VALID a forgery signed with an attacker's own key and anchored with ATTK's account under ATTK (UNKNOWN_ISSUER)", async () => {
      const { privateKey: ownKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
      const forged = await forgeLicence({ issuer: "ATTK", kid: "ATTK-1", privateKey: ownKey });
      const { root, proof } = batchOf(forged.documentHash);
      const anchored = await sendAnyway(documentRegistry(service.trust.registry, attkThief), "anchorBatch", [b32("ATTK"), b32("licence"), root, 2]);
      const file = {
        ...forged.document,
        anchor: { chainId: service.trust.chainId, registry: service.trust.registry, root, proof, txHash: anchored.hash, blockNumber: anchored.blockNumber },
      };
      expect((await verdictByApi(service, file)).verdict).toBe("UNKNOWN_ISSUER");
    });
  });

  describe("(c) one department per anchoring account", () => {
    it("refuses to add ATTK's anchoring account to DEMO (IssuerRegistryAnchorerOfAnotherDepartment), by contract and through the admin API", async () => {
      const registry = issuerRegistry(service.issuerRegistry, registrar);
      const refused = await revertOf(registry.getFunction("addAnchorer").staticCall(b32("DEMO"), attkThief.address));
      expect(refused).toEqual({ name: "IssuerRegistryAnchorerOfAnotherDepartment", args: [b32("DEMO"), attkThief.address, b32("ATTK")] });

      const viaApi = await api(admin, "POST", "/api/v1/admin/departments/DEMO/anchorers", { account: attkThief.address });
      expect(viaApi.status).toBe(409);
      expect(viaApi.body.error.code).toBe("CHAIN_REJECTED");
      expect(viaApi.body.error.message).toContain("IssuerRegistryAnchorerOfAnotherDepartment");

      const anchorers = (await registry.getFunction("anchorers").staticCall(b32("DEMO"))).map((a: string) => a.toLowerCase());
      expect(anchorers).not.toContain(attkThief.address.toLowerCase());
      expect(await registry.getFunction("anchorerDepartment").staticCall(attkThief.address)).toBe(b32("ATTK"));
      expect(await registry.getFunction("isAnchorer").staticCall(b32("DEMO"), attkThief.address)).toBe(false);
      await expectVictimValid();
    });
  });
});
