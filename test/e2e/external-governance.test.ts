/**
 * Administration on a chain the service did not start: the admin API exists only when the service
 * is given a REGISTRAR account (EPROOF_GOVERNANCE_KEY), and then onboards departments there.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../services/config.ts";
import { type EmbeddedChain, startAnvil } from "../../services/embedded/anvil-process.ts";
import type { Deployment } from "../../services/embedded/dev-bootstrap.ts";
import { createLogger } from "../../services/logger.ts";
import { startEProof } from "../../services/main.ts";
import { api, deployOnChain, downloadEProof, freePort, onboardWithOfficer, removeDataDir, TYPICAL_LICENCE, waitUntilAnchored } from "./test-service.ts";

describe("platform administration on an external chain", () => {
  const logger = createLogger("silent");
  let dataDir: string;
  let chain: EmbeddedChain;
  let deployment: Deployment;
  let env: Record<string, string>;
  let adminApiKey: string;

  beforeAll(async () => {
    chain = await startAnvil({ dataDir: mkdtempSync(join(tmpdir(), "eproof-chain-")), port: await freePort(), chainId: 852, logger });
    let deployed: Record<string, string>;
    ({ dataDir, deployment, env: deployed } = await deployOnChain(chain.rpcUrl));
    adminApiKey = (JSON.parse(readFileSync(join(dataDir, "dev-credentials.json"), "utf8")) as { adminApiKey: string }).adminApiKey;
    env = {
      ...deployed,
      PORT: String(await freePort()),
      EPROOF_BATCH_MAX_WAIT_MS: "100",
      // anvil charges gas: the administrator funds each anchoring account it generates.
      EPROOF_ANCHOR_FUNDING_WEI: "1000000000000000000",
    };
  });
  afterAll(async () => {
    await chain?.stop();
    if (dataDir) removeDataDir(dataDir);
  });

  it("has no admin API without a governance account", async () => {
    const service = await startEProof(
      loadConfig(env, (path) => readFileSync(path, "utf8")),
      logger,
    );
    try {
      expect((await api({ url: service.url, apiKey: adminApiKey }, "GET", "/api/v1/admin/api-keys")).status).toBe(404);
    } finally {
      await service.stop();
    }
  });

  it("onboards a department whose officer then issues VALID documents, with EPROOF_GOVERNANCE_KEY", async () => {
    const service = await startEProof(
      loadConfig({ ...env, EPROOF_GOVERNANCE_KEY: deployment.adminKey }, (path) => readFileSync(path, "utf8")),
      logger,
    );
    try {
      const admin = { url: service.url, apiKey: adminApiKey };
      const officer = await onboardWithOfficer(admin, "EXT", { en: "External", zhHK: "外部" });
      const issued = await api(officer, "POST", "/api/v1/documents", TYPICAL_LICENCE);
      expect(issued.status).toBe(202);
      const owner = { ...service, dataDir, apiKey: officer.apiKey, env };
      await waitUntilAnchored(owner, issued.body.id);
      const file = await downloadEProof(owner, issued.body.id);
      expect((await api(officer, "POST", "/api/v1/verify", { document: file })).body.verdict).toBe("VALID");
    } finally {
      await service.stop();
    }
  });

  it("refuses a governance key that is not a private key", () => {
    expect(() => loadConfig({ ...env, EPROOF_GOVERNANCE_KEY: "0x1234" }, (path) => readFileSync(path, "utf8"))).toThrow(/EPROOF_GOVERNANCE_KEY/);
  });
});
