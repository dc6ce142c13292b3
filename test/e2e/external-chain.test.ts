import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../services/config.ts";
import { type EmbeddedChain, startAnvil } from "../../services/embedded/anvil-process.ts";
import type { Deployment } from "../../services/embedded/dev-bootstrap.ts";
import { createLogger } from "../../services/logger.ts";
import { startEProof } from "../../services/main.ts";
import { api, deployOnChain, downloadEProof, freePort, removeDataDir, TYPICAL_LICENCE, waitUntilAnchored } from "./test-service.ts";

describe("the service on a chain it did not start (EPROOF_RPC_URL)", () => {
  const logger = createLogger("silent");
  let dataDir: string;
  let chain: EmbeddedChain;
  let deployment: Deployment;
  let env: Record<string, string>;

  beforeAll(async () => {
    // Stands in for a permissioned network: a chain with the contracts deployed and DEMO onboarded.
    chain = await startAnvil({ dataDir: mkdtempSync(join(tmpdir(), "eproof-chain-")), port: await freePort(), chainId: 852, logger });
    let deployed: Record<string, string>;
    ({ dataDir, deployment, env: deployed } = await deployOnChain(chain.rpcUrl));
    env = {
      ...deployed,
      PORT: String(await freePort()),
      // A second, dead endpoint: reads and writes fail over to the live one.
      EPROOF_RPC_URL: `${chain.rpcUrl}, http://127.0.0.1:1`,
      EPROOF_BATCH_MAX_WAIT_MS: "100",
    };
  });
  afterAll(async () => {
    await chain?.stop();
    if (dataDir) removeDataDir(dataDir);
  });

  it("issues, anchors and verifies against the configured chain and contracts", async () => {
    const service = await startEProof(
      loadConfig(env, (path) => readFileSync(path, "utf8")),
      logger,
    );
    try {
      expect(service.trust).toEqual({
        chainId: 852,
        registry: deployment.documentRegistry,
        registries: [{ registry: deployment.documentRegistry, issuerRegistry: deployment.issuerRegistry, from: null, until: null }],
      });
      const apiKey = (JSON.parse(readFileSync(join(dataDir, "dev-credentials.json"), "utf8")) as { apiKey: string }).apiKey;
      const client = { url: service.url, apiKey };
      const issued = await api(client, "POST", "/api/v1/documents", TYPICAL_LICENCE);
      expect(issued.status).toBe(202);
      await waitUntilAnchored({ ...service, dataDir, apiKey, env }, issued.body.id);
      const file = await downloadEProof({ ...service, dataDir, apiKey, env }, issued.body.id);
      expect((await api(client, "POST", "/api/v1/verify", { document: file })).body.verdict).toBe("VALID");
    } finally {
      await service.stop();
    }
  });

  it("refuses to start when the chain's id is not the configured one", async () => {
    const config = loadConfig({ ...env, EPROOF_CHAIN_ID: "853" }, (path) => readFileSync(path, "utf8"));
    await expect(startEProof(config, logger)).rejects.toMatchObject({ code: "CONFIG_INVALID" });
  });

  it("refuses a configuration without the contract addresses, or with the single anchoring key of earlier versions", () => {
    const read = (path: string) => readFileSync(path, "utf8");
    expect(() => loadConfig({ ...env, EPROOF_DOCUMENT_REGISTRY: "" }, read)).toThrow(/EPROOF_DOCUMENT_REGISTRY/);
    expect(() => loadConfig({ ...env, EPROOF_ANCHOR_KEY: `0x${"11".repeat(32)}` }, read)).toThrow(
      /each department anchors with its own account.*EPROOF_ANCHOR_KEYS_FILE/,
    );
  });
});
