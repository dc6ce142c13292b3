import { Contract, id } from "ethers";
import { describe, expect, it } from "vitest";
import { toBytes32String } from "../../services/adapters/chain/chain-codec.ts";
import { loadArtifact } from "../../services/adapters/chain/contract-artifacts.ts";
import { TransactionSender } from "../../services/adapters/chain/transaction-sender.ts";
import { demoChain } from "./demo-chain.ts";

async function setUp() {
  const { ethers, anchorer, deployed } = await demoChain();
  const provider = ethers.provider;
  const registry = new Contract(deployed.documentRegistry, loadArtifact("DocumentRegistry").abi, provider);
  const anchorArgs = (label: string) => [toBytes32String("DEMO", "department"), toBytes32String("licence", "type"), id(label), 1];
  /** Whether DEMO's record of the root labelled `label` is anchored (batches are recorded per department). */
  const anchored = async (label: string): Promise<boolean> =>
    (await registry.getFunction("batch").staticCall(toBytes32String("DEMO", "department"), id(label))).anchored;
  /** A sender for the anchorer that replaces an attempt not mined within `replaceAfterMs`. */
  const senderReplacingAfter = (replaceAfterMs: number) =>
    new TransactionSender({ provider, signer: anchorer, replaceAfterMs, pollMs: 50, receiptTimeoutMs: 20_000 });
  /** The hashes in the node's pending block. */
  const pending = async () => ((await provider.send("eth_getBlockByNumber", ["pending", false])) as { transactions: string[] }).transactions;
  /** Runs `body` with automining off (transactions wait in the pool until evm_mine), and turns it back on. */
  const withoutAutomine = async (body: () => Promise<void>): Promise<void> => {
    await provider.send("evm_setAutomine", [false]);
    try {
      await body();
    } finally {
      await provider.send("evm_setAutomine", [true]);
    }
  };
  return { provider, anchorer, registry, anchorArgs, anchored, senderReplacingAfter, pending, withoutAutomine };
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("TransactionSender: stuck transactions", () => {
  it("replaces a transaction the node dropped with the same nonce and a higher fee, and returns the replacement's receipt", async () => {
    const { provider, anchorer, registry, anchorArgs, anchored, senderReplacingAfter, pending, withoutAutomine } = await setUp();
    const sender = senderReplacingAfter(300);
    const nonce = await provider.getTransactionCount(anchorer.address, "latest");
    await withoutAutomine(async () => {
      const sending = sender.send(registry, "anchorBatch", anchorArgs("stuck-1"));
      await until(async () => (await pending()).length === 1, "the first attempt in the pool");
      const [firstHash] = await pending();
      const first = await provider.getTransaction(firstHash as string);
      // The node loses it (a restart, a full pool): only a replacement can get the write mined.
      await provider.send("hardhat_dropTransaction", [firstHash]);
      await until(async () => (await pending()).length === 1, "the replacement in the pool");
      await provider.send("evm_mine", []);
      const receipt = await sending;
      const mined = await provider.getTransaction(receipt.txHash);
      expect(receipt.txHash).not.toBe(firstHash);
      expect(mined?.nonce).toBe(nonce);
      expect(first?.nonce).toBe(nonce);
      expect((mined?.maxFeePerGas ?? 0n) > (first?.maxFeePerGas ?? 0n)).toBe(true);
      expect(await provider.getTransactionCount(anchorer.address, "latest")).toBe(nonce + 1);
      expect(await anchored("stuck-1")).toBe(true);
    });
  });

  it("mines exactly one of the attempts sharing a nonce and returns its receipt", async () => {
    const { provider, registry, anchorArgs, anchored, senderReplacingAfter, pending, withoutAutomine } = await setUp();
    const sender = senderReplacingAfter(200);
    await withoutAutomine(async () => {
      const sending = sender.send(registry, "anchorBatch", anchorArgs("slow-1"));
      await until(async () => (await pending()).length === 1, "the first attempt in the pool");
      const [firstHash] = await pending();
      // Past replaceAfterMs a replacement goes out: it takes the first attempt's place in the pool (same nonce: only one can be mined).
      await until(async () => (await pending()).some((hash) => hash !== firstHash), "a replacement in the pool");
      await provider.send("evm_mine", []);
      const receipt = await sending;
      const block = await provider.getBlock(receipt.blockNumber);
      expect(block?.transactions).toHaveLength(1);
      expect(block?.transactions[0]).toBe(receipt.txHash);
      expect(await anchored("slow-1")).toBe(true);
    });
  });

  it("asks to reconcile (CHAIN_UNAVAILABLE) when its nonce was used by a transaction that is none of its attempts", async () => {
    const { provider, anchorer, registry, anchorArgs, anchored, senderReplacingAfter, pending, withoutAutomine } = await setUp();
    const sender = senderReplacingAfter(300);
    const nonce = await provider.getTransactionCount(anchorer.address, "latest");
    await withoutAutomine(async () => {
      const sending = sender.send(registry, "anchorBatch", anchorArgs("orphan-1"));
      sending.catch(() => undefined);
      await until(async () => (await pending()).length === 1, "the first attempt in the pool");
      const [firstHash] = await pending();
      // Someone else (a sender outside the lock) takes the nonce, and that is what gets mined.
      await provider.send("hardhat_dropTransaction", [firstHash]);
      await anchorer.sendTransaction({ to: anchorer.address, value: 0n, nonce, maxFeePerGas: 10n ** 11n, maxPriorityFeePerGas: 10n ** 10n });
      await provider.send("evm_mine", []);
      await expect(sending).rejects.toMatchObject({ code: "CHAIN_UNAVAILABLE", message: expect.stringMatching(/reconcile/) });
      expect(await anchored("orphan-1")).toBe(false);
    });
  });
});
