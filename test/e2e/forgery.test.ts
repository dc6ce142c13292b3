/**
 * Forgeries by an attacker who has stolen one of the two secrets, but not both: a department's
 * signing key, or the account that anchors batches. Neither alone yields a VALID document. The
 * attacker's chain actions go straight to the contracts with ethers, as a real attacker would.
 */
import { generateKeyPairSync, type KeyObject, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Contract, type JsonRpcProvider, Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toBytes32String } from "../../services/adapters/chain/chain-codec.ts";
import { loadArtifact } from "../../services/adapters/chain/contract-artifacts.ts";
import { deployContracts } from "../../services/adapters/chain/deploy.ts";
import { Governance } from "../../services/adapters/chain/governance.ts";
import { createRpcProvider } from "../../services/adapters/chain/rpc-provider.ts";
import { jwkThumbprint, signClaim } from "../../services/adapters/signing/es256.ts";
import { makeSalts } from "../../services/domain/document-hash.ts";
import { getDocumentType } from "../../services/domain/document-types.ts";
import { assembleDocument, prepareDocument } from "../../services/domain/issue-document.ts";
import { buildMerkleTree, merkleLeaf } from "../../services/domain/merkle.ts";
import type { AnchorBlock, EProofDocument, Hex, JsonValue } from "../../services/domain/types.ts";
import type { CustodyRecords } from "../../services/ports.ts";
import { minedReceipt } from "../mined-receipt.ts";
import { api, startTestService, stealFromCustody, stopTestService, type TestService, TYPICAL_LICENCE } from "./test-service.ts";

const FORGED_DATA = {
  ...(TYPICAL_LICENCE.data as Record<string, JsonValue>),
  documentNumber: "FFL-2026-666666",
  holder: { name: { en: "MALLORY Forger", "zh-HK": "偽造者" }, idMasked: "Z999***(9)" },
};

interface Forged {
  document: EProofDocument;
  documentHash: Hex;
}

/** What the attacker builds offline with the public domain code and whatever key it holds. */
async function forge(privateKey: KeyObject, kid: string, publicJwk: Record<string, string>): Promise<Forged> {
  const prepared = prepareDocument({
    type: "licence",
    data: FORGED_DATA,
    issuer: "DEMO",
    issuedAt: new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace(".000Z", "Z"),
    id: randomBytes(16).toString("hex"),
    salts: makeSalts(Object.keys(FORGED_DATA), (n) => new Uint8Array(randomBytes(n))),
  });
  const jws = await signClaim(prepared.claimBytes, privateKey, kid);
  return { document: assembleDocument(prepared, { jws, jwk: publicJwk }), documentHash: prepared.documentHash };
}

function publicJwkOf(privateKey: KeyObject): Record<string, string> {
  const jwk = privateKey.export({ format: "jwk" }) as Record<string, string>;
  return { kty: String(jwk.kty), crv: String(jwk.crv), x: String(jwk.x), y: String(jwk.y) };
}

function withAnchor(forged: Forged, anchor: Omit<AnchorBlock, "proof" | "root">): EProofDocument {
  // A batch of the forged document and one decoy, so the proof is a real, non-empty Merkle proof.
  const { root, proofs } = buildMerkleTree([merkleLeaf(forged.documentHash), merkleLeaf(`0x${randomBytes(32).toString("hex")}`)]);
  return { ...forged.document, anchor: { ...anchor, root, proof: proofs[0] as Hex[] } };
}

describe("forgery with one stolen secret", () => {
  let service: TestService;
  let provider: JsonRpcProvider;
  let deployment: { anchorKey: string; documentRegistry: Hex };
  let stolenSigningKey: KeyObject;

  async function fundedWallet(privateKey?: string): Promise<Wallet> {
    const wallet = privateKey ? new Wallet(privateKey, provider) : new Wallet(Wallet.createRandom().privateKey, provider);
    await provider.send("anvil_setBalance", [wallet.address, "0x3635C9ADC5DEA00000"]);
    return wallet;
  }

  function documentRegistry(address: string, wallet: Wallet): Contract {
    return new Contract(address, loadArtifact("DocumentRegistry").abi, wallet);
  }

  async function verdictOf(document: unknown): Promise<{ verdict: string; checks: Array<{ name: string; status: string; code?: string }> }> {
    const { status, body } = await api(service, "POST", "/api/v1/verify", { document });
    expect(status).toBe(200);
    return body;
  }

  beforeAll(async () => {
    service = await startTestService({ env: { EPROOF_VERIFY_RATE_LIMIT: "0" } });
    provider = createRpcProvider(service.rpcUrl, service.trust.chainId);
    const stolen = await stealFromCustody(service.store as unknown as CustodyRecords, join(service.dataDir, "custody.key"), "DEMO");
    const deployed = JSON.parse(readFileSync(join(service.dataDir, "chain", "deployment.json"), "utf8")) as { documentRegistry: Hex };
    deployment = { anchorKey: stolen.anchoringKeys.at(-1) as string, documentRegistry: deployed.documentRegistry };
    stolenSigningKey = stolen.signingKey(1);
    // The service itself issues and anchors normally alongside: the attack must not disturb that.
    expect((await api(service, "POST", "/api/v1/documents", TYPICAL_LICENCE)).status).toBe(202);
  });

  afterAll(() => stopTestService(service, provider));

  describe("(a) a stolen department signing key, without an authorised anchoring account", () => {
    it("cannot anchor on the trusted registry: the contract refuses the attacker's account", async () => {
      const attacker = await fundedWallet();
      const forged = withAnchor(await forge(stolenSigningKey, "DEMO-1", publicJwkOf(stolenSigningKey)), {
        chainId: service.trust.chainId,
        registry: service.trust.registry,
        txHash: `0x${"ab".repeat(32)}`,
        blockNumber: 1,
      });
      const registry = documentRegistry(service.trust.registry, attacker);
      const args = [toBytes32String("DEMO", "department"), toBytes32String("licence", "type"), forged.anchor?.root, 2];
      const refused = await registry
        .getFunction("anchorBatch")
        .staticCall(...args)
        .catch((error: unknown) => error);
      expect((refused as { revert?: { name: string; args: unknown[] } }).revert?.name).toBe("DocumentRegistryUnauthorizedAnchorer");
      expect((refused as { revert: { args: unknown[] } }).revert.args[1]).toBe(attacker.address);
      // Sent anyway (fixed gas, no estimate): mined, reverted, and nothing recorded.
      const tx = await registry.getFunction("anchorBatch").send(...args, { gasLimit: 300_000 });
      const receipt = await minedReceipt(provider, tx.hash);
      expect(receipt?.status).toBe(0);
      expect((await registry.getFunction("batch").staticCall(toBytes32String("DEMO", "department"), forged.anchor?.root)).anchored).toBe(false);

      const result = await verdictOf({ ...forged, anchor: { ...forged.anchor, txHash: tx.hash, blockNumber: receipt?.blockNumber } });
      expect(result.verdict).not.toBe("VALID");
      expect(result.verdict).toBe("NOT_ANCHORED");
    });

    it("is NOT_ANCHORED when the attacker anchors it in a registry of its own, whichever registry the file names", async () => {
      const attacker = await fundedWallet();
      const own = await deployContracts(attacker);
      const governance = new Governance(attacker, own.issuerRegistry);
      await governance.registerDepartment("DEMO", { en: "Demo Department", zhHK: "示範部門" });
      const type = getDocumentType("licence");
      await governance.grantDocumentType("DEMO", type.id, type.schemaHash);
      await governance.registerSigningKey("DEMO", await jwkThumbprint(publicJwkOf(stolenSigningKey)), 0, 0);
      await governance.addAnchorer("DEMO", attacker.address);

      const forged = await forge(stolenSigningKey, "DEMO-1", publicJwkOf(stolenSigningKey));
      const ownAnchor = withAnchor(forged, { chainId: service.trust.chainId, registry: own.documentRegistry, txHash: `0x${"00".repeat(32)}`, blockNumber: 0 });
      const tx = await documentRegistry(own.documentRegistry, attacker)
        .getFunction("anchorBatch")
        .send(toBytes32String("DEMO", "department"), toBytes32String("licence", "type"), ownAnchor.anchor?.root, 2);
      const receipt = await tx.wait();
      expect(receipt?.status).toBe(1);
      const evidence = { txHash: tx.hash as Hex, blockNumber: Number(receipt?.blockNumber) };

      const namingOwn = await verdictOf({ ...ownAnchor, anchor: { ...ownAnchor.anchor, ...evidence } });
      expect(namingOwn.verdict).toBe("NOT_ANCHORED");
      expect(namingOwn.checks.find((c) => c.name === "anchored")).toMatchObject({ status: "INVALID", code: "WRONG_LEDGER" });

      const namingTrusted = await verdictOf({ ...ownAnchor, anchor: { ...ownAnchor.anchor, ...evidence, registry: service.trust.registry } });
      expect(namingTrusted.verdict).toBe("NOT_ANCHORED");

      // Without an anchor the service looks the id up in its own outbox: it never issued it.
      expect((await verdictOf(forged.document)).verdict).toBe("NOT_ANCHORED");
    });
  });

  describe("(b) a stolen anchoring account, without a registered signing key", () => {
    it("anchors on the trusted registry, but a document signed with an unregistered key is never VALID", async () => {
      const stolenAnchorer = await fundedWallet(deployment.anchorKey);
      const { privateKey: ownKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
      // The attacker claims the department's real key id, and in a second copy a new key number.
      const claimingRealKid = await forge(ownKey, "DEMO-1", publicJwkOf(ownKey));
      const claimingNewKid = await forge(ownKey, "DEMO-7", publicJwkOf(ownKey));
      const { root, proofs } = buildMerkleTree([merkleLeaf(claimingRealKid.documentHash), merkleLeaf(claimingNewKid.documentHash)]);

      const tx = await documentRegistry(service.trust.registry, stolenAnchorer)
        .getFunction("anchorBatch")
        .send(toBytes32String("DEMO", "department"), toBytes32String("licence", "type"), root, 2);
      const receipt = await tx.wait();
      expect(receipt?.status).toBe(1);
      const anchor = (proof: Hex[]) => ({
        chainId: service.trust.chainId,
        registry: service.trust.registry,
        root,
        proof,
        txHash: tx.hash as Hex,
        blockNumber: Number(receipt?.blockNumber),
      });

      for (const [forged, proof] of [
        [claimingRealKid, proofs[0]],
        [claimingNewKid, proofs[1]],
      ] as const) {
        const result = await verdictOf({ ...forged.document, anchor: anchor(proof as Hex[]) });
        expect(result.verdict).not.toBe("VALID");
        expect(result.verdict).toBe("UNKNOWN_ISSUER");
        expect(result.checks.find((c) => c.name === "signature")?.status).toBe("INVALID");
        expect(result.checks.find((c) => c.name === "anchored")?.status).toBe("VALID");
      }
    });

    it("is TAMPERED when the attacker pastes the department's real public key over its own signature", async () => {
      const stolenAnchorer = await fundedWallet(deployment.anchorKey);
      const { privateKey: ownKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
      const forged = await forge(ownKey, "DEMO-1", publicJwkOf(stolenSigningKey));
      const { root, proofs } = buildMerkleTree([merkleLeaf(forged.documentHash), merkleLeaf(`0x${randomBytes(32).toString("hex")}`)]);
      const tx = await documentRegistry(service.trust.registry, stolenAnchorer)
        .getFunction("anchorBatch")
        .send(toBytes32String("DEMO", "department"), toBytes32String("licence", "type"), root, 2);
      const receipt = await tx.wait();
      const result = await verdictOf({
        ...forged.document,
        anchor: {
          chainId: service.trust.chainId,
          registry: service.trust.registry,
          root,
          proof: proofs[0],
          txHash: tx.hash,
          blockNumber: receipt?.blockNumber,
        },
      });
      expect(result.verdict).toBe("TAMPERED");
      expect(result.checks.find((c) => c.name === "signature")).toMatchObject({ status: "INVALID", code: "BAD_SIGNATURE" });
    });
  });
});
