/**
 * Front-running and squatting on the shared ledger: a second department ATTK (a rogue tenant with
 * its own, legitimately registered anchoring account) races DEMO to the same Merkle root, from the
 * mempool (a higher fee, mined first in the same block) and after a chain rollback (the root the
 * chain forgot, anchored by ATTK before DEMO anchors it again). The chain keeps one record per
 * (department, root): ATTK fills its own, DEMO's stays DEMO's, and DEMO's documents stay VALID.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type JsonRpcProvider, Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Governance } from "../../services/adapters/chain/governance.ts";
import { createRpcProvider } from "../../services/adapters/chain/rpc-provider.ts";
import { getDocumentType } from "../../services/domain/document-types.ts";
import type { EProofDocument, Hex } from "../../services/domain/types.ts";
import { type EmbeddedChain, startAnvil } from "../../services/embedded/anvil-process.ts";
import { createLogger } from "../../services/logger.ts";
import {
  api,
  downloadEProof,
  freePort,
  removeDataDir,
  startServiceOnChain,
  type TestService,
  TYPICAL_LICENCE,
  waitUntilAnchored,
} from "../e2e/test-service.ts";
import { spawnNode } from "../node-process.ts";
import { b32, documentRegistry, documentRegistryAbi, fundedWallet, rpc, until, verdictByApi, verdictByCli } from "./adversary.ts";

const CHAIN_ID = 852;

interface FrontRun {
  victimTx: Hex;
  frontRunTx: Hex;
  root: Hex;
  docType: Hex;
  count: number;
}

/** Starts the attacker process; resolves with what it did (its one JSON line), rejects if it gives up. */
function startFrontRunner(args: string[]): { child: ChildProcess; done: Promise<FrontRun> } {
  const run = spawnNode(["test/adversarial/front-runner.ts", ...args]);
  const done = run.exited.then((code) => {
    const { stdout, stderr } = run.output();
    const line = stdout.trim().split("\n").at(-1) ?? "";
    if (code === 0 && line.startsWith("{")) return JSON.parse(line) as FrontRun;
    throw new Error(`the front-runner exited ${code}: ${stderr.trim().slice(0, 500)}`);
  });
  return { child: run.child, done };
}

describe("another department racing DEMO to its Merkle root", () => {
  let chain: EmbeddedChain;
  let chainDir: string;
  let service: TestService;
  let provider: JsonRpcProvider;
  let demoAccount: string;
  let attacker: Wallet;

  beforeAll(async () => {
    chainDir = mkdtempSync(join(tmpdir(), "eproof-adversarial-chain-"));
    chain = await startAnvil({ dataDir: chainDir, port: await freePort(), chainId: CHAIN_ID, logger: createLogger("silent") });
    const started = await startServiceOnChain(chain.rpcUrl, {
      chainId: CHAIN_ID,
      env: { EPROOF_VERIFY_RATE_LIMIT: "0", EPROOF_BATCH_MAX_WAIT_MS: "100", EPROOF_CHAIN_WATCH_MS: "500" },
    });
    service = started.service;
    demoAccount = new Wallet(started.anchorKey).address;
    provider = createRpcProvider(chain.rpcUrl, CHAIN_ID);
    // ATTK: a department the platform administrator onboarded, with its own anchoring account, which
    // the attacker runs. It may anchor licences: exactly what it needs to squat a DEMO licence batch.
    attacker = await fundedWallet(provider);
    const governance = new Governance(new Wallet(started.deployment.adminKey, provider), started.deployment.issuerRegistry);
    await governance.registerDepartment("ATTK", { en: "Attacker Department", zhHK: "攻擊者部門" });
    const licence = getDocumentType("licence");
    await governance.grantDocumentType("ATTK", licence.id, licence.schemaHash);
    await governance.addAnchorer("ATTK", attacker.address);
  });
  afterAll(async () => {
    provider?.destroy();
    await service?.stop();
    await chain?.stop();
    if (service) removeDataDir(service.dataDir);
    if (chainDir) removeDataDir(chainDir);
  });

  async function issue(): Promise<string> {
    const issued = await api(service, "POST", "/api/v1/documents", TYPICAL_LICENCE);
    expect(issued.status).toBe(202);
    return String(issued.body.id);
  }

  /** The department's record of `root` and the BatchAnchored log that wrote it. */
  async function recordOf(department: string, root: Hex) {
    const registry = documentRegistry(service.trust.registry, provider);
    const record = (await registry.getFunction("batch").staticCall(b32(department), root)).toObject();
    const logs = await registry.queryFilter(registry.filters.BatchAnchored?.(b32(department), root) ?? "BatchAnchored", 0);
    return {
      record,
      logs: logs.map((log) => ({
        txHash: log.transactionHash as Hex,
        blockNumber: log.blockNumber,
        index: log.transactionIndex,
        anchorer: String((log as { args?: { anchorer?: string } }).args?.anchorer),
      })),
    };
  }

  async function expectValidEverywhere(file: EProofDocument): Promise<void> {
    const byApi = await verdictByApi(service, file);
    expect(byApi.verdict).toBe("VALID");
    const byCli = await verdictByCli(file, chain.rpcUrl, service.trust.registry);
    expect(byCli).toMatchObject({ exitCode: 0, verdict: "VALID" });
  }

  it("mines ATTK's copy of DEMO's anchorBatch first (higher fee, same block), yet DEMO's batch is DEMO's own transaction and its document VALID", async () => {
    await rpc(chain.rpcUrl, "evm_setAutomine", [false]);
    const frontRunner = startFrontRunner([chain.rpcUrl, service.trust.registry, attacker.privateKey, "ATTK", "DEMO", "30000"]);
    let raced: FrontRun;
    let id: string;
    try {
      id = await issue();
      raced = await frontRunner.done;
      // Both wait in the mempool now; then one block takes them, ordered by fee.
      await until("both transactions in the mempool", async () => {
        const pool = JSON.stringify(await rpc(chain.rpcUrl, "txpool_content")).toLowerCase();
        return pool.includes(raced.victimTx.toLowerCase()) && pool.includes(raced.frontRunTx.toLowerCase());
      });
      await rpc(chain.rpcUrl, "evm_mine");
    } finally {
      frontRunner.child.kill();
      await rpc(chain.rpcUrl, "evm_setAutomine", [true]);
    }
    await waitUntilAnchored(service, id, 30_000);

    const victimReceipt = await provider.getTransactionReceipt(raced.victimTx);
    const frontRunReceipt = await provider.getTransactionReceipt(raced.frontRunTx);
    expect(frontRunReceipt?.status).toBe(1);
    expect(victimReceipt?.status).toBe(1);
    expect(frontRunReceipt?.blockNumber).toBe(victimReceipt?.blockNumber);
    expect(frontRunReceipt?.index).toBeLessThan(victimReceipt?.index ?? -1);

    // ATTK's record exists, apart: it names ATTK and the attacker.
    const attk = await recordOf("ATTK", raced.root);
    expect(attk.record.anchored).toBe(true);
    expect(attk.record.department).toBe(b32("ATTK"));
    expect(attk.logs).toEqual([expect.objectContaining({ txHash: raced.frontRunTx, anchorer: attacker.address })]);
    // DEMO's record is DEMO's transaction, sent from DEMO's own account.
    const demo = await recordOf("DEMO", raced.root);
    expect(demo.record).toMatchObject({ anchored: true, department: b32("DEMO"), count: 1n });
    expect(demo.logs).toEqual([expect.objectContaining({ txHash: raced.victimTx, anchorer: demoAccount })]);
    expect((await provider.getTransaction(raced.victimTx))?.from).toBe(demoAccount);

    const file = (await downloadEProof(service, id)) as EProofDocument;
    expect(file.anchor?.root).toBe(raced.root);
    expect(file.anchor?.txHash).toBe(raced.victimTx);
    const looked = await api(service, "GET", `/api/v1/documents/${id}`);
    expect(looked.body.anchor.txHash).toBe(raced.victimTx);
    await expectValidEverywhere(file);
    expect((await verdictByApi(service, file)).evidence).toMatchObject({ root: raced.root, blockNumber: victimReceipt?.blockNumber });
  });

  it("re-anchors DEMO's own record after a rollback in which ATTK squatted the forgotten root first, and the document ends VALID", async () => {
    const snapshot = await rpc<string>(chain.rpcUrl, "evm_snapshot");
    const id = await issue();
    await waitUntilAnchored(service, id, 30_000);
    const file = (await downloadEProof(service, id)) as EProofDocument;
    const root = file.anchor?.root as Hex;
    // What the attacker saw on chain before the rollback: DEMO's anchoring and its arguments.
    const seen = await provider.getTransaction(file.anchor?.txHash as string);
    const [, docType, , count] = documentRegistryAbi.decodeFunctionData("anchorBatch", seen?.data ?? "0x");

    // The chain forgets the block; ATTK anchors the root first (nothing else can be mined meanwhile).
    await rpc(chain.rpcUrl, "evm_setAutomine", [false]);
    let squat: string;
    try {
      expect(await rpc(chain.rpcUrl, "evm_revert", [snapshot])).toBe(true);
      expect((await recordOf("DEMO", root)).record.anchored).toBe(false);
      const tip = 5_000_000_000n;
      squat = (
        await documentRegistry(service.trust.registry, attacker)
          .getFunction("anchorBatch")
          .send(b32("ATTK"), docType, root, count, { gasLimit: 300_000, maxPriorityFeePerGas: tip, maxFeePerGas: tip })
      ).hash;
      await until("the squat in the mempool", async () => JSON.stringify(await rpc(chain.rpcUrl, "txpool_content")).includes(squat));
      await rpc(chain.rpcUrl, "evm_mine");
    } finally {
      await rpc(chain.rpcUrl, "evm_setAutomine", [true]);
    }
    const squatReceipt = await provider.getTransactionReceipt(squat);
    expect(squatReceipt?.status).toBe(1);
    expect((await recordOf("ATTK", root)).record.anchored).toBe(true);

    // A verification of the file meets a batch the store believes anchored and the chain does not
    // know: PENDING (never an invalid verdict), and the worker reconciles and anchors DEMO's own record.
    const seenVerdicts = new Set<string>();
    await until(
      "the document VALID again",
      async () => {
        const { verdict } = await verdictByApi(service, file);
        seenVerdicts.add(verdict);
        return verdict === "VALID";
      },
      30_000,
      200,
    );
    expect([...seenVerdicts].filter((v) => v !== "PENDING" && v !== "VALID")).toEqual([]);

    const demo = await recordOf("DEMO", root);
    expect(demo.record).toMatchObject({ anchored: true, department: b32("DEMO") });
    expect(demo.logs).toHaveLength(1);
    const reanchor = demo.logs[0] as (typeof demo.logs)[0];
    expect(reanchor.anchorer).toBe(demoAccount);
    expect((await provider.getTransaction(reanchor.txHash))?.from).toBe(demoAccount);
    // ATTK was first: an earlier block, or earlier in the same block.
    const squatAt = { block: squatReceipt?.blockNumber ?? Number.POSITIVE_INFINITY, index: squatReceipt?.index ?? 0 };
    expect(reanchor.blockNumber > squatAt.block || (reanchor.blockNumber === squatAt.block && reanchor.index > squatAt.index)).toBe(true);

    const refreshed = (await downloadEProof(service, id)) as EProofDocument;
    expect(refreshed.anchor?.root).toBe(root);
    expect(refreshed.anchor?.txHash).toBe(reanchor.txHash);
    await expectValidEverywhere(refreshed);
    // The copy the holder got before the rollback stays good too (same root, same proof).
    await expectValidEverywhere(file);
  });
});
