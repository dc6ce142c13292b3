import { id, JsonRpcProvider, Wallet } from "ethers";
import hre from "hardhat";
import { describe, expect, it } from "vitest";
import { deployContracts } from "../../services/adapters/chain/deploy.ts";
import { EthersLedger } from "../../services/adapters/chain/ethers-ledger.ts";
import { Governance } from "../../services/adapters/chain/governance.ts";
import { type EProofError, isEProofError } from "../../services/errors.ts";
import type { Hex } from "../../services/ports.ts";

const KEY = id("demo-key-1") as Hex;
const SCHEMA = id("licence@1") as Hex;
const DOC_A = "0123456789abcdef0123456789abcdef";
const DOC_B = "fedcba9876543210fedcba9876543210";

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

/** A fresh chain with both registries, DEMO registered with licence, and an anchoring ledger. */
async function setUp() {
  const { ethers } = await hre.network.create();
  const [deployer, anchorer, stranger] = await ethers.getSigners();
  if (!deployer || !anchorer || !stranger) throw new Error("need 3 signers");
  const deployed = await deployContracts(deployer);
  const governance = new Governance(deployer, deployed.issuerRegistry);
  await governance.registerDepartment("DEMO", {
    en: "Demo Department",
    zhHK: "示範部門",
  });
  await governance.grantDocumentType("DEMO", "licence", SCHEMA);
  await governance.registerSigningKey("DEMO", KEY, 1);
  await governance.addAnchorer("DEMO", anchorer.address);
  const chainId = Number((await ethers.provider.getNetwork()).chainId);
  const ledger = new EthersLedger({
    provider: ethers.provider,
    signer: anchorer,
    documentRegistry: deployed.documentRegistry,
    chainId,
  });
  return {
    ethers,
    deployer,
    anchorer,
    stranger,
    deployed,
    governance,
    ledger,
    chainId,
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
    expect(await ethers.provider.getCode(deployed.documentRegistry)).not.toBe("0x");
  });

  it("registers and reads a department, its types, keys and anchorers", async () => {
    const { governance, anchorer, stranger } = await setUp();
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
    expect(await governance.signingKeys("DEMO")).toEqual([{ thumbprint: KEY, validFrom: 1, validUntil: 0, compromisedAt: 0 }]);
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
        validFrom: 1,
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
});

describe("chain adapter: EthersLedger", () => {
  it("anchors a batch and returns the receipt with the block time", async () => {
    const { ledger, ethers, deployed, chainId } = await setUp();
    expect(ledger.chainId).toBe(chainId);
    expect(ledger.registryAddress).toBe(deployed.documentRegistry);
    const root = id("batch-1") as Hex;
    const receipt = await ledger.anchorBatch({
      department: "DEMO",
      docType: "licence",
      root,
      count: 1000,
    });
    const block = await ethers.provider.getBlock(receipt.blockNumber);
    expect(receipt.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(receipt.blockTime).toBe(block?.timestamp);
    expect(await ledger.findAnchoredBatch(root)).toEqual(receipt);
    expect(await ledger.findAnchoredBatch(id("never") as Hex)).toBeNull();
  });

  it("serialises concurrent writes so their nonces never collide", async () => {
    const { ledger } = await setUp();
    const roots = Array.from({ length: 8 }, (_, i) => id(`concurrent-${i}`) as Hex);
    const receipts = await Promise.all(
      roots.map((root) =>
        ledger.anchorBatch({
          department: "DEMO",
          docType: "licence",
          root,
          count: 1,
        }),
      ),
    );
    expect(new Set(receipts.map((r) => r.txHash)).size).toBe(8);
    for (const root of roots) expect(await ledger.findAnchoredBatch(root)).not.toBeNull();
  });

  it("keeps serving writes after one is refused", async () => {
    const { ledger } = await setUp();
    const root = id("batch-x") as Hex;
    const first = ledger.anchorBatch({
      department: "DEMO",
      docType: "licence",
      root,
      count: 1,
    });
    const duplicate = ledger.anchorBatch({
      department: "DEMO",
      docType: "licence",
      root,
      count: 1,
    });
    const next = ledger.anchorBatch({
      department: "DEMO",
      docType: "licence",
      root: id("batch-y") as Hex,
      count: 1,
    });
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
    await expectEProofError(
      ledger.anchorBatch({
        department: "DEMO",
        docType: "licence",
        root: id("r") as Hex,
        count: 1,
      }),
      "CHAIN_REJECTED",
      /DocumentRegistryDepartmentNotActive/,
    );
    await expectEProofError(
      ledger.anchorBatch({
        department: "DEMO",
        docType: "licence",
        root: id("r") as Hex,
        count: 0,
      }),
      "BAD_REQUEST",
    );
  });

  it("maps the verification record of an anchored, superseded document", async () => {
    const { ledger, governance } = await setUp();
    const root = id("batch-v") as Hex;
    const anchored = await ledger.anchorBatch({
      department: "DEMO",
      docType: "licence",
      root,
      count: 3,
    });
    const superseded = await ledger.supersede({
      department: "DEMO",
      documentId: DOC_A,
      successorId: DOC_B,
      reasonCode: 7,
    });
    await governance.markKeyCompromised("DEMO", KEY, anchored.blockTime + 100);
    const record = await ledger.verificationRecord({
      root,
      documentId: DOC_A,
      keyFingerprint: KEY,
    });
    const grant = (await governance.documentTypes("DEMO"))[0];
    expect(record).toEqual({
      batch: {
        anchored: true,
        department: "DEMO",
        docType: "licence",
        count: 3,
        blockNumber: anchored.blockNumber,
        anchoredAt: anchored.blockTime,
        status: "ACTIVE",
        reasonCode: 0,
      },
      document: {
        status: "SUPERSEDED",
        reasonCode: 7,
        changedAt: superseded.blockTime,
        successor: DOC_B,
      },
      department: { registered: true, suspended: false },
      typeGrant: { grantedAt: grant?.grantedAt, withdrawnAt: 0 },
      key: {
        registered: true,
        validFrom: 1,
        validUntil: 0,
        compromisedAt: anchored.blockTime + 100,
      },
    });
  });

  it("reads the verification record with exactly one JSON-RPC request", async () => {
    const { ledger, ethers, deployed, chainId, anchorer } = await setUp();
    const root = id("batch-one-call") as Hex;
    await ledger.anchorBatch({
      department: "DEMO",
      docType: "licence",
      root,
      count: 1,
    });
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
    const reader = new EthersLedger({
      provider: counting,
      signer: anchorer,
      documentRegistry: deployed.documentRegistry,
      chainId,
    });
    const record = await reader.verificationRecord({
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
      root: id("nothing") as Hex,
      documentId: DOC_A,
      keyFingerprint: KEY,
    });
    expect(record.batch).toEqual({
      anchored: false,
      department: "",
      docType: "",
      count: 0,
      blockNumber: 0,
      anchoredAt: 0,
      status: "ACTIVE",
      reasonCode: 0,
    });
    expect(record.document.successor).toBeNull();
    expect(record.key.registered).toBe(false);
  });

  it("suspends, reinstates and revokes documents, and refuses what the contract refuses", async () => {
    const { ledger } = await setUp();
    const root = id("batch-s") as Hex;
    await ledger.anchorBatch({
      department: "DEMO",
      docType: "licence",
      root,
      count: 2,
    });
    await ledger.changeDocumentStatus({
      department: "DEMO",
      documentIds: [DOC_A, DOC_B],
      status: "SUSPENDED",
      reasonCode: 1,
    });
    let record = await ledger.verificationRecord({
      root,
      documentId: DOC_B,
      keyFingerprint: KEY,
    });
    expect(record.document).toMatchObject({
      status: "SUSPENDED",
      reasonCode: 1,
      successor: null,
    });
    await ledger.changeDocumentStatus({
      department: "DEMO",
      documentIds: [DOC_B],
      status: "ACTIVE",
      reasonCode: 2,
    });
    const revoked = await ledger.changeDocumentStatus({
      department: "DEMO",
      documentIds: [DOC_A],
      status: "REVOKED",
      reasonCode: 3,
    });
    record = await ledger.verificationRecord({
      root,
      documentId: DOC_A,
      keyFingerprint: KEY,
    });
    expect(record.document).toEqual({
      status: "REVOKED",
      reasonCode: 3,
      changedAt: revoked.blockTime,
      successor: null,
    });
    await expectEProofError(
      ledger.changeDocumentStatus({
        department: "DEMO",
        documentIds: [DOC_A],
        status: "ACTIVE",
        reasonCode: 0,
      }),
      "CHAIN_REJECTED",
      /DocumentRegistryInvalidDocumentTransition/,
    );
    await expectEProofError(
      ledger.supersede({
        department: "DEMO",
        documentId: DOC_A,
        successorId: DOC_B,
        reasonCode: 0,
      }),
      "CHAIN_REJECTED",
      /DocumentRegistryInvalidDocumentTransition/,
    );
    await expectEProofError(
      ledger.changeDocumentStatus({
        department: "DEMO",
        documentIds: ["not-an-id"],
        status: "REVOKED",
        reasonCode: 0,
      }),
      "BAD_REQUEST",
    );
  });

  it("refuses status changes from an account that does not anchor for the department", async () => {
    const { ethers, stranger, deployed, chainId } = await setUp();
    const ledger = new EthersLedger({
      provider: ethers.provider,
      signer: stranger,
      documentRegistry: deployed.documentRegistry,
      chainId,
    });
    await expectEProofError(
      ledger.changeDocumentStatus({
        department: "DEMO",
        documentIds: [DOC_A],
        status: "REVOKED",
        reasonCode: 0,
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
      signer,
      documentRegistry: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      chainId: 31337,
    });
    await expectEProofError(
      ledger.verificationRecord({
        root: id("r") as Hex,
        documentId: DOC_A,
        keyFingerprint: KEY,
      }),
      "CHAIN_UNAVAILABLE",
    );
    await expectEProofError(
      ledger.anchorBatch({
        department: "DEMO",
        docType: "licence",
        root: id("r") as Hex,
        count: 1,
      }),
      "CHAIN_UNAVAILABLE",
    );
    await expectEProofError(ledger.findAnchoredBatch(id("r") as Hex), "CHAIN_UNAVAILABLE");
    provider.destroy();
  });
});
