/**
 * Backdating a signing key: whoever registers a key (the registrar, an insider with the
 * administrator's account, or the admin API) must not make it valid before its registration, so a
 * key cannot legitimise batches anchored earlier, e.g. by a thief of the department's anchoring
 * account who signed with a key it expected to be registered later.
 */
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type JsonRpcProvider, Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRpcProvider } from "../../services/adapters/chain/rpc-provider.ts";
import { jwkThumbprint } from "../../services/adapters/signing/es256.ts";
import type { EProofDocument, Hex } from "../../services/domain/types.ts";
import { api, startTestService, stopTestService, type TestService } from "../e2e/test-service.ts";
import {
  b32,
  batchOf,
  documentRegistry,
  forgeLicence,
  issueAnchored,
  issuerRegistry,
  publicJwkOf,
  revertOf,
  rpc,
  sendAnyway,
  stealDemoAnchorKey,
  until,
  verdictByApi,
  verdictByCli,
} from "./adversary.ts";

describe("backdating a signing key", () => {
  let service: TestService;
  let provider: JsonRpcProvider;
  let registrar: Wallet;
  let admin: { url: string; apiKey: string };
  let demoAnchorKey: string;

  beforeAll(async () => {
    service = await startTestService({ env: { EPROOF_VERIFY_RATE_LIMIT: "0" } });
    provider = createRpcProvider(service.rpcUrl, service.trust.chainId);
    const deployment = JSON.parse(readFileSync(join(service.dataDir, "chain", "deployment.json"), "utf8")) as { adminKey: string };
    registrar = new Wallet(deployment.adminKey, provider);
    const credentials = JSON.parse(readFileSync(join(service.dataDir, "dev-credentials.json"), "utf8")) as { adminApiKey: string };
    admin = { url: service.url, apiKey: credentials.adminApiKey };
    demoAnchorKey = await stealDemoAnchorKey(service);
  });
  afterAll(() => stopTestService(service, provider));

  async function freshThumbprint(): Promise<Hex> {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    return jwkThumbprint(publicJwkOf(privateKey) as never);
  }

  it("refuses a key registered with validFrom before the block time (IssuerRegistrySigningKeyBackdated), and registers nothing", async () => {
    const registry = issuerRegistry(service.issuerRegistry, registrar);
    const thumbprint = await freshThumbprint();
    const latest = (await provider.getBlock("latest"))?.timestamp ?? 0;
    for (const validFrom of [latest - 3600, latest - 1, 1]) {
      const refused = await revertOf(registry.getFunction("registerSigningKey").staticCall(b32("DEMO"), thumbprint, validFrom, 0));
      expect(refused.name).toBe("IssuerRegistrySigningKeyBackdated");
      expect(refused.args.slice(0, 3)).toEqual([b32("DEMO"), thumbprint, BigInt(validFrom)]);
      expect(refused.args[3] as bigint).toBeGreaterThanOrEqual(BigInt(latest));
    }
    // Sent anyway by the registrar: mined, reverted, and the key is unknown on chain.
    const sent = await sendAnyway(registry, "registerSigningKey", [b32("DEMO"), thumbprint, latest - 3600, 0]);
    expect(sent.status).toBe(0);
    expect((await registry.getFunction("signingKey").staticCall(b32("DEMO"), thumbprint)).registered).toBe(false);
    expect((await registry.getFunction("signingKeys").staticCall(b32("DEMO"))).map(String)).not.toContain(thumbprint);
  });

  it("refuses a key registration from a stolen anchoring account, which holds no registrar role (AccessControlUnauthorizedAccount)", async () => {
    const thief = new Wallet(demoAnchorKey, provider);
    const refused = await revertOf(
      issuerRegistry(service.issuerRegistry, thief)
        .getFunction("registerSigningKey")
        .staticCall(b32("DEMO"), await freshThumbprint(), 0, 0),
    );
    expect(refused.name).toBe("AccessControlUnauthorizedAccount");
    expect(refused.args[0]).toBe(thief.address);
  });

  it("makes a key rotated in through the admin API valid from its registration block's time, never before", async () => {
    const registry = issuerRegistry(service.issuerRegistry, provider);
    const chainTimeBefore = (await provider.getBlock("latest"))?.timestamp ?? 0;
    const rotated = await api(admin, "POST", "/api/v1/admin/departments/DEMO/keys/rotate", { graceSeconds: 600 });
    expect(rotated.status).toBe(200);
    const { kid, thumbprint, validFrom } = rotated.body.current as { kid: string; thumbprint: Hex; validFrom: string };

    const [registration] = await registry.queryFilter(registry.filters.SigningKeyRegistered?.(b32("DEMO"), thumbprint) ?? "SigningKeyRegistered", 0);
    expect(registration).toBeDefined();
    const registrationBlock = await provider.getBlock(registration?.blockNumber ?? -1);
    const onChain = await registry.getFunction("signingKey").staticCall(b32("DEMO"), thumbprint);
    expect(Number(onChain.validFrom)).toBe(registrationBlock?.timestamp);
    expect(Date.parse(validFrom) / 1000).toBe(registrationBlock?.timestamp);
    expect(Number(onChain.validFrom)).toBeGreaterThanOrEqual(chainTimeBefore);

    // The department's documents are now signed with it, anchored after its registration: VALID.
    const { file } = await issueAnchored(service);
    expect(JSON.parse(Buffer.from(String(file.signature.jws).split(".")[0] ?? "", "base64url").toString("utf8")).kid).toBe(kid);
    expect((await verdictByApi(service, file)).verdict).toBe("VALID");
  });

  /** Anchors a licence signed with `signingKey` (the thief holds DEMO's anchoring account) and returns the file. */
  async function anchorForgery(
    signingKey: ReturnType<typeof generateKeyPairSync>["privateKey"],
    kid: string,
  ): Promise<{ file: EProofDocument; anchoredAt: number; txHash: Hex }> {
    const forged = await forgeLicence({ issuer: "DEMO", kid, privateKey: signingKey });
    const { root, proof } = batchOf(forged.documentHash);
    const thief = documentRegistry(service.trust.registry, new Wallet(demoAnchorKey, provider));
    const anchored = await sendAnyway(thief, "anchorBatch", [b32("DEMO"), b32("licence"), root, 2]);
    expect(anchored.status).toBe(1);
    const anchoredAt = (await provider.getBlock(anchored.blockNumber))?.timestamp ?? 0;
    const anchor = { chainId: service.trust.chainId, registry: service.trust.registry, root, proof, txHash: anchored.hash, blockNumber: anchored.blockNumber };
    return { file: { ...forged.document, anchor }, anchoredAt, txHash: anchored.hash };
  }

  it("never makes VALID a document signed with a key and anchored before that key's registration (UNKNOWN_ISSUER)", async () => {
    const { privateKey: futureKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const early = await anchorForgery(futureKey, "DEMO-9");
    // The chain clock moves on (anvil stamps blocks with wall-clock seconds): mine until a later second.
    await until(
      "a block in a later second than the anchoring",
      async () => {
        await rpc(service.rpcUrl, "evm_mine");
        return ((await provider.getBlock("latest"))?.timestamp ?? 0) > early.anchoredAt;
      },
      10_000,
      100,
    );
    const thumbprint = await jwkThumbprint(publicJwkOf(futureKey) as never);
    const registered = await sendAnyway(issuerRegistry(service.issuerRegistry, registrar), "registerSigningKey", [b32("DEMO"), thumbprint, 0, 0]);
    expect(registered.status).toBe(1);
    const window = await issuerRegistry(service.issuerRegistry, provider).getFunction("signingKey").staticCall(b32("DEMO"), thumbprint);
    expect(Number(window.validFrom)).toBeGreaterThan(early.anchoredAt);

    const byApi = await verdictByApi(service, early.file);
    expect(byApi.verdict).toBe("UNKNOWN_ISSUER");
    expect(byApi.checks.find((c) => c.name === "signature")).toMatchObject({ status: "INVALID", code: "KEY_NOT_VALID" });
    const byCli = await verdictByCli(early.file, service.rpcUrl, service.trust.registry);
    expect(byCli).toMatchObject({ exitCode: 1, verdict: "UNKNOWN_ISSUER" });

    // The window, not the key, refused it: the same key makes VALID what is anchored after its registration.
    const late = await anchorForgery(futureKey, "DEMO-9");
    expect((await verdictByApi(service, late.file)).verdict).toBe("VALID");
  });

  describe("the same block", () => {
    // Block times repeat within a block (and, on anvil, across the blocks of one second), so a key's
    // window alone cannot order a batch and the key's registration: the registry records the key's
    // registration block, and only batches anchored in a LATER block count for it.
    it("never makes VALID a document anchored in the same block as, but before, the registration of the key that signed it", async () => {
      const { privateKey: futureKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
      const thumbprint = await jwkThumbprint(publicJwkOf(futureKey) as never);
      const forged = await forgeLicence({ issuer: "DEMO", kid: "DEMO-10", privateKey: futureKey });
      const { root, proof } = batchOf(forged.documentHash);
      const thief = new Wallet(demoAnchorKey, provider);
      // Both transactions wait in the pool; the anchoring pays more, so it comes first in the block.
      await rpc(service.rpcUrl, "evm_setAutomine", [false]);
      let anchorHash: string;
      let registerHash: string;
      try {
        const fee = (await provider.getFeeData()).gasPrice ?? 1_000_000_000n;
        anchorHash = (
          await documentRegistry(service.trust.registry, thief)
            .getFunction("anchorBatch")
            .send(b32("DEMO"), b32("licence"), root, 2, { gasLimit: 400_000, gasPrice: fee * 3n })
        ).hash;
        registerHash = (
          await issuerRegistry(service.issuerRegistry, registrar)
            .getFunction("registerSigningKey")
            .send(b32("DEMO"), thumbprint, 0, 0, { gasLimit: 400_000, gasPrice: fee })
        ).hash;
        await rpc(service.rpcUrl, "evm_mine");
      } finally {
        await rpc(service.rpcUrl, "evm_setAutomine", [true]);
      }
      const anchored = await provider.getTransactionReceipt(anchorHash);
      const registration = await provider.getTransactionReceipt(registerHash);
      expect(anchored?.status).toBe(1);
      expect(registration?.status).toBe(1);
      expect(anchored?.blockNumber).toBe(registration?.blockNumber);
      expect(anchored?.index).toBeLessThan(registration?.index ?? -1);

      const file = {
        ...forged.document,
        anchor: { chainId: service.trust.chainId, registry: service.trust.registry, root, proof, txHash: anchorHash, blockNumber: anchored?.blockNumber },
      };
      const byApi = await verdictByApi(service, file);
      expect(byApi.verdict).not.toBe("VALID");
      expect(byApi.verdict).toBe("UNKNOWN_ISSUER");
    });
  });
});
