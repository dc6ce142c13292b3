/**
 * The production profile's chain behaviour, with anvil configured like the QBFT Besu network in
 * deploy/besu (this machine cannot run Besu): zero gas price and zero base fee, a block every 2 s
 * (not one per transaction), the cancun EVM the contracts compile for, an anchoring account that
 * holds no ether at all, and two RPC endpoints (each a proxy in front of the same node, as a load
 * balancer would put two Besu RPC nodes) of which one dies mid-run.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRpcProvider } from "../../services/adapters/chain/rpc-provider.ts";
import { SqliteStore } from "../../services/adapters/store/sqlite-store.ts";
import { loadConfig } from "../../services/config.ts";
import { type EmbeddedChain, startAnvil } from "../../services/embedded/anvil-process.ts";
import type { Deployment } from "../../services/embedded/dev-bootstrap.ts";
import { createLogger } from "../../services/logger.ts";
import { type RunningService, startEProof } from "../../services/main.ts";
import { api, bootstrapOnChain, downloadEProof, freePort, removeDataDir, TYPICAL_LICENCE, waitUntilAnchored } from "./test-service.ts";

const CHAIN_ID = 1_337_852;

interface RpcNode {
  url: string;
  /** When set, the node claims this chain id (a node of another network behind the same URL). */
  claimChainId?: number;
  close(): void;
}

/** An RPC node stand-in: forwards JSON-RPC to the chain; close() kills it and its connections. */
async function rpcProxy(target: string): Promise<RpcNode> {
  const node: RpcNode = { url: "", close: () => undefined };
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { id: number; method: string };
    if (node.claimChainId !== undefined && request.method === "eth_chainId") {
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ jsonrpc: "2.0", id: request.id, result: `0x${node.claimChainId.toString(16)}` }));
      return;
    }
    try {
      const answer = await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body: Buffer.concat(chunks) });
      res.writeHead(answer.status, { "content-type": "application/json" }).end(Buffer.from(await answer.arrayBuffer()));
    } catch {
      res.writeHead(502).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  node.url = `http://127.0.0.1:${port}`;
  node.close = () => {
    server.close();
    server.closeAllConnections();
  };
  return node;
}

describe("the permissioned network profile (anvil configured like QBFT Besu)", () => {
  const silent = createLogger("silent");
  let dataDir: string;
  let chainDir: string;
  let chain: EmbeddedChain;
  let deployment: Deployment;
  let anchorAddress: string;
  let nodeA: RpcNode;
  let nodeB: RpcNode;
  let env: Record<string, string>;
  let service: RunningService;
  let client: { url: string; apiKey: string };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "eproof-qbft-"));
    chainDir = mkdtempSync(join(tmpdir(), "eproof-qbft-chain-"));
    chain = await startAnvil({ dataDir: chainDir, port: await freePort(), chainId: CHAIN_ID, logger: silent, blockTimeSeconds: 2, hardfork: "cancun" });
    const store = new SqliteStore(join(dataDir, "eproof.sqlite"));
    let anchorKey: string;
    ({ deployment, anchorKey } = await bootstrapOnChain({ rpcUrl: chain.rpcUrl, chainId: CHAIN_ID, dataDir, store }));
    await store.close();
    // On a free-gas network the anchoring account holds nothing: take away the dev ether.
    anchorAddress = new Wallet(anchorKey).address;
    const raw = createRpcProvider(chain.rpcUrl, CHAIN_ID);
    await raw.send("anvil_setBalance", [anchorAddress, "0x0"]);
    raw.destroy();

    nodeA = await rpcProxy(chain.rpcUrl);
    nodeB = await rpcProxy(chain.rpcUrl);
    env = {
      PORT: String(await freePort()),
      EPROOF_DATA_DIR: dataDir,
      EPROOF_RPC_URL: `${nodeA.url},${nodeB.url}`,
      EPROOF_CHAIN_ID: String(CHAIN_ID),
      EPROOF_DOCUMENT_REGISTRY: deployment.documentRegistry,
      EPROOF_ISSUER_REGISTRY: deployment.issuerRegistry,
      EPROOF_GAS_PRICE: "0",
      EPROOF_BATCH_MAX_WAIT_MS: "100",
    };
    service = await startEProof(
      loadConfig(env, (path) => readFileSync(path, "utf8")),
      silent,
    );
    client = { url: service.url, apiKey: (JSON.parse(readFileSync(join(dataDir, "dev-credentials.json"), "utf8")) as { apiKey: string }).apiKey };
  }, 120_000);

  afterAll(async () => {
    await service?.stop();
    nodeA?.close();
    nodeB?.close();
    await chain?.stop();
    if (dataDir) removeDataDir(dataDir);
    if (chainDir) removeDataDir(chainDir);
  });

  async function issueAndVerify(): Promise<{ id: string; txHash: string }> {
    const issued = await api(client, "POST", "/api/v1/documents", TYPICAL_LICENCE);
    expect(issued.status).toBe(202);
    const harness = { ...service, ...client, dataDir, env: {} };
    await waitUntilAnchored(harness, issued.body.id, 30_000);
    const file = await downloadEProof(harness, issued.body.id);
    const verified = await api(client, "POST", "/api/v1/verify", { document: file });
    expect(verified.body.verdict).toBe("VALID");
    expect(verified.body.evidence.chainId).toBe(CHAIN_ID);
    return { id: issued.body.id, txHash: verified.body.evidence.txHash };
  }

  it("issues, anchors with a zero gas price from an account without ether, and verifies VALID on 2 s blocks", async () => {
    const { txHash } = await issueAndVerify();
    const provider = createRpcProvider(chain.rpcUrl, CHAIN_ID);
    try {
      const tx = await provider.getTransaction(txHash);
      const receipt = await provider.getTransactionReceipt(txHash);
      expect(tx?.gasPrice).toBe(0n);
      expect(receipt?.gasPrice ?? 0n).toBe(0n);
      expect(await provider.getBalance(anchorAddress)).toBe(0n);
      const block = await provider.getBlock(receipt?.blockNumber ?? 0);
      const parent = await provider.getBlock((receipt?.blockNumber ?? 1) - 1);
      expect(block?.baseFeePerGas ?? 0n).toBe(0n);
      // Interval mining, as on QBFT: blocks are 2 s apart, not one per transaction.
      expect((block?.timestamp ?? 0) - (parent?.timestamp ?? 0)).toBeGreaterThanOrEqual(2);
    } finally {
      provider.destroy();
    }
  }, 60_000);

  it("refuses to start when any RPC endpoint belongs to another chain", async () => {
    const stranger = await rpcProxy(chain.rpcUrl);
    stranger.claimChainId = 1;
    try {
      const config = loadConfig({ ...env, PORT: "0", EPROOF_RPC_URL: `${nodeA.url},${stranger.url}` }, (path) => readFileSync(path, "utf8"));
      await expect(startEProof(config, silent)).rejects.toMatchObject({ code: "CONFIG_INVALID", message: expect.stringMatching(/chain id 1\b/) });
    } finally {
      stranger.close();
    }
  });

  it("is not ready while its RPC node answers with another chain id, and ready again when it does not", async () => {
    nodeA.claimChainId = 1;
    nodeB.claimChainId = 1;
    try {
      const ready = await api(client, "GET", "/healthz/ready");
      expect(ready.status).toBe(503);
      expect(ready.body.failing).toEqual([`chain id is not ${CHAIN_ID}`]);
      expect((await api(client, "GET", "/healthz")).body.chain.chainIdMatches).toBe(false);
      expect((await api(client, "GET", "/healthz/live")).status).toBe(200);
    } finally {
      delete nodeA.claimChainId;
      delete nodeB.claimChainId;
    }
    expect((await api(client, "GET", "/healthz/ready")).status).toBe(200);
  });

  it("keeps issuing and verifying when the first RPC node dies, and reports it in /healthz", async () => {
    nodeA.close();
    await issueAndVerify();
    const health = await api(client, "GET", "/healthz");
    expect(health.status).toBe(200);
    expect(health.body.chain.endpoints.map((e: { healthy: boolean }) => e.healthy)).toEqual([false, true]);
    expect((await api(client, "GET", "/healthz/ready")).status).toBe(200);
  }, 60_000);
});
