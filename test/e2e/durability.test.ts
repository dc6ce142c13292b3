import { copyFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { Contract } from "ethers";
import { describe, expect, it } from "vitest";
import { loadArtifact } from "../../services/adapters/chain/contract-artifacts.ts";
import { createRpcProvider } from "../../services/adapters/chain/rpc-provider.ts";
import { api, downloadEProof, heldCopy, removeDataDir, startTestService, TYPICAL_LICENCE, waitUntilAnchored } from "./test-service.ts";

describe("durability of the embedded profile", () => {
  it("answers PENDING for an accepted document whose batch is not anchored yet", async () => {
    const service = await startTestService({ env: { EPROOF_BATCH_MAX_WAIT_MS: "3600000" } });
    try {
      const issued = await api(service, "POST", "/api/v1/documents", TYPICAL_LICENCE);
      const eproof = await heldCopy(service, issued.body.id);
      expect(eproof.anchor).toBeUndefined();
      expect((await api(service, "POST", "/api/v1/verify", { document: eproof })).body.verdict).toBe("PENDING");
      expect((await api(service, "POST", "/api/v1/verify", { qr: issued.body.verifyUrl })).body.verdict).toBe("PENDING");
      // A file that reuses the queued document's id but is signed by someone else is not PENDING.
      const { generateKeyPairSync } = await import("node:crypto");
      const { signClaim } = await import("../../services/adapters/signing/es256.ts");
      const { splitJws } = await import("../../services/domain/signature.ts");
      const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
      const forged = structuredClone(eproof);
      forged.signature.jws = await signClaim(splitJws(eproof.signature.jws).claimBytes, privateKey, "DEMO-1");
      const jwk = privateKey.export({ format: "jwk" });
      forged.signature.jwk = { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y };
      expect((await api(service, "POST", "/api/v1/verify", { document: forged })).body.verdict).toBe("NOT_ANCHORED");
    } finally {
      await service.stop();
      removeDataDir(service.dataDir);
    }
  });

  it("keeps everything across a restart, and re-anchors exactly once what a rolled-back chain state forgot", async () => {
    const first = await startTestService();
    const dataDir = first.dataDir;
    const statePath = join(dataDir, "chain", "anvil-state.json");
    let env = first.env;
    try {
      // A chain state saved after deployment but before any document was anchored…
      await first.stop();
      expect(existsSync(statePath)).toBe(true);
      copyFileSync(statePath, `${statePath}.older`);

      const second = await startTestService({ dataDir, env });
      const registry = second.trust.registry;
      const issued = await api(second, "POST", "/api/v1/documents", TYPICAL_LICENCE);
      await waitUntilAnchored(second, issued.body.id);
      await second.stop();

      // …is restored, as if anvil had been killed before it wrote the newer one.
      copyFileSync(`${statePath}.older`, statePath);
      const logLines: string[] = [];
      const third = await startTestService({ dataDir, env, logLines });
      env = third.env;
      try {
        expect(third.trust.registry).toBe(registry);
        await waitUntilAnchored(third, issued.body.id);
        const deadline = Date.now() + 20_000;
        let verdict = "";
        while (Date.now() < deadline && verdict !== "VALID") {
          const eproof = await downloadEProof(third, issued.body.id);
          verdict = (await api(third, "POST", "/api/v1/verify", { document: eproof })).body.verdict;
          if (verdict !== "VALID") await new Promise((r) => setTimeout(r, 200));
        }
        expect(verdict).toBe("VALID");
        const eproof = await downloadEProof(third, issued.body.id);
        const provider = createRpcProvider(third.rpcUrl);
        const events = await new Contract(registry, loadArtifact("DocumentRegistry").abi, provider).queryFilter("BatchAnchored", 0);
        expect(logLines.some((line) => line.includes('"event":"anchoring.batch_lost"'))).toBe(true);
        expect(events.filter((e) => "args" in e && e.args.root === eproof.anchor.root)).toHaveLength(1);
        provider.destroy();
      } finally {
        await third.stop();
      }
    } finally {
      removeDataDir(dataDir);
    }
  });
});
