/**
 * The chain goes away while the service runs (an external chain via EPROOF_RPC_URL, which the test
 * stops, crashes and restarts on the same port from the same state folder).
 */
import { Contract, encodeBytes32String } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadArtifact } from "../../services/adapters/chain/contract-artifacts.ts";
import { createRpcProvider } from "../../services/adapters/chain/rpc-provider.ts";
import type { Deployment } from "../../services/embedded/dev-bootstrap.ts";
import { anvilStatePath, keepStateDump, OwnChain, restoreStateDump } from "./own-chain.ts";
import {
  api,
  downloadEProof,
  heldCopy,
  removeDataDir,
  startServiceOnChain,
  startTestService,
  type TestService,
  TYPICAL_LICENCE,
  waitUntilAnchored,
} from "./test-service.ts";

const CHAIN_ID = 852;
const INVALID_VERDICTS = ["TAMPERED", "REVOKED", "SUSPENDED", "SUPERSEDED", "EXPIRED", "NOT_YET_VALID", "UNKNOWN_ISSUER", "NOT_ANCHORED"];

describe("a chain outage while the service runs", () => {
  let dataDir: string;
  let chain: OwnChain;
  let deployment: Deployment;
  let service: TestService;
  let anchorKey: string;
  const logLines: string[] = [];

  beforeAll(async () => {
    chain = await OwnChain.start({ chainId: CHAIN_ID, folderPrefix: "eproof-outage-chain-" });
    ({ service, deployment, anchorKey } = await startServiceOnChain(chain.rpcUrl, {
      chainId: CHAIN_ID,
      logLines,
      env: {
        EPROOF_BATCH_MAX_WAIT_MS: "100",
        EPROOF_CHAIN_WATCH_MS: "500",
      },
    }));
    dataDir = service.dataDir;
  });
  afterAll(async () => {
    await service?.stop();
    await chain?.remove();
    if (dataDir) removeDataDir(dataDir);
  });

  async function issue(): Promise<string> {
    const issued = await api(service, "POST", "/api/v1/documents", TYPICAL_LICENCE);
    expect(issued.status).toBe(202);
    return issued.body.id as string;
  }

  async function verdictOf(id: string): Promise<string> {
    // The holder's copy as it is now (proofless while the chain is down).
    const file = await heldCopy(service, id);
    const response = await api(service, "POST", "/api/v1/verify", { document: file });
    expect(response.status).toBe(200);
    return response.body.verdict as string;
  }

  /** Polls until VALID, failing at once on any invalid verdict along the way. */
  async function eventuallyValid(id: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let verdict = "";
    while (Date.now() < deadline) {
      verdict = await verdictOf(id);
      if (verdict === "VALID") return;
      // A batch the chain forgot is PENDING (it is anchored again), never NOT_ANCHORED in between.
      if (INVALID_VERDICTS.includes(verdict)) throw new Error(`document ${id} is ${verdict} on its way to VALID`);
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`document ${id} is ${verdict}, not VALID, after ${timeoutMs} ms`);
  }

  it("keeps accepting, answers PENDING and UNAVAILABLE (never invalid) while the chain is down, then anchors everything when it returns", async () => {
    const before = await issue();
    await waitUntilAnchored(service, before);
    expect(await verdictOf(before)).toBe("VALID");
    expect((await api(service, "GET", "/healthz/ready")).status).toBe(200);
    expect(Object.keys((await api(service, "GET", "/openapi.json")).body.paths)).toEqual(expect.arrayContaining(["/healthz/live", "/healthz/ready"]));

    await chain.stop();

    // Issuance does not need the chain.
    const during = await Promise.all([issue(), issue(), issue()]);
    const batch = await api(service, "POST", "/api/v1/batches", { type: "licence", items: [TYPICAL_LICENCE.data, TYPICAL_LICENCE.data] });
    expect(batch.status).toBe(202);

    // New documents are PENDING; an anchored one cannot be checked: UNAVAILABLE, not invalid.
    for (const id of during) expect(await verdictOf(id)).toBe("PENDING");
    const anchoredFile = await downloadEProof(service, before);
    const whileDown = await api(service, "POST", "/api/v1/verify", { document: anchoredFile });
    expect(whileDown.body.verdict).toBe("UNAVAILABLE");
    expect(whileDown.body.checks.find((c: { name: string }) => c.name === "anchored").status).toBe("ERROR");
    const qr = await api(service, "GET", `/api/v1/documents/${before}`);
    if (typeof qr.body.verifyUrl === "string") {
      const byQr = (await api(service, "POST", "/api/v1/verify", { qr: qr.body.verifyUrl })).body.verdict;
      expect(INVALID_VERDICTS).not.toContain(byQr);
      expect(byQr).toBe("UNAVAILABLE");
    }

    // Health: alive, not ready, and says why.
    expect((await api(service, "GET", "/healthz/live")).status).toBe(200);
    const ready = await api(service, "GET", "/healthz/ready");
    expect(ready.status).toBe(503);
    expect(ready.body.failing).toContain("chain unreachable");
    const details = await api(service, "GET", "/healthz");
    expect(details.status).toBe(503);
    expect(details.body.chain.reachable).toBe(false);
    expect(details.body.database.reachable).toBe(true);
    expect(details.body.outbox.unanchored).toBeGreaterThanOrEqual(5);
    expect(JSON.stringify(details.body)).not.toContain(anchorKey.slice(2));

    // Let the worker fail a few times against the dead endpoint.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(logLines.some((line) => line.includes('"event":"anchoring.chain_unavailable"'))).toBe(true);

    await chain.restart();

    for (const id of during) {
      await waitUntilAnchored(service, id, 30_000);
      await eventuallyValid(id);
    }
    expect(await verdictOf(before)).toBe("VALID");
    const deadline = Date.now() + 10_000;
    while ((await api(service, "GET", "/healthz/ready")).status !== 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect((await api(service, "GET", "/healthz/ready")).status).toBe(200);
    expect((await api(service, "GET", "/healthz")).body.outbox.unanchored).toBe(0);
  }, 90_000);

  it("heals a kill -9 of the chain that lost the newest blocks: the forgotten batch is anchored again, once, and ends VALID", async () => {
    // Wait for a state dump that holds everything so far, and keep it: this is what a crash leaves.
    await keepStateDump(chain.statePath);

    const id = await issue();
    await waitUntilAnchored(service, id);
    expect(await verdictOf(id)).toBe("VALID");
    const { root } = (await downloadEProof(service, id)).anchor as { root: string };

    // kill -9: no state written on exit; and the last periodic dump is taken to be the one before
    // the anchoring (anvil dumps once a second, so a crash loses up to a second of blocks).
    await chain.crashBackToKeptDump();

    const provider = createRpcProvider(chain.rpcUrl);
    const registry = new Contract(deployment.documentRegistry, loadArtifact("DocumentRegistry").abi, provider);
    try {
      expect((await registry.getFunction("batch").staticCall(encodeBytes32String("DEMO"), root)).anchored).toBe(false);

      // The verify API's answers reflect a head read at most EPROOF_VERIFY_HEAD_MS (50 ms) ago: once
      // that has passed, none may show the lost block as VALID before it is anchored again.
      await new Promise((r) => setTimeout(r, 100));
      // The running service notices (its watch, or a verification of the lost batch), re-queues the batch and anchors it again.
      await eventuallyValid(id, 30_000);
      expect(logLines.some((line) => line.includes('"event":"anchoring.batch_lost"'))).toBe(true);
      const events = await registry.queryFilter("BatchAnchored", 0);
      expect(events.filter((e) => "args" in e && e.args.root === root)).toHaveLength(1);
      expect((await api(service, "GET", "/healthz")).body.outbox.unanchored).toBe(0);
    } finally {
      provider.destroy();
    }
  }, 90_000);
});

describe("the embedded chain (anvil) killed with kill -9 while the service runs", () => {
  it("is restarted from its state file, and the batch the file had not saved is anchored again, once", async () => {
    const logLines: string[] = [];
    const service = await startTestService({ env: { EPROOF_CHAIN_WATCH_MS: "500" }, logLines });
    const statePath = anvilStatePath(service.dataDir);
    try {
      const verdictOf = async (id: string) =>
        (await api(service, "POST", "/api/v1/verify", { document: await downloadEProof(service, id) })).body.verdict as string;
      const saved = (await api(service, "POST", "/api/v1/documents", TYPICAL_LICENCE)).body.id as string;
      await waitUntilAnchored(service, saved);
      // anvil dumps its state once a second: the next dump holds `saved` but not what follows.
      await keepStateDump(statePath);
      const unsaved = (await api(service, "POST", "/api/v1/documents", TYPICAL_LICENCE)).body.id as string;
      await waitUntilAnchored(service, unsaved);
      expect(await verdictOf(unsaved)).toBe("VALID");
      const { root } = (await downloadEProof(service, unsaved)).anchor as { root: string };

      const chain = service.embeddedChain;
      if (!chain) throw new Error("expected the embedded chain");
      await chain.crash();
      // The crash came before the next dump: the file on disk is the older one.
      restoreStateDump(statePath);

      const deadline = Date.now() + 30_000;
      let verdicts: string[] = [];
      while (Date.now() < deadline) {
        verdicts = await Promise.all([verdictOf(saved), verdictOf(unsaved)]).catch(() => ["", ""]);
        if (verdicts.every((v) => v === "VALID")) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(verdicts).toEqual(["VALID", "VALID"]);
      for (const event of ["chain.died", "chain.restarted", "anchoring.batch_lost"]) {
        expect(logLines.some((line) => line.includes(`"event":"${event}"`))).toBe(true);
      }
      const provider = createRpcProvider(chain.rpcUrl);
      try {
        const registry = new Contract(service.trust.registry, loadArtifact("DocumentRegistry").abi, provider);
        const events = await registry.queryFilter("BatchAnchored", 0);
        expect(events.filter((e) => "args" in e && e.args.root === root)).toHaveLength(1);
      } finally {
        provider.destroy();
      }
    } finally {
      await service.stop();
      removeDataDir(service.dataDir);
    }
  }, 90_000);
});
