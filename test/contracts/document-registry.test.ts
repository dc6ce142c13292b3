import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { id, ZeroAddress, ZeroHash } from "ethers";
import { describe, expect, it } from "vitest";
import { expectEvents, expectRevert } from "./expect-revert.ts";
import {
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
  it("names its IssuerRegistry and refuses a zero one", async () => {
    const { ethers, issuerRegistry, documentRegistry } = await deployFixture();
    expect(await documentRegistry.issuerRegistry()).toBe(await issuerRegistry.getAddress());
    const factory = await ethers.getContractFactory("DocumentRegistry");
    await expectRevert(factory.deploy(ZeroAddress), documentRegistry, "DocumentRegistryZeroIssuerRegistry");
  });
});

describe("DocumentRegistry: anchoring", () => {
  it("anchors a batch in one slot and emits BatchAnchored", async () => {
    const { asAnchorer, documentRegistry, blockTime } = await readyFixture();
    const receipt = await (await asAnchorer.anchorBatch(DEMO, LICENCE, root(1), 1000)).wait();
    expectEvents(receipt, documentRegistry, "BatchAnchored", [[root(1), DEMO, LICENCE, 1000n]]);
    const batch = await documentRegistry.batch(root(1));
    expect(batch.anchored).toBe(true);
    expect(batch.department).toBe(DEMO);
    expect(batch.docType).toBe(LICENCE);
    expect(batch.count).toBe(1000n);
    expect(batch.blockNumber).toBe(BigInt(receipt.blockNumber));
    expect(batch.anchoredAt).toBe(await blockTime());
    expect(batch.status).toBe(Status.Active);
    expect(batch.reasonCode).toBe(0n);
    const absent = await documentRegistry.batch(root(2));
    expect(absent.anchored).toBe(false);
    expect(absent.department).toBe(ZeroHash);
  });

  it("refuses to anchor a root twice", async () => {
    const { asAnchorer, documentRegistry } = await readyFixture();
    await (await asAnchorer.anchorBatch(DEMO, LICENCE, root(1), 1)).wait();
    await expectRevert(asAnchorer.anchorBatch(DEMO, LICENCE, root(1), 1), documentRegistry, "DocumentRegistryAlreadyAnchored", [root(1)]);
  });

  it("refuses a zero root and an empty batch", async () => {
    const { asAnchorer, documentRegistry } = await readyFixture();
    await expectRevert(asAnchorer.anchorBatch(DEMO, LICENCE, ZeroHash, 1), documentRegistry, "DocumentRegistryZeroRoot");
    await expectRevert(asAnchorer.anchorBatch(DEMO, LICENCE, root(1), 0), documentRegistry, "DocumentRegistryEmptyBatch", [root(1)]);
  });

  it("refuses an account that does not anchor for the department", async () => {
    const { documentRegistry, stranger, asAnchorer, anchorer } = await readyFixture();
    await expectRevert(
      (documentRegistry.connect(stranger) as typeof documentRegistry).anchorBatch(DEMO, LICENCE, root(1), 1),
      documentRegistry,
      "DocumentRegistryUnauthorizedAnchorer",
      [DEMO, stranger.address],
    );
    await expectRevert(asAnchorer.anchorBatch(OTHER, LICENCE, root(1), 1), documentRegistry, "DocumentRegistryUnauthorizedAnchorer", [OTHER, anchorer.address]);
  });

  it("refuses to anchor for a suspended department", async () => {
    const { asAnchorer, asRegistrar, documentRegistry } = await readyFixture();
    await (await asRegistrar.setDepartmentSuspended(DEMO, true)).wait();
    await expectRevert(asAnchorer.anchorBatch(DEMO, LICENCE, root(1), 1), documentRegistry, "DocumentRegistryDepartmentNotActive", [DEMO]);
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
    expect(one.gasUsed).toBeLessThan(60_000n);
  });
});

describe("DocumentRegistry: document status", () => {
  it("suspends, reinstates and revokes many documents in one call, with events and times", async () => {
    const { asAnchorer, documentRegistry, blockTime } = await readyFixture();
    const ids = [documentId(1), documentId(2), documentId(3)];
    const suspended = await (await asAnchorer.changeDocumentStatus(DEMO, ids, Status.Suspended, 11)).wait();
    expectEvents(
      suspended,
      documentRegistry,
      "DocumentStatusChanged",
      ids.map((id) => [DEMO, id, Status.Suspended, 11n]),
    );
    const state = await documentRegistry.documentStatus(DEMO, ids[1]);
    expect([state.status, state.reasonCode, state.changedAt, state.successor]).toEqual([Status.Suspended, 11n, await blockTime(), ZERO_ID]);
    const reinstated = await (await asAnchorer.changeDocumentStatus(DEMO, [ids[0]], Status.Active, 12)).wait();
    expectEvents(reinstated, documentRegistry, "DocumentStatusChanged", [[DEMO, ids[0], Status.Active, 12n]]);
    await (await asAnchorer.changeDocumentStatus(DEMO, ids, Status.Revoked, 13)).wait();
    expect((await documentRegistry.documentStatus(DEMO, ids[2])).status).toBe(Status.Revoked);
    // The same id in another department is a different document.
    expect((await documentRegistry.documentStatus(OTHER, ids[2])).status).toBe(Status.Active);
  });

  it("refuses to reinstate an active document, suspend a suspended one, or change a revoked one", async () => {
    const { asAnchorer, documentRegistry } = await readyFixture();
    const a = documentId(1);
    await expectRevert(asAnchorer.changeDocumentStatus(DEMO, [a], Status.Active, 0), documentRegistry, "DocumentRegistryInvalidDocumentTransition", [
      a,
      Status.Active,
      Status.Active,
    ]);
    await (await asAnchorer.changeDocumentStatus(DEMO, [a], Status.Suspended, 0)).wait();
    await expectRevert(asAnchorer.changeDocumentStatus(DEMO, [a], Status.Suspended, 0), documentRegistry, "DocumentRegistryInvalidDocumentTransition", [
      a,
      Status.Suspended,
      Status.Suspended,
    ]);
    await (await asAnchorer.changeDocumentStatus(DEMO, [a], Status.Revoked, 0)).wait();
    for (const to of [Status.Active, Status.Suspended, Status.Revoked]) {
      await expectRevert(asAnchorer.changeDocumentStatus(DEMO, [a], to, 0), documentRegistry, "DocumentRegistryInvalidDocumentTransition", [
        a,
        Status.Revoked,
        to,
      ]);
    }
  });

  it("refuses Superseded through changeDocumentStatus", async () => {
    const { asAnchorer, documentRegistry } = await readyFixture();
    const a = documentId(1);
    await expectRevert(asAnchorer.changeDocumentStatus(DEMO, [a], Status.Superseded, 0), documentRegistry, "DocumentRegistryInvalidDocumentTransition", [
      a,
      Status.Active,
      Status.Superseded,
    ]);
  });

  it("applies all changes of a call or none", async () => {
    const { asAnchorer, documentRegistry } = await readyFixture();
    const [a, b] = [documentId(1), documentId(2)];
    await (await asAnchorer.changeDocumentStatus(DEMO, [b], Status.Revoked, 0)).wait();
    await expectRevert(asAnchorer.changeDocumentStatus(DEMO, [a, b], Status.Suspended, 0), documentRegistry, "DocumentRegistryInvalidDocumentTransition", [
      b,
      Status.Revoked,
      Status.Suspended,
    ]);
    expect((await documentRegistry.documentStatus(DEMO, a)).status).toBe(Status.Active);
  });

  it("refuses an empty list and a zero document id", async () => {
    const { asAnchorer, documentRegistry } = await readyFixture();
    await expectRevert(asAnchorer.changeDocumentStatus(DEMO, [], Status.Revoked, 0), documentRegistry, "DocumentRegistryNoDocuments");
    await expectRevert(asAnchorer.changeDocumentStatus(DEMO, [ZERO_ID], Status.Revoked, 0), documentRegistry, "DocumentRegistryZeroDocumentId");
  });

  it("refuses status changes from an account that does not anchor for the department", async () => {
    const { documentRegistry, stranger, asRegistrar, anchorer, asAnchorer } = await readyFixture();
    const asStranger = documentRegistry.connect(stranger) as typeof documentRegistry;
    await expectRevert(asStranger.changeDocumentStatus(DEMO, [documentId(1)], Status.Revoked, 0), documentRegistry, "DocumentRegistryUnauthorizedAnchorer", [
      DEMO,
      stranger.address,
    ]);
    await expectRevert(asStranger.supersede(DEMO, documentId(1), documentId(2), 0), documentRegistry, "DocumentRegistryUnauthorizedAnchorer", [
      DEMO,
      stranger.address,
    ]);
    await (await asRegistrar.removeAnchorer(DEMO, anchorer.address)).wait();
    await expectRevert(asAnchorer.changeDocumentStatus(DEMO, [documentId(1)], Status.Revoked, 0), documentRegistry, "DocumentRegistryUnauthorizedAnchorer", [
      DEMO,
      anchorer.address,
    ]);
  });

  it("lets a suspended department still revoke its documents", async () => {
    const { asAnchorer, asRegistrar, documentRegistry } = await readyFixture();
    await (await asRegistrar.setDepartmentSuspended(DEMO, true)).wait();
    await (await asAnchorer.changeDocumentStatus(DEMO, [documentId(1)], Status.Revoked, 3)).wait();
    expect((await documentRegistry.documentStatus(DEMO, documentId(1))).status).toBe(Status.Revoked);
  });
});

describe("DocumentRegistry: supersession", () => {
  it("supersedes a document with a successor link and emits DocumentSuperseded", async () => {
    const { asAnchorer, documentRegistry, blockTime } = await readyFixture();
    const receipt = await (await asAnchorer.supersede(DEMO, documentId(1), documentId(2), 21)).wait();
    expectEvents(receipt, documentRegistry, "DocumentSuperseded", [[DEMO, documentId(1), documentId(2), 21n]]);
    const state = await documentRegistry.documentStatus(DEMO, documentId(1));
    expect([state.status, state.reasonCode, state.changedAt, state.successor]).toEqual([Status.Superseded, 21n, await blockTime(), documentId(2)]);
  });

  it("supersedes a suspended document but never a superseded or revoked one", async () => {
    const { asAnchorer, documentRegistry } = await readyFixture();
    const [a, b, c] = [documentId(1), documentId(2), documentId(3)];
    await (await asAnchorer.changeDocumentStatus(DEMO, [a], Status.Suspended, 0)).wait();
    await (await asAnchorer.supersede(DEMO, a, b, 0)).wait();
    await expectRevert(asAnchorer.supersede(DEMO, a, c, 0), documentRegistry, "DocumentRegistryInvalidDocumentTransition", [
      a,
      Status.Superseded,
      Status.Superseded,
    ]);
    await expectRevert(asAnchorer.changeDocumentStatus(DEMO, [a], Status.Revoked, 0), documentRegistry, "DocumentRegistryInvalidDocumentTransition", [
      a,
      Status.Superseded,
      Status.Revoked,
    ]);
    await (await asAnchorer.changeDocumentStatus(DEMO, [c], Status.Revoked, 0)).wait();
    await expectRevert(asAnchorer.supersede(DEMO, c, b, 0), documentRegistry, "DocumentRegistryInvalidDocumentTransition", [
      c,
      Status.Revoked,
      Status.Superseded,
    ]);
  });

  it("refuses a zero id, a zero successor and a document superseding itself", async () => {
    const { asAnchorer, documentRegistry } = await readyFixture();
    await expectRevert(asAnchorer.supersede(DEMO, ZERO_ID, documentId(2), 0), documentRegistry, "DocumentRegistryZeroDocumentId");
    await expectRevert(asAnchorer.supersede(DEMO, documentId(1), ZERO_ID, 0), documentRegistry, "DocumentRegistryInvalidSuccessor", [documentId(1), ZERO_ID]);
    await expectRevert(asAnchorer.supersede(DEMO, documentId(1), documentId(1), 0), documentRegistry, "DocumentRegistryInvalidSuccessor", [
      documentId(1),
      documentId(1),
    ]);
  });
});

describe("DocumentRegistry: batch status", () => {
  it("suspends, reinstates and revokes a batch with events", async () => {
    const { asAnchorer, documentRegistry } = await readyFixture();
    await (await asAnchorer.anchorBatch(DEMO, LICENCE, root(1), 10)).wait();
    const suspended = await (await asAnchorer.changeBatchStatus(root(1), Status.Suspended, 31)).wait();
    expectEvents(suspended, documentRegistry, "BatchStatusChanged", [[root(1), Status.Suspended, 31n]]);
    let batch = await documentRegistry.batch(root(1));
    expect([batch.status, batch.reasonCode, batch.count]).toEqual([Status.Suspended, 31n, 10n]);
    await (await asAnchorer.changeBatchStatus(root(1), Status.Active, 32)).wait();
    await (await asAnchorer.changeBatchStatus(root(1), Status.Revoked, 33)).wait();
    batch = await documentRegistry.batch(root(1));
    expect([batch.status, batch.reasonCode]).toEqual([Status.Revoked, 33n]);
    await expectRevert(asAnchorer.changeBatchStatus(root(1), Status.Active, 0), documentRegistry, "DocumentRegistryInvalidBatchTransition", [
      root(1),
      Status.Revoked,
      Status.Active,
    ]);
  });

  it("refuses an unknown batch, a superseded batch and an account not anchoring for its department", async () => {
    const { asAnchorer, documentRegistry, stranger } = await readyFixture();
    await expectRevert(asAnchorer.changeBatchStatus(root(1), Status.Revoked, 0), documentRegistry, "DocumentRegistryUnknownBatch", [root(1)]);
    await (await asAnchorer.anchorBatch(DEMO, LICENCE, root(1), 10)).wait();
    await expectRevert(asAnchorer.changeBatchStatus(root(1), Status.Superseded, 0), documentRegistry, "DocumentRegistryInvalidBatchTransition", [
      root(1),
      Status.Active,
      Status.Superseded,
    ]);
    await expectRevert(
      (documentRegistry.connect(stranger) as typeof documentRegistry).changeBatchStatus(root(1), Status.Revoked, 0),
      documentRegistry,
      "DocumentRegistryUnauthorizedAnchorer",
      [DEMO, stranger.address],
    );
  });
});

describe("DocumentRegistry: verificationRecord", () => {
  it("returns batch, document, department, type grant and key in one call", async () => {
    const { asAnchorer, asRegistrar, documentRegistry, issuerRegistry } = await readyFixture();
    const receipt = await (await asAnchorer.anchorBatch(DEMO, LICENCE, root(1), 5)).wait();
    await (await asAnchorer.supersede(DEMO, documentId(1), documentId(2), 44)).wait();
    await (await asRegistrar.markSigningKeyCompromised(DEMO, KEY_1, 999_999_999_999n)).wait();
    await (await asRegistrar.setDepartmentSuspended(DEMO, true)).wait();
    const record = await documentRegistry.verificationRecord(root(1), documentId(1), KEY_1);
    const block = await receipt.getBlock();
    expect(record.batch.anchored).toBe(true);
    expect(record.batch.department).toBe(DEMO);
    expect(record.batch.docType).toBe(LICENCE);
    expect(record.batch.count).toBe(5n);
    expect(record.batch.blockNumber).toBe(BigInt(receipt.blockNumber));
    expect(record.batch.anchoredAt).toBe(BigInt(block.timestamp));
    expect(record.document.status).toBe(Status.Superseded);
    expect(record.document.reasonCode).toBe(44n);
    expect(record.document.successor).toBe(documentId(2));
    expect(record.department.registered).toBe(true);
    expect(record.department.suspended).toBe(true);
    const grant = await issuerRegistry.documentType(DEMO, LICENCE);
    expect([record.typeGrant.grantedAt, record.typeGrant.withdrawnAt]).toEqual([grant.grantedAt, 0n]);
    expect([record.key.registered, record.key.validFrom, record.key.validUntil, record.key.compromisedAt]).toEqual([true, 1n, 0n, 999_999_999_999n]);
    const unknownKey = await documentRegistry.verificationRecord(root(1), documentId(3), KEY_2);
    expect(unknownKey.key.registered).toBe(false);
    expect(unknownKey.document.status).toBe(Status.Active);
    expect(unknownKey.document.changedAt).toBe(0n);
  });

  it("returns all zeros for a root that is not anchored", async () => {
    const { documentRegistry } = await readyFixture();
    const record = await documentRegistry.verificationRecord(root(9), documentId(1), KEY_1);
    expect(record.batch.anchored).toBe(false);
    expect(record.batch.department).toBe(ZeroHash);
    expect(record.department.registered).toBe(false);
    expect(record.key.registered).toBe(false);
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
