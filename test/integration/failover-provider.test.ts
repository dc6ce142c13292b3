import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type HDNodeWallet, Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EthersLedger, singleAccount } from "../../services/adapters/chain/ethers-ledger.ts";
import { FailoverRpcProvider, redactUrl } from "../../services/adapters/chain/failover-provider.ts";
import { type EmbeddedChain, startAnvil } from "../../services/embedded/anvil-process.ts";
import { createLogger } from "../../services/logger.ts";
import { freePort } from "../e2e/test-service.ts";

const CHAIN_ID = 852;
const logger = createLogger("silent");

describe("FailoverRpcProvider over several JSON-RPC endpoints", () => {
  const dirs: string[] = [];
  let first: EmbeddedChain;
  let second: EmbeddedChain;
  let deadUrl: string;
  let silent: Server;
  let silentUrl: string;
  /** Bytes that reached the hung node: did a request go there? */
  let silentReceived = 0;

  async function anvil(): Promise<EmbeddedChain> {
    const dir = mkdtempSync(join(tmpdir(), "eproof-failover-"));
    dirs.push(dir);
    return startAnvil({ dataDir: dir, port: await freePort(), chainId: CHAIN_ID, logger });
  }

  beforeAll(async () => {
    [first, second] = await Promise.all([anvil(), anvil()]);
    deadUrl = `http://127.0.0.1:${await freePort()}`;
    // Accepts connections and never answers: a hung node.
    silent = createServer((socket) => {
      socket.on("data", (chunk) => {
        silentReceived += chunk.length;
      });
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const address = silent.address();
    silentUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  });
  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
    silent?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** Mines a zero-value transfer (gas price 0, so an empty account can send) and returns its hash. */
  async function sendTransfer(provider: FailoverRpcProvider, wallet: HDNodeWallet): Promise<string> {
    const signer = wallet.connect(provider);
    const response = await signer.sendTransaction({ to: wallet.address, value: 0, gasPrice: 0, gasLimit: 21_000 });
    await response.wait(1, 10_000);
    return response.hash;
  }

  async function minedOn(chain: EmbeddedChain, hash: string): Promise<boolean> {
    const response = await fetch(chain.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_getTransactionReceipt", params: [hash] }),
    });
    return ((await response.json()) as { result: unknown }).result !== null;
  }

  it("reads from the next endpoint when the first refuses connections, and reports the dead one", async () => {
    const provider = new FailoverRpcProvider([deadUrl, first.rpcUrl], CHAIN_ID);
    try {
      expect(await provider.getBlockNumber()).toBeGreaterThanOrEqual(0);
      const health = provider.endpointHealth();
      expect(health.map((e) => e.healthy)).toEqual([false, true]);
      expect(health[0]?.lastError).toBeTruthy();
    } finally {
      provider.destroy();
    }
  });

  it("fails over from an endpoint that accepts but never answers, within the timeout", async () => {
    const provider = new FailoverRpcProvider([silentUrl, first.rpcUrl], CHAIN_ID, { timeoutMs: 500 });
    try {
      const started = Date.now();
      expect(Number(await provider.send("eth_chainId", []))).toBe(CHAIN_ID);
      expect(Date.now() - started).toBeLessThan(3_000);
      // The hung endpoint is now cooling down: the next read goes straight to the healthy one, not
      // even trying the hung one first (counted at the hung node, not timed: a busy machine is slow).
      const before = silentReceived;
      expect(before).toBeGreaterThan(0);
      await provider.send("eth_blockNumber", []);
      expect(silentReceived).toBe(before);
    } finally {
      provider.destroy();
    }
  });

  it("sends writes to the first healthy endpoint only, and to the next one while the first is down", async () => {
    let now = 1_000_000;
    const provider = new FailoverRpcProvider([first.rpcUrl, second.rpcUrl], CHAIN_ID, { cooldownMs: 5_000, now: () => now });
    const wallet = Wallet.createRandom();
    try {
      const onFirst = await sendTransfer(provider, wallet);
      expect(await minedOn(first, onFirst)).toBe(true);
      expect(await minedOn(second, onFirst)).toBe(false);

      // The first endpoint is reported down (as after a failure): writes go to the second.
      const down = new FailoverRpcProvider([deadUrl, second.rpcUrl], CHAIN_ID, { cooldownMs: 5_000, now: () => now });
      try {
        const onSecond = await sendTransfer(down, Wallet.createRandom());
        expect(await minedOn(second, onSecond)).toBe(true);
        expect(await minedOn(first, onSecond)).toBe(false);
      } finally {
        down.destroy();
      }

      // Cooldown: a failed endpoint is skipped until it expires, then preferred again.
      now += 10_000;
      expect(provider.endpointHealth().every((e) => e.healthy)).toBe(true);
    } finally {
      provider.destroy();
    }
  });

  it("goes back to the first endpoint once its cooldown has passed", async () => {
    let now = 0;
    const provider = new FailoverRpcProvider([silentUrl, first.rpcUrl], CHAIN_ID, { timeoutMs: 300, cooldownMs: 5_000, now: () => now });
    try {
      await provider.send("eth_blockNumber", []);
      expect(provider.endpointHealth()[0]?.healthy).toBe(false);
      now += 1_000;
      expect(provider.endpointHealth()[0]?.healthy).toBe(false);
      now += 5_000;
      expect(provider.endpointHealth()[0]?.healthy).toBe(true);
      // Tried first again: it still hangs, so it is marked down again and the read still succeeds.
      await provider.send("eth_blockNumber", []);
      expect(provider.endpointHealth()[0]?.healthy).toBe(false);
    } finally {
      provider.destroy();
    }
  });

  it("returns a JSON-RPC error answer as is and does not mark the endpoint down", async () => {
    const provider = new FailoverRpcProvider([first.rpcUrl, second.rpcUrl], CHAIN_ID);
    try {
      await expect(provider.send("eth_noSuchMethod", [])).rejects.toThrow();
      expect(provider.endpointHealth().map((e) => e.healthy)).toEqual([true, true]);
    } finally {
      provider.destroy();
    }
  });

  it("tries every endpoint when all are down and reports CHAIN_UNAVAILABLE for the verify read", async () => {
    const provider = new FailoverRpcProvider([deadUrl, `http://127.0.0.1:${await freePort()}`], CHAIN_ID);
    const ledger = new EthersLedger({
      provider,
      accounts: singleAccount(Wallet.createRandom().connect(provider)),
      documentRegistry: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      chainId: CHAIN_ID,
    });
    try {
      await expect(
        ledger.verificationRecord({
          department: "DEMO",
          root: `0x${"11".repeat(32)}`,
          documentId: "0123456789abcdef0123456789abcdef",
          keyFingerprint: `0x${"22".repeat(32)}`,
        }),
      ).rejects.toMatchObject({ code: "CHAIN_UNAVAILABLE" });
      await expect(provider.getBlockNumber()).rejects.toThrow();
    } finally {
      provider.destroy();
    }
  });

  it("asks every endpoint for its chain id (for the boot check), null where one does not answer", async () => {
    const provider = new FailoverRpcProvider([first.rpcUrl, deadUrl, second.rpcUrl], CHAIN_ID);
    try {
      expect((await provider.chainIds()).map((e) => e.chainId)).toEqual([CHAIN_ID, null, CHAIN_ID]);
    } finally {
      provider.destroy();
    }
  });

  it("never reports an endpoint's credentials", () => {
    expect(redactUrl("https://user:s3cret@rpc.example.gov.hk:8545/path")).toBe("https://rpc.example.gov.hk:8545/path");
    const provider = new FailoverRpcProvider(["https://user:s3cret@rpc.example.gov.hk"], CHAIN_ID);
    expect(JSON.stringify(provider.endpointHealth())).not.toContain("s3cret");
    provider.destroy();
  });
});
