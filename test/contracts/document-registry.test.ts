import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { id, ZeroAddress, ZeroHash } from "ethers";
import { describe, expect, it } from "vitest";
import { expectEvents, expectRevert } from "./expect-revert.ts";
import {
  ADMIN_DELAY,
  DEMO,
  deployFixture,
  documentId,
  KEY_1,
  KEY_2,
  LICENCE,
  LICENCE_SCHEMA,
  OTHER,
  PERMIT,
  readyFixture,
  root,
  Status,
  type TestContract,
} from "./fixture.ts";

const ZERO_ID = `0x${"0".repeat(32)}`;

describe("DocumentRegistry: deployment", () => {
  it("names its IssuerRegistry, its admin and the admin delay, and refuses a zero registry or admin", async () => {
    const { ethers, admin, issuerRegistry, documentRegistry } = await deployFixture();
    expect(await documentRegistry.issuerRegistry()).toBe(await issuerRegistry.getAddress());
    expect(await documentRegistry.defaultAdmin()).toBe(admin.address);
    expect(await documentRegistry.hasRole(ZeroHash, admin.address)).toBe(true);
    expect(await documentRegistry.defaultAdminDelay()).toBe(BigInt(ADMIN_DELAY));
    expect(await documentRegistry.anchoringClosedAt()).toBe(0n);
    const factory = await ethers.getContractFactory("DocumentRegistry");
    await expectRevert(factory.deploy(ZeroAddress, ADMIN_DELAY, admin.address), documentRegistry, "DocumentRegistryZeroIssuerRegistry");
    await expectRevert(factory.deploy(await issuerRegistry.getAddress(), ADMIN_DELAY, ZeroAddress), documentRegistry, "AccessControlInvalidDefaultAdmin", [
      ZeroAddress,
    ]);
  });
});

describe("DocumentRegistry: anchoring", () => {
  it("anchors a batch under (department, root) and emits BatchAnchored with the anchorer", async () => {
    const { asAnchorer, anchorer, documentRegistry, blockTime } = await readyFixture();
    const receipt = await (await asAnchorer.anchorBatch(DEMO, LICENCE, root(1), 1000)).wait();
    expectEvents(receipt, documentRegistry, "BatchAnchored", [[DEMO, root(1), LICENCE, 1000n, anchorer.address]]);
    const batch = await documentRegistry.batch(DEMO, root(1));
    expect(batch.anchored).toBe(true);
    expect(batch.department).toBe(DEMO);
    expect(batch.docType).toBe(LICENCE);
    expect(batch.count).toBe(1000n);
    expect(batch.blockNumber).toBe(BigInt(receipt.blockNumber));
    expect(batch.anchoredAt).toBe(await blockTime());
    expect(batch.status).toBe(Status.Active);
    const absent = await documentRegistry.batch(DEMO, root(2));
    expect(absent.anchored).toBe(false);
    expect(absent.department).toBe(ZeroHash);
    // The root is DEMO's: no other department has a batch under it.
    expect((await documentRegistry.batch(OTHER, root(1))).anchored).toBe(false);
  });

  it("refuses a department anchoring the same root twice", async () => {
    const { asAnchorer, documentRegistry } = await readyFixture();
    await (await asAnchorer.anchorBatch(DEMO, LICENCE, root(1), 1)).wait();
    await expectRevert(asAnchorer.anchorBatch(DEMO, LICENCE, root(1), 1), documentRegistry, "DocumentRegistryAlreadyAnchored", [DEMO, root(1)]);
  });

  it("refuses a zero root and an empty batch", async () => {
    const { asAnchorer, documentRegistry } = await readyFixture();
    await expectRevert(asAnchorer.anchorBatch(DEMO, LICENCE, ZeroHash, 1), documentRegistry, "DocumentRegistryZeroRoot", [DEMO]);
    await expectRevert(asAnchorer.anchorBatch(DEMO, LICENCE, root(1), 0), documentRegistry, "DocumentRegistryEmptyBatch", [DEMO, root(1)]);
  });

  it("refuses an account that does not anchor for the department", async () => {
    const { documentRegistry, stranger, asAnchorer, anchorer } = await readyFixture();
    await expectRevert(
      (documentRegistry.connect(stranger) as TestContract).anchorBatch(DEMO, LICENCE, root(1), 1),
      documentRegistry,
      "DocumentRegistryUnauthorizedAnchorer",
      [DEMO, stranger.address],
    );
    await expectRevert(asAnchorer.anchorBatch(OTHER, LICENCE, root(1), 1), documentRegistry, "DocumentRegistryUnauthorizedAnchorer", [OTHER, anchorer.address]);
    await expectRevert(asAnchorer.anchorBatch(ZeroHash, LICENCE, root(1), 1), documentRegistry, "DocumentRegistryUnauthorizedAnchorer", [
      ZeroHash,
      anchorer.address,
    ]);
  });

  it("refuses to anchor for a suspended department, and anchors again once it is reinstated", async () => {
    const { asAnchorer, asRegistrar, documentRegistry } = await readyFixture();
    await (await asRegistrar.setDepartmentSuspended(DEMO, true)).wait();
    await expectRevert(asAnchorer.anchorBatch(DEMO, LICENCE, root(1), 1), documentRegistry, "DocumentRegistryDepartmentNotActive", [DEMO]);
    await (await asRegistrar.setDepartmentSuspended(DEMO, false)).wait();
    await (await asAnchorer.anchorBatch(DEMO, LICENCE, root(1), 1)).wait();
  });

  it("refuses a type never granted or withdrawn", async () => {
    const { asAnchorer, asRegistrar, documentRegistry } = await readyFixture();
    await expectRevert(asAnchorer.anchorBatch(DEMO, PERMIT, root(1), 1), documentRegistry, "DocumentRegistryDocumentTypeNotGranted", [DEMO, PERMIT]);
    await (await asRegistrar.withdrawDocumentType(DEMO, LICENCE)).wait();
    await expectRevert(asAnchorer.anchorBatch(DEMO, LICENCE, root(1), 1), documentRegistry, "DocumentRegistryDocumentTypeNotGranted", [DEMO, LICENCE]);
    await (await asRegistrar.grantDocumentType(DEMO, LICENCE, LICENCE_SCHEMA)).wait();
    await (await asAnchorer.anchorBatch(DEMO, LICENCE, root(1), 1)).wait();
  });

  it("costs the same gas for 1 and 100,000 documents", async () => {
    const { asAnchorer } = await readyFixture();
    const one = await (await asAnchorer.anchorBatch(DEMO, LICENCE, root(1), 1)).wait();
    const many = await (await asAnchorer.anchorBatch(DEMO, LICENCE, root(2), 100_000)).wait();
    expect(many.gasUsed - one.gasUsed).toBeLessThan(100n);
    // 61,596 with solc 0.8.28 / 200 runs (npm run gas shows where it goes).
    expect(one.gasUsed).toBeLessThan(63_000n);
  });
});

describe("DocumentRegistry: closing anchoring", () => {
  it("lets the admin close anchoring once; anchoring then reverts with the closing time", async () => {
    const { admin, asAnchorer, documentRegistry, blockTime } = await readyFixture();
    const asAdmin = documentRegistry.connect(admin) as TestContract;
    const receipt = await (await asAdmin.closeAnchoring()).wait();
    const closedAt = await blockTime();
    expectEvents(receipt, documentRegistry, "AnchoringClosed", [[closedAt]]);
    expect(await documentRegistry.anchoringClosedAt()).toBe(closedAt);
    await expectRevert(asAnchorer.anchorBatch(DEMO, LICENCE, root(1), 1), documentRegistry, "DocumentRegistryAnchoringClosed", [closedAt]);
    await expectRevert(asAdmin.closeAnchoring(), documentRegistry, "DocumentRegistryAnchoringClosed", [closedAt]);
  });

  it("refuses closeAnchoring from anyone but the admin, the registrar and anchorers included", async () => {
    const { registrar, anchorer, stranger, documentRegistry } = await readyFixture();
    for (const account of [registrar, anchorer, stranger]) {
      await expectRevert((documentRegistry.connect(account) as TestContract).closeAnchoring(), documentRegistry, "AccessControlUnauthorizedAccount", [
        account.address,
        ZeroHash,
      ]);
    }
    expect(await documentRegistry.anchoringClosedAt()).toBe(0n);
  });

  it("still lets a department change the statuses of what it anchored before the closing", async () => {
    const { admin, asAnchorer, documentRegistry } = await readyFixture();
    await (await asAnchorer.anchorBatch(DEMO, LICENCE, root(1), 3)).wait();
    await (await (documentRegistry.connect(admin) as TestContract).closeAnchoring()).wait();
    await (await asAnchorer.changeBatchStatus(DEMO, root(1), Status.Suspended)).wait();
    await (await asAnchorer.changeDocumentStatus(DEMO, [documentId(1)], Status.Revoked)).wait();
    await (await asAnchorer.supersede(DEMO, documentId(2), documentId(3))).wait();
    expect((await documentRegistry.batch(DEMO, root(1))).status).toBe(Status.Suspended);
    expect((await documentRegistry.documentStatus(DEMO, documentId(1))).status).toBe(Status.Revoked);
    expect((await documentRegistry.documentStatus(DEMO, documentId(2))).status).toBe(Status.Superseded);
    // And what was anchored stays verifiable.
    expect((await documentRegistry.verificationRecord(DEMO, root(1), documentId(4), KEY_1)).batch.anchored).toBe(true);
  });
});

describe("DocumentRegistry: document status", () => {
  it("suspends, reinstates and revokes many documents in one call, with events and times", async () => {
    const { asAnchorer, documentRegistry, blockTime } = await readyFixture();
    const ids = [documentId(1), documentId(2), documentId(3)];
    const suspended = await (await asAnchorer.changeDocumentStatus(DEMO, ids, Status.Suspended)).wait();
    expectEvents(
      suspended,
      documentRegistry,
      "DocumentStatusChanged",
      ids.map((id) => [DEMO, id, Status.Suspended]),
    );
    const state = await documentRegistry.documentStatus(DEMO, ids[1]);
    expect([state.status, state.changedAt, state.successor]).toEqual([Status.Suspended, await blockTime(), ZERO_ID]);
    const reinstated = await (await asAnchorer.changeDocumentStatus(DEMO, [ids[0]], Status.Active)).wait();
    expectEvents(reinstated, documentRegistry, "DocumentStatusChanged", [[DEMO, ids[0], Status.Active]]);
    await (await asAnchorer.changeDocumentStatus(DEMO, ids, Status.Revoked)).wait();
    expect((await documentRegistry.documentStatus(DEMO, ids[2])).status).toBe(Status.Revoked);
    // The same id in another department is a different document.
    expect((await documentRegistry.documentStatus(OTHER, ids[2])).status).toBe(Status.Active);
  });

  it("refuses to reinstate an active document, suspend a suspended one, or change a revoked one", async () => {
    const { asAnchorer, documentRegistry } = await readyFixture();
    const a = documentId(1);
    await expectRevert(asAnchorer.changeDocumentStatus(DEMO, [a], Status.Active), documentRegistry, "DocumentRegistryInvalidDocumentTransition", [
      DEMO,
      a,
      Status.Active,
      Status.Active,
    ]);
    await (await asAnchorer.changeDocumentStatus(DEMO, [a], Status.Suspended)).wait();
    await expectRevert(asAnchorer.changeDocumentStatus(DEMO, [a], Status.Suspended), documentRegistry, "DocumentRegistryInvalidDocumentTransition", [
      DEMO,
      a,
      Status.Suspended,
      Status.Suspended,
    ]);
    await (await asAnchorer.changeDocumentStatus(DEMO, [a], Status.Revoked)).wait();
    for (const to of [Status.Active, Status.Suspended, Status.Revoked]) {
      await expectRevert(asAnchorer.changeDocumentStatus(DEMO, [a], to), documentRegistry, "DocumentRegistryInvalidDocumentTransition", [
        DEMO,
        a,
        Status.Revoked,
        to,
      ]);
    }
  });

  it("refuses Superseded through changeDocumentStatus", async () => {
    const { asAnchorer, documentRegistry } = await readyFixture();
    const a = documentId(1);
    await expectRevert(asAnchorer.changeDocumentStatus(DEMO, [a], Status.Superseded), documentRegistry, "DocumentRegistryInvalidDocumentTransition", [
      DEMO,
      a,
      Status.Active,
      Status.Superseded,
    ]);
  });

  it("applies all changes of a call or none", async () => {
    const { asAnchorer, documentRegistry } = await readyFixture();
    const [a, b] = [documentId(1), documentId(2)];
    await (await asAnchorer.changeDocumentStatus(DEMO, [b], Status.Revoked)).wait();
    await expectRevert(asAnchorer.changeDocumentStatus(DEMO, [a, b], Status.Suspended), documentRegistry, "DocumentRegistryInvalidDocumentTransition", [
      DEMO,
      b,
      Status.Revoked,
      Status.Suspended,
    ]);
    expect((await documentRegistry.documentStatus(DEMO, a)).status).toBe(Status.Active);
  });

  it("refuses an empty list and a zero document id", async () => {
    const { asAnchorer, documentRegistry } = await readyFixture();
    await expectRevert(asAnchorer.changeDocumentStatus(DEMO, [], Status.Revoked), documentRegistry, "DocumentRegistryNoDocuments", [DEMO]);
    await expectRevert(asAnchorer.changeDocumentStatus(DEMO, [ZERO_ID], Status.Revoked), documentRegistry, "DocumentRegistryZeroDocumentId", [DEMO]);
  });

  it("refuses status changes from an account that does not anchor for the department", async () => {
    const { documentRegistry, stranger, asRegistrar, anchorer, asAnchorer } = await readyFixture();
    const asStranger = documentRegistry.connect(stranger) as TestContract;
    await expectRevert(asStranger.changeDocumentStatus(DEMO, [documentId(1)], Status.Revoked), documentRegistry, "DocumentRegistryUnauthorizedAnchorer", [
      DEMO,
      stranger.address,
    ]);
    await expectRevert(asStranger.supersede(DEMO, documentId(1), documentId(2)), documentRegistry, "DocumentRegistryUnauthorizedAnchorer", [
      DEMO,
      stranger.address,
    ]);
    await (await asRegistrar.removeAnchorer(DEMO, anchorer.address)).wait();
    await expectRevert(asAnchorer.changeDocumentStatus(DEMO, [documentId(1)], Status.Revoked), documentRegistry, "DocumentRegistryUnauthorizedAnchorer", [
      DEMO,
      anchorer.address,
    ]);
  });

  it("lets a suspended department still revoke its documents", async () => {
    const { asAnchorer, asRegistrar, documentRegistry } = await readyFixture();
    await (await asRegistrar.setDepartmentSuspended(DEMO, true)).wait();
    await (await asAnchorer.changeDocumentStatus(DEMO, [documentId(1)], Status.Revoked)).wait();
    expect((await documentRegistry.documentStatus(DEMO, documentId(1))).status).toBe(Status.Revoked);
  });
});

describe("DocumentRegistry: supersession", () => {
  it("supersedes a document with a successor link and emits DocumentSuperseded", async () => {
    const { asAnchorer, documentRegistry, blockTime } = await readyFixture();
    const receipt = await (await asAnchorer.supersede(DEMO, documentId(1), documentId(2))).wait();
    expectEvents(receipt, documentRegistry, "DocumentSuperseded", [[DEMO, documentId(1), documentId(2)]]);
    const state = await documentRegistry.documentStatus(DEMO, documentId(1));
    expect([state.status, state.changedAt, state.successor]).toEqual([Status.Superseded, await blockTime(), documentId(2)]);
  });

  it("supersedes a suspended document but never a superseded or revoked one", async () => {
    const { asAnchorer, documentRegistry } = await readyFixture();
    const [a, b, c] = [documentId(1), documentId(2), documentId(3)];
    await (await asAnchorer.changeDocumentStatus(DEMO, [a], Status.Suspended)).wait();
    await (await asAnchorer.supersede(DEMO, a, b)).wait();
    await expectRevert(asAnchorer.supersede(DEMO, a, c), documentRegistry, "DocumentRegistryInvalidDocumentTransition", [
      DEMO,
      a,
      Status.Superseded,
      Status.Superseded,
    ]);
    await expectRevert(asAnchorer.changeDocumentStatus(DEMO, [a], Status.Revoked), documentRegistry, "DocumentRegistryInvalidDocumentTransition", [
      DEMO,
      a,
      Status.Superseded,
      Status.Revoked,
    ]);
    await (await asAnchorer.changeDocumentStatus(DEMO, [c], Status.Revoked)).wait();
    await expectRevert(asAnchorer.supersede(DEMO, c, b), documentRegistry, "DocumentRegistryInvalidDocumentTransition", [
      DEMO,
      c,
      Status.Revoked,
      Status.Superseded,
    ]);
  });

  it("refuses a zero id, a zero successor and a document superseding itself", async () => {
    const { asAnchorer, documentRegistry } = await readyFixture();
    await expectRevert(asAnchorer.supersede(DEMO, ZERO_ID, documentId(2)), documentRegistry, "DocumentRegistryZeroDocumentId", [DEMO]);
    await expectRevert(asAnchorer.supersede(DEMO, documentId(1), ZERO_ID), documentRegistry, "DocumentRegistryInvalidSuccessor", [
      DEMO,
      documentId(1),
      ZERO_ID,
    ]);
    await expectRevert(asAnchorer.supersede(DEMO, documentId(1), documentId(1)), documentRegistry, "DocumentRegistryInvalidSuccessor", [
      DEMO,
      documentId(1),
      documentId(1),
    ]);
  });
});

describe("DocumentRegistry: batch status", () => {
  it("suspends, reinstates and revokes a batch with events", async () => {
    const { asAnchorer, documentRegistry } = await readyFixture();
    await (await asAnchorer.anchorBatch(DEMO, LICENCE, root(1), 10)).wait();
    const suspended = await (await asAnchorer.changeBatchStatus(DEMO, root(1), Status.Suspended)).wait();
    expectEvents(suspended, documentRegistry, "BatchStatusChanged", [[DEMO, root(1), Status.Suspended]]);
    let batch = await documentRegistry.batch(DEMO, root(1));
    expect([batch.status, batch.count]).toEqual([Status.Suspended, 10n]);
    const reinstated = await (await asAnchorer.changeBatchStatus(DEMO, root(1), Status.Active)).wait();
    expectEvents(reinstated, documentRegistry, "BatchStatusChanged", [[DEMO, root(1), Status.Active]]);
    await (await asAnchorer.changeBatchStatus(DEMO, root(1), Status.Revoked)).wait();
    batch = await documentRegistry.batch(DEMO, root(1));
    expect(batch.status).toBe(Status.Revoked);
    await expectRevert(asAnchorer.changeBatchStatus(DEMO, root(1), Status.Active), documentRegistry, "DocumentRegistryInvalidBatchTransition", [
      DEMO,
      root(1),
      Status.Revoked,
      Status.Active,
    ]);
  });

  it("refuses an unknown batch, a superseded batch and an account not anchoring for its department", async () => {
    const { asAnchorer, documentRegistry, stranger } = await readyFixture();
    await expectRevert(asAnchorer.changeBatchStatus(DEMO, root(1), Status.Revoked), documentRegistry, "DocumentRegistryUnknownBatch", [DEMO, root(1)]);
    await (await asAnchorer.anchorBatch(DEMO, LICENCE, root(1), 10)).wait();
    await expectRevert(asAnchorer.changeBatchStatus(DEMO, root(1), Status.Superseded), documentRegistry, "DocumentRegistryInvalidBatchTransition", [
      DEMO,
      root(1),
      Status.Active,
      Status.Superseded,
    ]);
    await expectRevert(
      (documentRegistry.connect(stranger) as TestContract).changeBatchStatus(DEMO, root(1), Status.Revoked),
      documentRegistry,
      "DocumentRegistryUnauthorizedAnchorer",
      [DEMO, stranger.address],
    );
  });
});

describe("DocumentRegistry: verificationRecord", () => {
  it("returns batch, document, department, type grant and key in one call", async () => {
    const { asAnchorer, asRegistrar, documentRegistry, issuerRegistry, key1ValidFrom } = await readyFixture();
    const receipt = await (await asAnchorer.anchorBatch(DEMO, LICENCE, root(1), 5)).wait();
    await (await asAnchorer.supersede(DEMO, documentId(1), documentId(2))).wait();
    await (await asRegistrar.markSigningKeyCompromised(DEMO, KEY_1, 999_999_999_999n)).wait();
    await (await asRegistrar.setDepartmentSuspended(DEMO, true)).wait();
    const record = await documentRegistry.verificationRecord(DEMO, root(1), documentId(1), KEY_1);
    const block = await receipt.getBlock();
    expect(record.batch.anchored).toBe(true);
    expect(record.batch.department).toBe(DEMO);
    expect(record.batch.docType).toBe(LICENCE);
    expect(record.batch.count).toBe(5n);
    expect(record.batch.blockNumber).toBe(BigInt(receipt.blockNumber));
    expect(record.batch.anchoredAt).toBe(BigInt(block.timestamp));
    expect(record.document.status).toBe(Status.Superseded);
    expect(record.document.successor).toBe(documentId(2));
    expect(record.department.registered).toBe(true);
    expect(record.department.suspended).toBe(true);
    const grant = await issuerRegistry.documentType(DEMO, LICENCE);
    expect([record.typeGrant.grantedAt, record.typeGrant.withdrawnAt]).toEqual([grant.grantedAt, 0n]);
    expect([record.key.registered, record.key.validFrom, record.key.validUntil, record.key.compromisedAt]).toEqual([true, key1ValidFrom, 0n, 999_999_999_999n]);
    const unknownKey = await documentRegistry.verificationRecord(DEMO, root(1), documentId(3), KEY_2);
    expect(unknownKey.key.registered).toBe(false);
    expect(unknownKey.document.status).toBe(Status.Active);
    expect(unknownKey.document.changedAt).toBe(0n);
  });

  it("returns all zeros for a root the department has not anchored", async () => {
    const { asAnchorer, documentRegistry } = await readyFixture();
    await (await asAnchorer.changeDocumentStatus(DEMO, [documentId(1)], Status.Revoked)).wait();
    const record = await documentRegistry.verificationRecord(DEMO, root(9), documentId(1), KEY_1);
    expect(record.batch.anchored).toBe(false);
    expect(record.batch.department).toBe(ZeroHash);
    expect(record.document.status).toBe(Status.Active);
    expect(record.department.registered).toBe(false);
    expect(record.key.registered).toBe(false);
  });
});

describe("DocumentRegistry: no reason on chain", () => {
  it("has no reason parameter in any function, event or error of its ABI", async () => {
    const { documentRegistry } = await deployFixture();
    const fragments = documentRegistry.interface.fragments;
    const names: string[] = [];
    const collect = (params: readonly { name: string; components: readonly unknown[] | null }[]): void => {
      for (const param of params) {
        names.push(param.name);
        if (param.components !== null) collect(param.components as typeof params);
      }
    };
    for (const fragment of fragments) {
      if ("inputs" in fragment) collect(fragment.inputs);
      if ("outputs" in fragment) collect(fragment.outputs as typeof fragment.inputs);
    }
    expect(names.length).toBeGreaterThan(30);
    expect(names.filter((name) => /reason/i.test(name))).toEqual([]);
    // The status changes take exactly what they change.
    const inputsOf = (name: string): string[] => documentRegistry.interface.getFunction(name)?.inputs.map((input) => input.name) ?? [];
    expect(inputsOf("changeDocumentStatus")).toEqual(["department", "ids", "status"]);
    expect(inputsOf("changeBatchStatus")).toEqual(["department", "root", "status"]);
    expect(inputsOf("supersede")).toEqual(["department", "documentId", "successorId"]);
    const eventInputs = (name: string): string[] => documentRegistry.interface.getEvent(name)?.inputs.map((input) => input.name) ?? [];
    expect(eventInputs("DocumentStatusChanged")).toEqual(["department", "documentId", "status"]);
    expect(eventInputs("BatchStatusChanged")).toEqual(["department", "root", "status"]);
    expect(eventInputs("DocumentSuperseded")).toEqual(["department", "documentId", "successorId"]);
  });

  it("emits status changes whose calldata and logs hold only department, ids and status", async () => {
    const { asAnchorer, documentRegistry } = await readyFixture();
    await (await asAnchorer.anchorBatch(DEMO, LICENCE, root(1), 2)).wait();
    const sent = await asAnchorer.changeDocumentStatus(DEMO, [documentId(1)], Status.Revoked);
    // selector + department + offset of ids + status + ids length + one id: nothing else travels.
    expect((sent.data.length - 2) / 2).toBe(4 + 5 * 32);
    const decoded = documentRegistry.interface.parseTransaction({ data: sent.data });
    expect(decoded?.args.toArray(true)).toEqual([DEMO, [documentId(1)], Status.Revoked]);
    const receipt = await sent.wait();
    expect(receipt.logs).toHaveLength(1);
    const [log] = receipt.logs;
    // Topics: signature, department, documentId. Data: the status word alone.
    expect(log.topics).toHaveLength(3);
    expect(log.data).toBe(`0x${Status.Revoked.toString(16).padStart(64, "0")}`);
    const parsed = documentRegistry.interface.parseLog(log);
    expect(parsed?.name).toBe("DocumentStatusChanged");
    expect(parsed?.fragment.inputs.map((input) => input.name)).toEqual(["department", "documentId", "status"]);
    expect(parsed?.args.toArray()).toEqual([DEMO, documentId(1), Status.Revoked]);
    const batchReceipt = await (await asAnchorer.changeBatchStatus(DEMO, root(1), Status.Suspended)).wait();
    expect(batchReceipt.logs).toHaveLength(1);
    expect(batchReceipt.logs[0].topics).toHaveLength(3);
    expect(batchReceipt.logs[0].data).toBe(`0x${Status.Suspended.toString(16).padStart(64, "0")}`);
    const superseded = await (await asAnchorer.supersede(DEMO, documentId(2), documentId(3))).wait();
    expect(superseded.logs[0].topics).toHaveLength(4);
    expect(superseded.logs[0].data).toBe("0x");
  });
});

describe("Merkle compatibility", () => {
  it("verifies StandardMerkleTree proofs and multiproofs with OpenZeppelin MerkleProof", async () => {
    const { ethers } = await deployFixture();
    const harness = (await ethers.deployContract("MerkleProofHarness")) as TestContract;
    const hashes = Array.from({ length: 13 }, (_, i) => id(`document-${i}`));
    const tree = StandardMerkleTree.of(
      hashes.map((h) => [h]),
      ["bytes32"],
    );
    for (const [index, [hash]] of tree.entries()) {
      const leaf = tree.leafHash([hash as string]);
      expect(await harness.leafOf(hash)).toBe(leaf);
      expect(await harness.verify(tree.getProof(index), tree.root, leaf)).toBe(true);
    }
    const wrongLeaf = tree.leafHash([id("not-in-tree")]);
    expect(await harness.verify(tree.getProof(0), tree.root, wrongLeaf)).toBe(false);
    const multi = tree.getMultiProof([1, 4, 7]);
    const leaves = multi.leaves.map((value) => tree.leafHash(value as [string]));
    expect(await harness.multiVerify(multi.proof, multi.proofFlags, tree.root, leaves)).toBe(true);
  });
});
