import { Contract, id } from "ethers";
import hre from "hardhat";
import { describe, expect, it } from "vitest";
import { toBytes32String } from "../../services/adapters/chain/chain-codec.ts";
import { loadArtifact } from "../../services/adapters/chain/contract-artifacts.ts";
import { deployContracts } from "../../services/adapters/chain/deploy.ts";
import { Governance } from "../../services/adapters/chain/governance.ts";
import { TransactionSender } from "../../services/adapters/chain/transaction-sender.ts";

async function setUp() {
  const { ethers } = await hre.network.create();
  const [deployer, anchorer] = await ethers.getSigners();
  if (!deployer || !anchorer) throw new Error("need 2 signers");
  const deployed = await deployContracts(deployer);
  const governance = new Governance(deployer, deployed.issuerRegistry);
  await governance.registerDepartment("DEMO", { en: "Demo", zhHK: "示範" });
  await governance.grantDocumentType("DEMO", "licence", id("licence@1") as `0x${string}`);
  await governance.addAnchorer("DEMO", anchorer.address);
  const registry = new Contract(deployed.documentRegistry, loadArtifact("DocumentRegistry").abi, ethers.provider);
  const anchorArgs = (label: string) => [toBytes32String("DEMO", "department"), toBytes32String("licence", "type"), id(label), 1];
  /** Whether DEMO's record of the root labelled `label` is anchored (batches are recorded per department). */
  const anchored = async (label: string): Promise<boolean> =>
    (await registry.getFunction("batch").staticCall(toBytes32String("DEMO", "department"), id(label))).anchored;
  return { ethers, anchorer, registry, anchorArgs, anchored };
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
    const { ethers, anchorer, registry, anchorArgs, anchored } = await setUp();
    const provider = ethers.provider;
    const sender = new TransactionSender({ provider, signer: anchorer, replaceAfterMs: 300, pollMs: 50, receiptTimeoutMs: 20_000 });
    const nonce = await provider.getTransactionCount(anchorer.address, "latest");
    await provider.send("evm_setAutomine", [false]);
    try {
      const sending = sender.send(registry, "anchorBatch", anchorArgs("stuck-1"));
      const pendingHashes = async () => ((await provider.send("eth_getBlockByNumber", ["pending", false])) as { transactions: string[] }).transactions;
      await until(async () => (await pendingHashes()).length === 1, "the first attempt in the pool");
      const [firstHash] = await pendingHashes();
      const first = await provider.getTransaction(firstHash as string);
      // The node loses it (a restart, a full pool): only a replacement can get the write mined.
      await provider.send("hardhat_dropTransaction", [firstHash]);
      await until(async () => (await pendingHashes()).length === 1, "the replacement in the pool");
      await provider.send("evm_mine", []);
      const receipt = await sending;
      const mined = await provider.getTransaction(receipt.txHash);
      expect(receipt.txHash).not.toBe(firstHash);
      expect(mined?.nonce).toBe(nonce);
      expect(first?.nonce).toBe(nonce);
      expect((mined?.maxFeePerGas ?? 0n) > (first?.maxFeePerGas ?? 0n)).toBe(true);
      expect(await provider.getTransactionCount(anchorer.address, "latest")).toBe(nonce + 1);
      expect(await anchored("stuck-1")).toBe(true);
    } finally {
      await provider.send("evm_setAutomine", [true]);
    }
  });

  it("mines exactly one of the attempts sharing a nonce and returns its receipt", async () => {
    const { ethers, anchorer, registry, anchorArgs, anchored } = await setUp();
    const provider = ethers.provider;
    const sender = new TransactionSender({ provider, signer: anchorer, replaceAfterMs: 200, pollMs: 50, receiptTimeoutMs: 20_000 });
    await provider.send("evm_setAutomine", [false]);
    try {
      const sending = sender.send(registry, "anchorBatch", anchorArgs("slow-1"));
      const pending = async () => ((await provider.send("eth_getBlockByNumber", ["pending", false])) as { transactions: string[] }).transactions;
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
    } finally {
      await provider.send("evm_setAutomine", [true]);
    }
  });

  it("asks to reconcile (CHAIN_UNAVAILABLE) when its nonce was used by a transaction that is none of its attempts", async () => {
    const { ethers, anchorer, registry, anchorArgs, anchored } = await setUp();
    const provider = ethers.provider;
    const sender = new TransactionSender({ provider, signer: anchorer, replaceAfterMs: 300, pollMs: 50, receiptTimeoutMs: 20_000 });
    const nonce = await provider.getTransactionCount(anchorer.address, "latest");
    await provider.send("evm_setAutomine", [false]);
    try {
      const sending = sender.send(registry, "anchorBatch", anchorArgs("orphan-1"));
      sending.catch(() => undefined);
      const pending = async () => ((await provider.send("eth_getBlockByNumber", ["pending", false])) as { transactions: string[] }).transactions;
      await until(async () => (await pending()).length === 1, "the first attempt in the pool");
      const [firstHash] = await pending();
      // Someone else (a sender outside the lock) takes the nonce, and that is what gets mined.
      await provider.send("hardhat_dropTransaction", [firstHash]);
      await anchorer.sendTransaction({ to: anchorer.address, value: 0n, nonce, maxFeePerGas: 10n ** 11n, maxPriorityFeePerGas: 10n ** 10n });
      await provider.send("evm_mine", []);
      await expect(sending).rejects.toMatchObject({ code: "CHAIN_UNAVAILABLE", message: expect.stringMatching(/reconcile/) });
      expect(await anchored("orphan-1")).toBe(false);
    } finally {
      await provider.send("evm_setAutomine", [true]);
    }
  });
});
