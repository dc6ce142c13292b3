/**
 * A contract upgrade never orphans documents: after a new DocumentRegistry succeeds the first one,
 * documents anchored in the first keep verifying VALID (through the service and through the CLI with
 * the published trust list), new ones anchor only into the new registry, a status change of an old
 * document lands where verifiers read it, and the old registry takes no anchoring after its closing.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Contract, encodeBytes32String, Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadArtifact } from "../../services/adapters/chain/contract-artifacts.ts";
import { deployContracts } from "../../services/adapters/chain/deploy.ts";
import { createRpcProvider } from "../../services/adapters/chain/rpc-provider.ts";
import { type EmbeddedChain, startAnvil } from "../../services/embedded/anvil-process.ts";
import type { Deployment } from "../../services/embedded/dev-bootstrap.ts";
import { createLogger } from "../../services/logger.ts";
import type { Hex } from "../../services/ports.ts";
import {
  api,
  deployOnChain,
  downloadEProof,
  freePort,
  removeDataDir,
  runEproof,
  startTestService,
  type TestService,
  TYPICAL_LICENCE,
  waitUntilAnchored,
} from "./test-service.ts";

describe("moving to a new DocumentRegistry", () => {
  let chain: EmbeddedChain;
  let dataDir: string;
  let deployment: Deployment;
  let anchorKey: string;
  let env: Record<string, string>;
  let service: TestService | undefined;
  let oldFile: { header: { id: string }; anchor: { registry: string } };
  /** Another document of the earlier registry, for the revocation test alone. */
  let oldFileToRevoke: { header: { id: string }; anchor: { registry: string } };
  let newRegistry: Hex;
  let switchedAt: string;

  beforeAll(async () => {
    chain = await startAnvil({ dataDir: mkdtempSync(join(tmpdir(), "eproof-chain-")), port: await freePort(), chainId: 852, logger: createLogger("silent") });
    ({ dataDir, deployment, anchorKey, env } = await deployOnChain(chain.rpcUrl));
    env = { ...env, EPROOF_VERIFY_RATE_LIMIT: "0" };
    service = await startTestService({ dataDir, env });
    const issued = await api(service, "POST", "/api/v1/documents", TYPICAL_LICENCE);
    const toRevoke = await api(service, "POST", "/api/v1/documents", TYPICAL_LICENCE);
    await waitUntilAnchored(service, issued.body.id);
    await waitUntilAnchored(service, toRevoke.body.id);
    oldFile = await downloadEProof(service, issued.body.id);
    oldFileToRevoke = await downloadEProof(service, toRevoke.body.id);
    await service.stop();
    service = undefined;

    // The move: a new DocumentRegistry against the same IssuerRegistry, then the service switches to it.
    const provider = createRpcProvider(chain.rpcUrl, 852);
    const admin = new Wallet(deployment.adminKey, provider);
    newRegistry = (await deployContracts(admin, { issuerRegistry: deployment.issuerRegistry })).documentRegistry;
    const latest = await provider.getBlock("latest");
    switchedAt = new Date(((latest?.timestamp ?? 0) + 1) * 1000).toISOString();
    provider.destroy();
    env = {
      ...env,
      EPROOF_DOCUMENT_REGISTRY: newRegistry,
      EPROOF_TRUSTED_REGISTRIES: JSON.stringify([
        { registry: deployment.documentRegistry, issuerRegistry: deployment.issuerRegistry, from: null, until: switchedAt },
      ]),
    };
    service = await startTestService({ dataDir, env });
  });

  afterAll(async () => {
    await service?.stop();
    await chain?.stop();
    if (dataDir) removeDataDir(dataDir);
  });

  it("lists both registries with their periods in /.well-known/eproof.json", async () => {
    const { body } = await api(service as TestService, "GET", "/.well-known/eproof.json");
    expect(body.registry).toBe(newRegistry);
    expect(body.registries).toEqual([
      {
        chainId: 852,
        registry: deployment.documentRegistry.toLowerCase(),
        issuerRegistry: deployment.issuerRegistry.toLowerCase(),
        from: null,
        until: switchedAt,
      },
      { chainId: 852, registry: newRegistry, issuerRegistry: deployment.issuerRegistry, from: switchedAt, until: null },
    ]);
  });

  it("keeps a document anchored in the earlier registry VALID, through the service and the CLI with the trust list", async () => {
    const running = service as TestService;
    expect(oldFile.anchor.registry.toLowerCase()).toBe(deployment.documentRegistry.toLowerCase());
    expect((await api(running, "POST", "/api/v1/verify", { document: oldFile })).body.verdict).toBe("VALID");
    // The store still hands out the old anchor for it.
    expect((await downloadEProof(running, oldFile.header.id)).anchor.registry.toLowerCase()).toBe(deployment.documentRegistry.toLowerCase());

    const folder = mkdtempSync(join(tmpdir(), "eproof-trust-"));
    const trustFile = join(folder, "eproof.json");
    writeFileSync(trustFile, JSON.stringify((await api(running, "GET", "/.well-known/eproof.json")).body));
    const fileName = join(folder, "old.json");
    writeFileSync(fileName, JSON.stringify(oldFile));
    const withTrust = await runEproof(["verify", fileName, "--rpc", chain.rpcUrl, "--trust", trustFile]);
    expect(withTrust.code, withTrust.stderr).toBe(0);
    expect(JSON.parse(withTrust.stdout).verdict).toBe("VALID");
    // A verifier that pins only the new registry does not know the old one: never VALID.
    const pinnedNew = await runEproof(["verify", fileName, "--rpc", chain.rpcUrl, "--registry", newRegistry]);
    expect(pinnedNew.code).toBe(1);
    expect(JSON.parse(pinnedNew.stdout).verdict).toBe("NOT_ANCHORED");
    removeDataDir(folder);
  });

  it("anchors new documents only into the new registry", async () => {
    const running = service as TestService;
    const issued = await api(running, "POST", "/api/v1/documents", TYPICAL_LICENCE);
    await waitUntilAnchored(running, issued.body.id);
    const file = await downloadEProof(running, issued.body.id);
    expect(file.anchor.registry).toBe(newRegistry);
    expect((await api(running, "POST", "/api/v1/verify", { document: file })).body.verdict).toBe("VALID");
  });

  it("revokes an old document in the registry it is anchored in, so that verifiers see it", async () => {
    const running = service as TestService;
    expect(oldFileToRevoke.anchor.registry.toLowerCase()).toBe(deployment.documentRegistry.toLowerCase());
    expect((await api(running, "POST", `/api/v1/documents/${oldFileToRevoke.header.id}/revoke`, { reason: "test", reasonCode: 1 })).status).toBe(200);
    expect((await api(running, "POST", "/api/v1/verify", { document: oldFileToRevoke })).body.verdict).toBe("REVOKED");
  });

  it("refuses anchoring into the earlier registry once its administrator closed it", async () => {
    const provider = createRpcProvider(chain.rpcUrl, 852);
    try {
      const abi = loadArtifact("DocumentRegistry").abi;
      await (await new Contract(deployment.documentRegistry, abi, new Wallet(deployment.adminKey, provider)).getFunction("closeAnchoring")()).wait();
      const asDemo = new Contract(deployment.documentRegistry, abi, new Wallet(anchorKey, provider));
      const refused = await asDemo
        .getFunction("anchorBatch")
        .staticCall(encodeBytes32String("DEMO"), encodeBytes32String("licence"), `0x${"42".repeat(32)}`, 1)
        .catch((error: unknown) => error);
      expect((refused as { revert?: { name: string } }).revert?.name).toBe("DocumentRegistryAnchoringClosed");
    } finally {
      provider.destroy();
    }
  });
});
