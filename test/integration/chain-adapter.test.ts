import { Contract, id, JsonRpcProvider, type Signer, Wallet } from "ethers";
import hre from "hardhat";
import { describe, expect, it } from "vitest";
import { BlockPinnedReads } from "../../services/adapters/chain/block-pinned-reads.ts";
import { toBytes32String } from "../../services/adapters/chain/chain-codec.ts";
import { loadArtifact } from "../../services/adapters/chain/contract-artifacts.ts";
import { deployContracts } from "../../services/adapters/chain/deploy.ts";
import { EthersChainEvents } from "../../services/adapters/chain/ethers-chain-events.ts";
import { type AnchoringAccounts, EthersLedger, singleAccount } from "../../services/adapters/chain/ethers-ledger.ts";
import { Governance } from "../../services/adapters/chain/governance.ts";
import { bloomMayContain } from "../../services/adapters/chain/logs-bloom.ts";
import { quietBlocks } from "../../services/adapters/chain/quiet-blocks.ts";
import { type EProofError, isEProofError } from "../../services/errors.ts";
import type { Hex } from "../../services/ports.ts";

const KEY = id("demo-key-1") as Hex;
const SCHEMA = id("licence@1") as Hex;
const DOC_A = "0123456789abcdef0123456789abcdef";
const DOC_B = "fedcba9876543210fedcba9876543210";

/** What anchorBatch takes for a batch of `count` DEMO licences with Merkle root `root`. */
function demoLicenceBatch(root: Hex, count: number) {
  return { department: "DEMO", docType: "licence", root, count };
}

async function expectEProofError(action: Promise<unknown>, code: string, message?: RegExp): Promise<EProofError> {
  try {
    await action;
  } catch (error) {
    if (!isEProofError(error)) throw error;
    expect(error.code).toBe(code);
    if (message !== undefined) expect(error.message).toMatch(message);
    return error;
  }
  throw new Error(`expected EProofError ${code}, but the call succeeded`);
}

/** Each department's own anchoring account, as key custody gives them to the service. */
function accountsByDepartment(signers: Record<string, Signer>): AnchoringAccounts {
  return {
    signerFor: async (department) => signers[department],
    accountsOf: async (department) => {
      const signer = signers[department];
      return signer === undefined ? [] : [await signer.getAddress()];
    },
  };
}

/**
 * A fresh chain with both registries, DEMO registered with licence (its key valid from the block
 * that registered it), and a ledger anchoring with DEMO's one account.
 */
async function setUp() {
  const { ethers } = await hre.network.create();
  const [deployer, anchorer, stranger, otherAnchorer, secondAnchorer] = await ethers.getSigners();
  if (!deployer || !anchorer || !stranger || !otherAnchorer || !secondAnchorer) throw new Error("need 5 signers");
  const deployed = await deployContracts(deployer);
  const governance = new Governance(deployer, deployed.issuerRegistry);
  await governance.registerDepartment("DEMO", {
    en: "Demo Department",
    zhHK: "示範部門",
  });
  await governance.grantDocumentType("DEMO", "licence", SCHEMA);
  const keyRegistered = await governance.registerSigningKey("DEMO", KEY, 0);
  await governance.addAnchorer("DEMO", anchorer.address);
  const chainId = Number((await ethers.provider.getNetwork()).chainId);
  /** A ledger on this chain's DocumentRegistry that sends from `account`. */
  const ledgerAs = (account: Parameters<typeof singleAccount>[0]) =>
    new EthersLedger({ provider: ethers.provider, accounts: singleAccount(account), documentRegistry: deployed.documentRegistry, chainId });
  const ledger = ledgerAs(anchorer);
  /** OTHER, a second department with the same type, anchoring with an account of its own. */
  const registerOther = async () => {
    await governance.registerDepartment("OTHER", { en: "Other Department", zhHK: "其他部門" });
    await governance.grantDocumentType("OTHER", "licence", SCHEMA);
    await governance.addAnchorer("OTHER", otherAnchorer.address);
  };
  return {
    ethers,
    deployer,
    anchorer,
    stranger,
    otherAnchorer,
    secondAnchorer,
    deployed,
    governance,
    ledger,
    ledgerAs,
    chainId,
    keyValidFrom: keyRegistered.blockTime,
    keyRegisteredBlock: keyRegistered.blockNumber,
    registerOther,
  };
}

describe("chain adapter: deployment and governance", () => {
  it("deploys both registries and reports the deploy block", async () => {
    const { ethers } = await hre.network.create();
    const [deployer, admin] = await ethers.getSigners();
    if (!deployer || !admin) throw new Error("signers");
    const deployed = await deployContracts(deployer, { admin: admin.address });
    expect(deployed.issuerRegistry).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(deployed.documentRegistry).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(deployed.deployBlock).toBeGreaterThan(0);
    expect(deployed.deployedAt).toBe((await ethers.provider.getBlock(deployed.deployBlock + 1))?.timestamp);
    expect(await ethers.provider.getCode(deployed.documentRegistry)).not.toBe("0x");
  });

  it("registers and reads a department, its types, keys and anchorers", async () => {
    const { governance, anchorer, stranger, keyValidFrom } = await setUp();
    const department = await governance.department("DEMO");
    expect(department).toMatchObject({
      code: "DEMO",
      index: 1,
      name: { en: "Demo Department", zhHK: "示範部門" },
      status: "ACTIVE",
    });
    expect(department?.registeredAt).toBeGreaterThan(0);
    expect(await governance.department("NOPE")).toBeNull();
    expect(await governance.documentTypes("DEMO")).toEqual([
      expect.objectContaining({
        type: "licence",
        schemaHash: SCHEMA,
        withdrawnAt: 0,
      }),
    ]);
    // Registered with validFrom 0: valid from the block that registered it.
    expect(keyValidFrom).toBeGreaterThan(0);
    expect(await governance.signingKeys("DEMO")).toEqual([{ thumbprint: KEY, validFrom: keyValidFrom, validUntil: 0, compromisedAt: 0 }]);
    expect(await governance.isAnchorer("DEMO", anchorer.address)).toBe(true);
    expect(await governance.anchorers("DEMO")).toEqual([anchorer.address]);

    await governance.setDepartmentSuspended("DEMO", true);
    expect((await governance.department("DEMO"))?.status).toBe("SUSPENDED");
    await governance.setDepartmentSuspended("DEMO", false);
    await governance.withdrawDocumentType("DEMO", "licence");
    expect((await governance.documentTypes("DEMO"))[0]?.withdrawnAt).toBeGreaterThan(0);
    const future = Math.floor(Date.now() / 1000) + 10 * 365 * 86400;
    await governance.retireSigningKey("DEMO", KEY, future);
    await governance.markKeyCompromised("DEMO", KEY, 1234);
    expect(await governance.signingKeys("DEMO")).toEqual([
      {
        thumbprint: KEY,
        validFrom: keyValidFrom,
        validUntil: future,
        compromisedAt: 1234,
      },
    ]);
    await governance.addAnchorer("DEMO", stranger.address);
    await governance.removeAnchorer("DEMO", anchorer.address);
    expect(await governance.anchorers("DEMO")).toEqual([stranger.address]);
  });

  it("reports a governance refusal as CHAIN_REJECTED naming the custom error", async () => {
    const { governance, ethers, deployed } = await setUp();
    await expectEProofError(governance.registerDepartment("DEMO", { en: "x", zhHK: "y" }), "CHAIN_REJECTED", /IssuerRegistryDepartmentAlreadyRegistered/);
    const [, , stranger] = await ethers.getSigners();
    if (!stranger) throw new Error("signer");
    const asStranger = new Governance(stranger, deployed.issuerRegistry);
    await expectEProofError(asStranger.registerDepartment("OTHER", { en: "x", zhHK: "y" }), "CHAIN_REJECTED", /AccessControlUnauthorizedAccount/);
    await expectEProofError(governance.registerDepartment("X".repeat(40), { en: "x", zhHK: "y" }), "BAD_REQUEST");
  });

  it("refuses an account that already anchors for another department, naming the custom error", async () => {
    const { governance, anchorer, registerOther } = await setUp();
    await registerOther();
    await expectEProofError(governance.addAnchorer("OTHER", anchorer.address), "CHAIN_REJECTED", /IssuerRegistryAnchorerOfAnotherDepartment/);
    expect(await governance.anchorers("OTHER")).not.toContain(anchorer.address);
    expect(await governance.anchorers("DEMO")).toEqual([anchorer.address]);
  });

  it("refuses a signing key backdated before the block time, naming the custom error", async () => {
    const { governance } = await setUp();
    const backdated = (await governance.chainTime()) - 3600;
    await expectEProofError(governance.registerSigningKey("DEMO", id("demo-key-2") as Hex, backdated), "CHAIN_REJECTED", /IssuerRegistrySigningKeyBackdated/);
    expect((await governance.signingKeys("DEMO")).map((k) => k.thumbprint)).toEqual([KEY]);
  });
});

describe("chain adapter: EthersLedger", () => {
  it("anchors a batch and returns the receipt with the block time", async () => {
    const { ledger, ethers, deployed, chainId, anchorer } = await setUp();
    expect(ledger.chainId).toBe(chainId);
    expect(ledger.registryAddress).toBe(deployed.documentRegistry);
    const root = id("batch-1") as Hex;
    const receipt = await ledger.anchorBatch(demoLicenceBatch(root, 1000));
    const block = await ethers.provider.getBlock(receipt.blockNumber);
    expect(receipt.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(receipt.blockTime).toBe(block?.timestamp);
    expect(await ledger.findAnchoredBatch("DEMO", root)).toEqual({
      ...receipt,
      department: "DEMO",
      docType: "licence",
      count: 1000,
      anchorer: anchorer.address,
      sentByUs: true,
    });
    expect(await ledger.findAnchoredBatch("DEMO", id("never") as Hex)).toBeNull();
  });

  it("serialises concurrent writes so their nonces never collide", async () => {
    const { ledger } = await setUp();
    const roots = Array.from({ length: 8 }, (_, i) => id(`concurrent-${i}`) as Hex);
    const receipts = await Promise.all(roots.map((root) => ledger.anchorBatch(demoLicenceBatch(root, 1))));
    expect(new Set(receipts.map((r) => r.txHash)).size).toBe(8);
    for (const root of roots) expect(await ledger.findAnchoredBatch("DEMO", root)).not.toBeNull();
  });

  it("keeps serving writes after one is refused", async () => {
    const { ledger } = await setUp();
    const root = id("batch-x") as Hex;
    const first = ledger.anchorBatch(demoLicenceBatch(root, 1));
    const duplicate = ledger.anchorBatch(demoLicenceBatch(root, 1));
    const next = ledger.anchorBatch(demoLicenceBatch(id("batch-y") as Hex, 1));
    await first;
    await expectEProofError(duplicate, "CHAIN_REJECTED", /DocumentRegistryAlreadyAnchored/);
    await next;
  });

  it("refuses a batch the chain refuses with CHAIN_REJECTED naming the custom error", async () => {
    const { ledger, governance } = await setUp();
    await expectEProofError(
      ledger.anchorBatch({
        department: "DEMO",
        docType: "permit",
        root: id("r") as Hex,
        count: 1,
      }),
      "CHAIN_REJECTED",
      /DocumentRegistryDocumentTypeNotGranted/,
    );
    await governance.setDepartmentSuspended("DEMO", true);
    await expectEProofError(ledger.anchorBatch(demoLicenceBatch(id("r") as Hex, 1)), "CHAIN_REJECTED", /DocumentRegistryDepartmentNotActive/);
    await expectEProofError(ledger.anchorBatch(demoLicenceBatch(id("r") as Hex, 0)), "BAD_REQUEST");
  });

  it("maps the verification record of an anchored, superseded document", async () => {
    const { ledger, governance, keyValidFrom, keyRegisteredBlock } = await setUp();
    const root = id("batch-v") as Hex;
    const anchored = await ledger.anchorBatch(demoLicenceBatch(root, 3));
    const superseded = await ledger.supersede({
      department: "DEMO",
      documentId: DOC_A,
      successorId: DOC_B,
    });
    await governance.markKeyCompromised("DEMO", KEY, anchored.blockTime + 100);
    const record = await ledger.verificationRecord({
      department: "DEMO",
      root,
      documentId: DOC_A,
      keyFingerprint: KEY,
    });
    const grant = (await governance.documentTypes("DEMO"))[0];
    // toStrictEqual: no reasonCode anywhere (the chain records none).
    expect(record).toStrictEqual({
      batch: {
        anchored: true,
        department: "DEMO",
        docType: "licence",
        count: 3,
        blockNumber: anchored.blockNumber,
        anchoredAt: anchored.blockTime,
        status: "ACTIVE",
      },
      document: {
        status: "SUPERSEDED",
        changedAt: superseded.blockTime,
        successor: DOC_B,
      },
      department: { registered: true, suspended: false },
      typeGrant: { grantedAt: grant?.grantedAt, withdrawnAt: 0 },
      key: {
        registered: true,
        validFrom: keyValidFrom,
        validUntil: 0,
        compromisedAt: anchored.blockTime + 100,
        registeredBlock: keyRegisteredBlock,
      },
    });
  });

  it("reads the verification record with exactly one JSON-RPC request", async () => {
    const { ledger, ethers, deployed, chainId } = await setUp();
    const root = id("batch-one-call") as Hex;
    await ledger.anchorBatch(demoLicenceBatch(root, 1));
    const methods: string[] = [];
    const counting = new Proxy(ethers.provider, {
      get(target, property) {
        if (property === "send") {
          return (method: string, params: unknown[]) => {
            methods.push(method);
            return target.send(method, params);
          };
        }
        const value: unknown = Reflect.get(target, property);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    // A read-only ledger (no anchoring accounts), as a public instance or the CLI verifier has.
    const reader = new EthersLedger({
      provider: counting,
      documentRegistry: deployed.documentRegistry,
      chainId,
    });
    const record = await reader.verificationRecord({
      department: "DEMO",
      root,
      documentId: DOC_A,
      keyFingerprint: KEY,
    });
    expect(record.batch.anchored).toBe(true);
    expect(methods).toEqual(["eth_call"]);
  });

  it("maps an unknown root to an empty record", async () => {
    const { ledger } = await setUp();
    const record = await ledger.verificationRecord({
      department: "DEMO",
      root: id("nothing") as Hex,
      documentId: DOC_A,
      keyFingerprint: KEY,
    });
    expect(record.batch).toStrictEqual({
      anchored: false,
      department: "",
      docType: "",
      count: 0,
      blockNumber: 0,
      anchoredAt: 0,
      status: "ACTIVE",
    });
    expect(record.document.successor).toBeNull();
    expect(record.key.registered).toBe(false);
  });

  it("suspends, reinstates and revokes documents, and refuses what the contract refuses", async () => {
    const { ledger } = await setUp();
    const root = id("batch-s") as Hex;
    await ledger.anchorBatch(demoLicenceBatch(root, 2));
    await ledger.changeDocumentStatus({
      department: "DEMO",
      documentIds: [DOC_A, DOC_B],
      status: "SUSPENDED",
    });
    let record = await ledger.verificationRecord({
      department: "DEMO",
      root,
      documentId: DOC_B,
      keyFingerprint: KEY,
    });
    expect(record.document).toMatchObject({
      status: "SUSPENDED",
      successor: null,
    });
    await ledger.changeDocumentStatus({
      department: "DEMO",
      documentIds: [DOC_B],
      status: "ACTIVE",
    });
    const revoked = await ledger.changeDocumentStatus({
      department: "DEMO",
      documentIds: [DOC_A],
      status: "REVOKED",
    });
    record = await ledger.verificationRecord({
      department: "DEMO",
      root,
      documentId: DOC_A,
      keyFingerprint: KEY,
    });
    expect(record.document).toStrictEqual({
      status: "REVOKED",
      changedAt: revoked.blockTime,
      successor: null,
    });
    await expectEProofError(
      ledger.changeDocumentStatus({
        department: "DEMO",
        documentIds: [DOC_A],
        status: "ACTIVE",
      }),
      "CHAIN_REJECTED",
      /DocumentRegistryInvalidDocumentTransition/,
    );
    await expectEProofError(
      ledger.supersede({
        department: "DEMO",
        documentId: DOC_A,
        successorId: DOC_B,
      }),
      "CHAIN_REJECTED",
      /DocumentRegistryInvalidDocumentTransition/,
    );
    await expectEProofError(
      ledger.changeDocumentStatus({
        department: "DEMO",
        documentIds: ["not-an-id"],
        status: "REVOKED",
      }),
      "BAD_REQUEST",
    );
  });

  it("refuses status changes from an account that does not anchor for the department", async () => {
    const { ledgerAs, stranger } = await setUp();
    const ledger = ledgerAs(stranger);
    await expectEProofError(
      ledger.changeDocumentStatus({
        department: "DEMO",
        documentIds: [DOC_A],
        status: "REVOKED",
      }),
      "CHAIN_REJECTED",
      /DocumentRegistryUnauthorizedAnchorer/,
    );
  });

  it("reports CHAIN_UNAVAILABLE when the RPC endpoint is dead", async () => {
    const provider = new JsonRpcProvider("http://127.0.0.1:1", 31337, {
      staticNetwork: true,
    });
    const signer = Wallet.createRandom().connect(provider);
    const ledger = new EthersLedger({
      provider,
      accounts: singleAccount(signer),
      documentRegistry: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      chainId: 31337,
    });
    await expectEProofError(
      ledger.verificationRecord({
        department: "DEMO",
        root: id("r") as Hex,
        documentId: DOC_A,
        keyFingerprint: KEY,
      }),
      "CHAIN_UNAVAILABLE",
    );
    await expectEProofError(ledger.anchorBatch(demoLicenceBatch(id("r") as Hex, 1)), "CHAIN_UNAVAILABLE");
    await expectEProofError(ledger.findAnchoredBatch("DEMO", id("r") as Hex), "CHAIN_UNAVAILABLE");
    provider.destroy();
  });
});

describe("chain adapter: batches recorded per department", () => {
  it("another department anchoring the same root leaves the department's own record untouched", async () => {
    const { ethers, deployed, chainId, anchorer, otherAnchorer, registerOther } = await setUp();
    await registerOther();
    // One ledger for both departments, as the service has: each anchors with its own account.
    const ledger = new EthersLedger({
      provider: ethers.provider,
      accounts: accountsByDepartment({ DEMO: anchorer, OTHER: otherAnchorer }),
      documentRegistry: deployed.documentRegistry,
      chainId,
    });
    const root = id("shared-root") as Hex;
    const ours = await ledger.anchorBatch({ department: "DEMO", docType: "licence", root, count: 3 });
    // Not refused as DocumentRegistryAlreadyAnchored: OTHER fills a record of its own.
    const theirs = await ledger.anchorBatch({ department: "OTHER", docType: "licence", root, count: 7 });
    expect(theirs.txHash).not.toBe(ours.txHash);
    expect((await ethers.provider.getTransaction(ours.txHash))?.from).toBe(anchorer.address);
    expect((await ethers.provider.getTransaction(theirs.txHash))?.from).toBe(otherAnchorer.address);
    await ledger.changeDocumentStatus({ department: "OTHER", documentIds: [DOC_A], status: "REVOKED" });

    expect(await ledger.findAnchoredBatch("DEMO", root)).toEqual({
      ...ours,
      department: "DEMO",
      docType: "licence",
      count: 3,
      anchorer: anchorer.address,
      sentByUs: true,
    });
    expect(await ledger.findAnchoredBatch("OTHER", root)).toEqual({
      ...theirs,
      department: "OTHER",
      docType: "licence",
      count: 7,
      anchorer: otherAnchorer.address,
      sentByUs: true,
    });

    const query = { root, documentId: DOC_A, keyFingerprint: KEY };
    const demo = await ledger.verificationRecord({ ...query, department: "DEMO" });
    expect(demo.batch).toStrictEqual({
      anchored: true,
      department: "DEMO",
      docType: "licence",
      count: 3,
      blockNumber: ours.blockNumber,
      anchoredAt: ours.blockTime,
      status: "ACTIVE",
    });
    // OTHER's revocation of the same document id is OTHER's record, not DEMO's.
    expect(demo.document).toStrictEqual({ status: "ACTIVE", changedAt: 0, successor: null });
    const other = await ledger.verificationRecord({ ...query, department: "OTHER" });
    expect(other.batch).toMatchObject({ anchored: true, department: "OTHER", count: 7, blockNumber: theirs.blockNumber });
    expect(other.document).toMatchObject({ status: "REVOKED" });

    // A third department never anchored it: no record, whoever else did.
    expect(await ledger.findAnchoredBatch("NOPE", root)).toBeNull();
    expect((await ledger.verificationRecord({ ...query, department: "NOPE" })).batch.anchored).toBe(false);
  });

  it("refuses a department's second anchoring of a root it already anchored, whichever of its accounts sends it", async () => {
    const { ledger, ledgerAs, governance, secondAnchorer } = await setUp();
    await governance.addAnchorer("DEMO", secondAnchorer.address);
    const root = id("twice") as Hex;
    await ledger.anchorBatch({ department: "DEMO", docType: "licence", root, count: 3 });
    const second = ledgerAs(secondAnchorer);
    await expectEProofError(
      second.anchorBatch({ department: "DEMO", docType: "licence", root, count: 4 }),
      "CHAIN_REJECTED",
      /DocumentRegistryAlreadyAnchored/,
    );
    expect((await ledger.findAnchoredBatch("DEMO", root))?.count).toBe(3);
  });

  it("findAnchoredBatch reports the anchoring account and whether it is ours", async () => {
    const { ethers, ledger, ledgerAs, governance, deployed, chainId, anchorer, secondAnchorer, stranger } = await setUp();
    await governance.addAnchorer("DEMO", secondAnchorer.address);
    // Another anchoring account of DEMO that this service does not hold (another instance, or the registrar's).
    const elsewhere = ledgerAs(secondAnchorer);
    const byUs = id("by-us") as Hex;
    const byThem = id("by-them") as Hex;
    const oursReceipt = await ledger.anchorBatch({ department: "DEMO", docType: "licence", root: byUs, count: 1 });
    const theirsReceipt = await elsewhere.anchorBatch({ department: "DEMO", docType: "licence", root: byThem, count: 2 });

    expect(await ledger.findAnchoredBatch("DEMO", byUs)).toMatchObject({ txHash: oursReceipt.txHash, anchorer: anchorer.address, sentByUs: true });
    expect(await ledger.findAnchoredBatch("DEMO", byThem)).toEqual({
      ...theirsReceipt,
      department: "DEMO",
      docType: "licence",
      count: 2,
      anchorer: secondAnchorer.address,
      sentByUs: false,
    });

    // An account of ours that has since been replaced (custody lists it, in any case) still makes the batch ours.
    await governance.removeAnchorer("DEMO", anchorer.address);
    await governance.addAnchorer("DEMO", stranger.address);
    const rotated = new EthersLedger({
      provider: ethers.provider,
      accounts: {
        signerFor: async () => stranger,
        accountsOf: async () => [stranger.address, anchorer.address.toLowerCase()],
      },
      documentRegistry: deployed.documentRegistry,
      chainId,
    });
    expect(await rotated.findAnchoredBatch("DEMO", byUs)).toMatchObject({ anchorer: anchorer.address, sentByUs: true });
    expect(await rotated.findAnchoredBatch("DEMO", byThem)).toMatchObject({ anchorer: secondAnchorer.address, sentByUs: false });

    // A read-only ledger holds no account: nothing is ours.
    const reader = new EthersLedger({ provider: ethers.provider, documentRegistry: deployed.documentRegistry, chainId });
    expect(await reader.findAnchoredBatch("DEMO", byUs)).toMatchObject({ anchorer: anchorer.address, sentByUs: false });
  });

  it("records status changes on chain without any reason: the events name the department, the document or batch and the status only", async () => {
    const { ethers, ledger, deployed, anchorer, registerOther, otherAnchorer } = await setUp();
    await registerOther();
    const registry = new Contract(deployed.documentRegistry, loadArtifact("DocumentRegistry").abi, ethers.provider);
    for (const [name, inputs] of [
      ["DocumentStatusChanged", ["department", "documentId", "status"]],
      ["DocumentSuperseded", ["department", "documentId", "successorId"]],
      ["BatchStatusChanged", ["department", "root", "status"]],
    ] as const) {
      expect(registry.interface.getEvent(name)?.inputs.map((input) => input.name)).toEqual(inputs);
    }
    const root = id("events") as Hex;
    const from = (await ethers.provider.getBlockNumber()) + 1;
    await ledger.anchorBatch({ department: "DEMO", docType: "licence", root, count: 2 });
    const asOther = registry.connect(otherAnchorer) as Contract;
    await (await asOther.getFunction("anchorBatch")(toBytes32String("OTHER", "department"), toBytes32String("licence", "type"), root, 9)).wait();
    const suspended = await ledger.changeDocumentStatus({ department: "DEMO", documentIds: [DOC_A], status: "SUSPENDED" });
    const superseded = await ledger.supersede({ department: "DEMO", documentId: DOC_B, successorId: DOC_A });
    // OTHER suspends ITS batch of the shared root: the event names OTHER, and DEMO's batch is untouched.
    const batchTx = await (await asOther.getFunction("changeBatchStatus")(toBytes32String("OTHER", "department"), root, 1)).wait();
    const batchBlock = await ethers.provider.getBlock(batchTx.blockNumber);
    const to = await ethers.provider.getBlockNumber();

    const events = await new EthersChainEvents({ provider: ethers.provider, documentRegistries: [deployed.documentRegistry] }).statusEvents(from, to);
    const registryAddress = deployed.documentRegistry;
    expect(events).toStrictEqual([
      {
        kind: "DOCUMENT_STATUS",
        registry: registryAddress,
        department: "DEMO",
        documentId: DOC_A,
        status: "SUSPENDED",
        successor: null,
        txHash: suspended.txHash,
        logIndex: expect.any(Number),
        blockNumber: suspended.blockNumber,
        blockTime: suspended.blockTime,
      },
      {
        kind: "DOCUMENT_STATUS",
        registry: registryAddress,
        department: "DEMO",
        documentId: DOC_B,
        status: "SUPERSEDED",
        successor: DOC_A,
        txHash: superseded.txHash,
        logIndex: expect.any(Number),
        blockNumber: superseded.blockNumber,
        blockTime: superseded.blockTime,
      },
      {
        kind: "BATCH_STATUS",
        registry: registryAddress,
        root,
        department: "OTHER",
        docType: "licence",
        status: "SUSPENDED",
        txHash: batchTx.hash,
        logIndex: expect.any(Number),
        blockNumber: batchTx.blockNumber,
        blockTime: batchBlock?.timestamp,
      },
    ]);
    expect((await ledger.verificationRecord({ department: "DEMO", root, documentId: DOC_A, keyFingerprint: KEY })).batch.status).toBe("ACTIVE");
    expect((await ethers.provider.getTransaction(suspended.txHash))?.from).toBe(anchorer.address);
  });

  it("reads a verification record from the earlier registry the query names, not only the current one", async () => {
    const { ethers, ledger, deployer, deployed, chainId, anchorer } = await setUp();
    const root = id("in-the-old-registry") as Hex;
    const anchored = await ledger.anchorBatch({ department: "DEMO", docType: "licence", root, count: 1 });
    // A registry move: a new DocumentRegistry against the same IssuerRegistry; the old one stays trusted for what it holds.
    const moved = await deployContracts(deployer, { issuerRegistry: deployed.issuerRegistry });
    expect(moved.issuerRegistry).toBe(deployed.issuerRegistry);
    const current = new EthersLedger({ provider: ethers.provider, accounts: singleAccount(anchorer), documentRegistry: moved.documentRegistry, chainId });
    const query = { department: "DEMO", root, documentId: DOC_A, keyFingerprint: KEY };
    expect((await current.verificationRecord(query)).batch.anchored).toBe(false);
    expect((await current.verificationRecord({ ...query, registry: deployed.documentRegistry })).batch).toMatchObject({
      anchored: true,
      blockNumber: anchored.blockNumber,
    });
  });
});

describe("chain adapter: blocks that changed no verification record", () => {
  it("tells a block that only anchored from blocks that changed a record, through the logs bloom and the registry's logs", async () => {
    const { ledger, ethers, deployed, governance, stranger } = await setUp();
    // Configured with a wrong IssuerRegistry: the one the DocumentRegistry reads on chain is watched all the same.
    const carry = quietBlocks(ledger, { current: deployed.documentRegistry, earlier: [], issuerRegistries: [stranger.address as Hex] });
    const header = (receipt: { blockNumber: number }) => ledger.headerAt(receipt.blockNumber);

    const anchored = await header(await ledger.anchorBatch(demoLicenceBatch(id("batch-q1") as Hex, 2)));
    expect(anchored.logsBloom).toMatch(/^0x[0-9a-f]{512}$/);
    expect(bloomMayContain(anchored.logsBloom as Hex, deployed.documentRegistry)).toBe(true);
    expect(bloomMayContain(anchored.logsBloom as Hex, deployed.issuerRegistry)).toBe(false);
    expect(await carry.changesNoRecord(anchored)).toBe(true);

    // A block without any log of the registries.
    const transfer = await (await stranger.sendTransaction({ to: stranger.address, value: 1n })).wait();
    const plain = await ledger.headerAt(Number(transfer?.blockNumber));
    expect(plain.parentHash).toBe(anchored.hash);
    expect(await carry.changesNoRecord(plain)).toBe(true);

    const statusChanged = await header(await ledger.changeDocumentStatus({ department: "DEMO", documentIds: [DOC_A], status: "SUSPENDED" }));
    expect(await carry.changesNoRecord(statusChanged)).toBe(false);
    const superseded = await header(await ledger.supersede({ department: "DEMO", documentId: DOC_B, successorId: DOC_A }));
    expect(await carry.changesNoRecord(superseded)).toBe(false);
    const compromised = await header(await governance.markKeyCompromised("DEMO", KEY, Math.floor(Date.now() / 1000)));
    expect(await carry.changesNoRecord(compromised)).toBe(false);
    const suspended = await header(await governance.setDepartmentSuspended("DEMO", true));
    expect(await carry.changesNoRecord(suspended)).toBe(false);
    // A header without its bloom proves nothing.
    expect(await carry.changesNoRecord({ number: anchored.number, hash: anchored.hash })).toBe(false);
    void ethers;
  });

  it("serves a verification answer at the next block when that block only anchored, and reads afresh after a revocation", async () => {
    const { ledger, ethers, deployed } = await setUp();
    const root = id("batch-carried") as Hex;
    await ledger.anchorBatch(demoLicenceBatch(root, 2));
    const calls: string[] = [];
    const counting = new Proxy(ethers.provider, {
      get(target, property) {
        if (property === "send") {
          return (method: string, params: unknown[]) => {
            calls.push(method);
            return target.send(method, params);
          };
        }
        const value: unknown = Reflect.get(target, property);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const reader = new EthersLedger({ provider: counting, documentRegistry: deployed.documentRegistry, chainId: ledger.chainId });
    let now = 0;
    const carry = quietBlocks(reader, { current: deployed.documentRegistry, earlier: [], issuerRegistries: [deployed.issuerRegistry] });
    const reads = new BlockPinnedReads(reader, { freshMs: 50, now: () => now, carry });
    const query = { department: "DEMO", root, documentId: DOC_A, keyFingerprint: KEY };
    const first = await reads.verificationRecord(query);
    expect(first.document.status).toBe("ACTIVE");
    // The IssuerRegistry the registry reads is looked up once, at the first check.
    await carry.changesNoRecord(await reader.head());
    const anchoredNext = await ledger.anchorBatch(demoLicenceBatch(id("batch-next") as Hex, 1));
    now += 50;
    calls.length = 0;
    const carried = await reads.verificationRecord(query);
    expect(carried.readAt?.blockNumber).toBe(anchoredNext.blockNumber);
    expect(calls).not.toContain("eth_call");
    expect(carried.document).toEqual(first.document);
    const revoked = await ledger.changeDocumentStatus({ department: "DEMO", documentIds: [DOC_A], status: "REVOKED" });
    now += 50;
    const after = await reads.verificationRecord(query);
    expect(after.readAt?.blockNumber).toBe(revoked.blockNumber);
    expect(after.document.status).toBe("REVOKED");
  });
});
