/**
 * The verify API keeps chain answers per block (EPROOF_VERIFY_HEAD_MS): a change made on chain by
 * someone else (another instance, a tool, the governance board), which this instance is never told of,
 * still shows in the public verify answer within one block time plus one second, and every answer
 * names the block it reflects. The chain follower is slowed right down here, so that only the head
 * rule can bring the change in.
 */
import { Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EthersLedger, singleAccount } from "../../services/adapters/chain/ethers-ledger.ts";
import { Governance } from "../../services/adapters/chain/governance.ts";
import { createRpcProvider } from "../../services/adapters/chain/rpc-provider.ts";
import { jwkThumbprint } from "../../services/adapters/signing/es256.ts";
import type { Deployment } from "../../services/embedded/dev-bootstrap.ts";
import { OwnChain } from "./own-chain.ts";
import { api, downloadEProof, removeDataDir, startServiceOnChain, type TestService, TYPICAL_LICENCE, waitUntilAnchored } from "./test-service.ts";

const CHAIN_ID = 853;
/** Anvil mines each transaction at once: a block time of (about) nothing, so the bound is one second. */
const WITHIN_MS = 1_000;

describe("verify answers follow the chain within one block time plus one second", () => {
  let chain: OwnChain;
  let deployment: Deployment;
  let service: TestService;
  let anchorKey: string;
  let provider: ReturnType<typeof createRpcProvider>;

  beforeAll(async () => {
    chain = await OwnChain.start({ chainId: CHAIN_ID, folderPrefix: "eproof-freshness-chain-" });
    ({ service, deployment, anchorKey } = await startServiceOnChain(chain.rpcUrl, {
      chainId: CHAIN_ID,
      env: { EPROOF_FOLLOW_POLL_MS: "600000", EPROOF_VERIFY_RATE_LIMIT: "0" },
    }));
    provider = createRpcProvider(chain.rpcUrl, CHAIN_ID);
  });
  afterAll(async () => {
    provider?.destroy();
    await service?.stop();
    await chain?.remove();
    if (service) removeDataDir(service.dataDir);
  });

  async function issueAnchored(): Promise<{ id: string; file: Record<string, any> }> {
    const issued = await api(service, "POST", "/api/v1/documents", TYPICAL_LICENCE);
    expect(issued.status).toBe(202);
    const id = issued.body.id as string;
    await waitUntilAnchored(service, id);
    return { id, file: await downloadEProof(service, id) };
  }

  async function verify(file: unknown): Promise<{ verdict: string; evidence: { asOfBlock?: number; asOfBlockHash?: string } | null }> {
    const response = await fetch(`${service.url}/api/v1/verify`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ document: file }),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as never;
  }

  /** Polls the public answer until `verdict`; returns how long after `since` it showed, and the answer. */
  async function untilVerdict(file: unknown, verdict: string, since: number) {
    for (;;) {
      const answer = await verify(file);
      const elapsed = performance.now() - since;
      if (answer.verdict === verdict) return { elapsed, answer };
      if (elapsed > 10_000) throw new Error(`still ${answer.verdict}, not ${verdict}, ${elapsed.toFixed(0)} ms after the change`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Verifies several times, so that the service holds the answer of the current block. */
  async function warm(file: unknown): Promise<number> {
    let block = -1;
    for (let i = 0; i < 5; i += 1) {
      const answer = await verify(file);
      expect(answer.verdict).toBe("VALID");
      block = answer.evidence?.asOfBlock ?? -1;
    }
    return block;
  }

  it("shows a revocation and a suspension sent straight to the contract, and a key compromise by governance, each within one second; the evidence names the block", async () => {
    const revoked = await issueAnchored();
    const suspended = await issueAnchored();
    const head = await provider.getBlock("latest");
    const before = await verify(revoked.file);
    expect(before.verdict).toBe("VALID");
    // The answer reflects a block: the head the service read (not older than the anchoring block).
    expect(before.evidence?.asOfBlock).toBeGreaterThanOrEqual(revoked.file.anchor.blockNumber);
    expect(before.evidence?.asOfBlock).toBeLessThanOrEqual(head?.number ?? 0);
    expect(before.evidence?.asOfBlockHash).toMatch(/^0x[0-9a-f]{64}$/);

    // The department's own anchoring account, from outside this instance (as another instance would).
    const outsider = new EthersLedger({
      provider,
      accounts: singleAccount(new Wallet(anchorKey, provider)),
      documentRegistry: deployment.documentRegistry,
      chainId: CHAIN_ID,
    });
    await warm(revoked.file);
    // Timed from BEFORE the transaction is sent: an upper bound of the time since its block.
    let sent = performance.now();
    const revocation = await outsider.changeDocumentStatus({ department: "DEMO", documentIds: [revoked.id], status: "REVOKED" });
    const revokedSeen = await untilVerdict(revoked.file, "REVOKED", sent);
    expect(revokedSeen.elapsed).toBeLessThanOrEqual(WITHIN_MS);
    expect(revokedSeen.answer.evidence?.asOfBlock).toBeGreaterThanOrEqual(revocation.blockNumber);

    await warm(suspended.file);
    sent = performance.now();
    const suspension = await outsider.changeDocumentStatus({ department: "DEMO", documentIds: [suspended.id], status: "SUSPENDED" });
    const suspendedSeen = await untilVerdict(suspended.file, "SUSPENDED", sent);
    expect(suspendedSeen.elapsed).toBeLessThanOrEqual(WITHIN_MS);
    expect(suspendedSeen.answer.evidence?.asOfBlock).toBeGreaterThanOrEqual(suspension.blockNumber);

    // Governance marks DEMO's signing key compromised as of before the batch was anchored.
    const compromised = await issueAnchored();
    await warm(compromised.file);
    const governance = new Governance(new Wallet(deployment.adminKey, provider), deployment.issuerRegistry);
    const at = Math.floor(Date.parse(compromised.file.header.issuedAt) / 1000) - 60;
    const thumbprint = await jwkThumbprint(compromised.file.signature.jwk);
    sent = performance.now();
    const marking = await governance.markKeyCompromised("DEMO", thumbprint, at);
    const compromiseSeen = await untilVerdict(compromised.file, "UNKNOWN_ISSUER", sent);
    expect(compromiseSeen.elapsed).toBeLessThanOrEqual(WITHIN_MS);
    expect(compromiseSeen.answer.evidence?.asOfBlock).toBeGreaterThanOrEqual(marking.blockNumber);
  });
});
