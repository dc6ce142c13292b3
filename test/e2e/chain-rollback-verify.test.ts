/**
 * A verification that meets a batch the chain forgot (an external chain restarted from an older
 * state file) answers PENDING, never NOT_ANCHORED, and is what gets the batch anchored again: the
 * periodic watch is set to ten minutes here, so only the verification's request to reconcile heals it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keepStateDump, OwnChain } from "./own-chain.ts";
import { api, downloadEProof, removeDataDir, startServiceOnChain, type TestService, TYPICAL_LICENCE, waitUntilAnchored } from "./test-service.ts";

const CHAIN_ID = 852;

describe("verifying a document whose batch the restarted chain forgot", () => {
  let dataDir: string;
  let chain: OwnChain;
  let service: TestService;
  const logLines: string[] = [];

  beforeAll(async () => {
    chain = await OwnChain.start({ chainId: CHAIN_ID, folderPrefix: "eproof-rollback-verify-chain-" });
    ({ service } = await startServiceOnChain(chain.rpcUrl, {
      chainId: CHAIN_ID,
      logLines,
      env: {
        EPROOF_BATCH_MAX_WAIT_MS: "100",
        EPROOF_CHAIN_WATCH_MS: "600000",
        // The test polls the verify API: its per-client limit is not what is under test.
        EPROOF_VERIFY_RATE_LIMIT: "10000",
      },
    }));
    dataDir = service.dataDir;
  });
  afterAll(async () => {
    await service?.stop();
    await chain?.remove();
    if (dataDir) removeDataDir(dataDir);
  });

  async function verdictOf(file: unknown): Promise<{ verdict: string; anchored: string | undefined }> {
    const response = await api(service, "POST", "/api/v1/verify", { document: file });
    expect(response.status).toBe(200);
    const anchored = (response.body.checks as Array<{ name: string; code?: string; status: string }>).find((c) => c.name === "anchored");
    return { verdict: response.body.verdict as string, anchored: anchored?.code ?? anchored?.status };
  }

  it("answers PENDING for the holder's anchored file, asks the worker to reconcile, and ends VALID long before the watch would run", async () => {
    // anvil dumps its state once a second: the next dump is the state before the document is anchored.
    await keepStateDump(chain.statePath);
    const issued = await api(service, "POST", "/api/v1/documents", TYPICAL_LICENCE);
    expect(issued.status).toBe(202);
    const id = issued.body.id as string;
    await waitUntilAnchored(service, id);
    const held = await downloadEProof(service, id);
    expect((await verdictOf(held)).verdict).toBe("VALID");

    await chain.crashBackToKeptDump();

    const started = Date.now();
    const seen: string[] = [];
    let last = "";
    while (Date.now() - started < 20_000) {
      const { verdict, anchored } = await verdictOf(held);
      seen.push(`${verdict}/${anchored}`);
      last = verdict;
      if (verdict === "VALID") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(last).toBe("VALID");
    // Never NOT_ANCHORED on the way; PENDING at least once (the chain did not know the root).
    expect(seen.filter((s) => s.startsWith("NOT_ANCHORED"))).toEqual([]);
    expect(seen).toContain("PENDING/PENDING");
    expect(logLines.some((line) => line.includes('"event":"anchoring.reconcile_requested"'))).toBe(true);
    expect(logLines.some((line) => line.includes('"event":"anchoring.batch_lost"'))).toBe(true);
  }, 60_000);
});
