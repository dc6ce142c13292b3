/**
 * Wrong-department refusals on chain: one department's anchorer, key, batch or status change never
 * counts for another department's documents. Batches live under (department, root), so another
 * department anchoring the same root first (front-running) or later (squatting after a rollback)
 * fills its own record and leaves the rightful issuer's untouched.
 */
import { describe, expect, it } from "vitest";
import { expectEvents, expectRevert } from "./expect-revert.ts";
import { DEMO, documentId, KEY_1, KEY_2, LICENCE, OTHER, root, Status, twoDepartmentsFixture } from "./fixture.ts";

describe("DocumentRegistry: one root, one record per department", () => {
  it("gives DEMO and OTHER each their own record when both anchor the same root", async () => {
    const { documentRegistry, asAnchorer, asOther, anchorer, otherAnchorer } = await twoDepartmentsFixture();
    const demoReceipt = await (await asAnchorer.anchorBatch(DEMO, LICENCE, root(1), 10)).wait();
    const otherReceipt = await (await asOther.anchorBatch(OTHER, LICENCE, root(1), 99)).wait();
    expectEvents(demoReceipt, documentRegistry, "BatchAnchored", [[DEMO, root(1), LICENCE, 10n, anchorer.address]]);
    expectEvents(otherReceipt, documentRegistry, "BatchAnchored", [[OTHER, root(1), LICENCE, 99n, otherAnchorer.address]]);
    const demo = await documentRegistry.batch(DEMO, root(1));
    const other = await documentRegistry.batch(OTHER, root(1));
    expect([demo.department, demo.count, demo.blockNumber]).toEqual([DEMO, 10n, BigInt(demoReceipt.blockNumber)]);
    expect([other.department, other.count, other.blockNumber]).toEqual([OTHER, 99n, BigInt(otherReceipt.blockNumber)]);
    // Each is anchored once per department.
    await expectRevert(asOther.anchorBatch(OTHER, LICENCE, root(1), 1), documentRegistry, "DocumentRegistryAlreadyAnchored", [OTHER, root(1)]);
  });

  it("lets the rightful issuer anchor a root that another department front-ran, and verifies against the issuer's record only", async () => {
    const { documentRegistry, asAnchorer, asOther } = await twoDepartmentsFixture();
    // OTHER saw DEMO's root in the mempool (or after a rollback) and anchored it first.
    const squat = await (await asOther.anchorBatch(OTHER, LICENCE, root(1), 1)).wait();
    await (await asOther.changeBatchStatus(OTHER, root(1), Status.Revoked)).wait();
    await (await asOther.changeDocumentStatus(OTHER, [documentId(1)], Status.Revoked)).wait();
    // The squat neither blocks DEMO nor leaks into DEMO's record.
    expect((await documentRegistry.verificationRecord(DEMO, root(1), documentId(1), KEY_1)).batch.anchored).toBe(false);
    const genuine = await (await asAnchorer.anchorBatch(DEMO, LICENCE, root(1), 5)).wait();
    const record = await documentRegistry.verificationRecord(DEMO, root(1), documentId(1), KEY_1);
    expect(record.batch.anchored).toBe(true);
    expect(record.batch.department).toBe(DEMO);
    expect(record.batch.count).toBe(5n);
    expect(record.batch.blockNumber).toBe(BigInt(genuine.blockNumber));
    expect(record.batch.blockNumber).not.toBe(BigInt(squat.blockNumber));
    expect(record.batch.status).toBe(Status.Active);
    expect(record.document.status).toBe(Status.Active);
    expect(record.key.registered).toBe(true);
    // OTHER's record is OTHER's business.
    const squatted = await documentRegistry.verificationRecord(OTHER, root(1), documentId(1), KEY_2);
    expect([squatted.batch.status, squatted.document.status]).toEqual([Status.Revoked, Status.Revoked]);
  });

  it("leaves DEMO's record untouched whatever OTHER does to its own batch under the same root", async () => {
    const { documentRegistry, asAnchorer, asOther } = await twoDepartmentsFixture();
    await (await asAnchorer.anchorBatch(DEMO, LICENCE, root(1), 3)).wait();
    const before = await documentRegistry.verificationRecord(DEMO, root(1), documentId(1), KEY_1);
    await (await asOther.anchorBatch(OTHER, LICENCE, root(1), 3)).wait();
    await (await asOther.changeBatchStatus(OTHER, root(1), Status.Suspended)).wait();
    await (await asOther.supersede(OTHER, documentId(1), documentId(2))).wait();
    const after = await documentRegistry.verificationRecord(DEMO, root(1), documentId(1), KEY_1);
    expect(after.toObject(true)).toEqual(before.toObject(true));
  });
});

describe("DocumentRegistry: a stolen anchoring key reaches only its own department", () => {
  it("refuses OTHER's anchorer anchoring, changing document or batch status, or superseding for DEMO", async () => {
    const { documentRegistry, asAnchorer, asOther, otherAnchorer } = await twoDepartmentsFixture();
    await (await asAnchorer.anchorBatch(DEMO, LICENCE, root(1), 3)).wait();
    const refused = [
      () => asOther.anchorBatch(DEMO, LICENCE, root(2), 1),
      () => asOther.changeDocumentStatus(DEMO, [documentId(1)], Status.Revoked),
      () => asOther.changeDocumentStatus(DEMO, [documentId(1)], Status.Suspended),
      () => asOther.changeBatchStatus(DEMO, root(1), Status.Revoked),
      () => asOther.supersede(DEMO, documentId(1), documentId(2)),
    ];
    for (const call of refused) {
      await expectRevert(call(), documentRegistry, "DocumentRegistryUnauthorizedAnchorer", [DEMO, otherAnchorer.address]);
    }
    const record = await documentRegistry.verificationRecord(DEMO, root(1), documentId(1), KEY_1);
    expect([record.batch.status, record.document.status]).toEqual([Status.Active, Status.Active]);
    expect((await documentRegistry.batch(DEMO, root(2))).anchored).toBe(false);
  });

  it("cannot be made an anchorer of a second department while it anchors for one", async () => {
    const { issuerRegistry, asRegistrar, otherAnchorer } = await twoDepartmentsFixture();
    await expectRevert(asRegistrar.addAnchorer(DEMO, otherAnchorer.address), issuerRegistry, "IssuerRegistryAnchorerOfAnotherDepartment", [
      DEMO,
      otherAnchorer.address,
      OTHER,
    ]);
  });

  it("keeps a document's status within its department: a revocation filed under another department does not touch it", async () => {
    const { documentRegistry, asAnchorer, asOther } = await twoDepartmentsFixture();
    await (await asAnchorer.anchorBatch(DEMO, LICENCE, root(1), 1)).wait();
    await (await asOther.changeDocumentStatus(OTHER, [documentId(1)], Status.Revoked)).wait();
    const record = await documentRegistry.verificationRecord(DEMO, root(1), documentId(1), KEY_1);
    expect(record.document.status).toBe(Status.Active);
  });

  it("does not count another department's signing key for this department's batch", async () => {
    const { documentRegistry, asAnchorer } = await twoDepartmentsFixture();
    await (await asAnchorer.anchorBatch(DEMO, LICENCE, root(1), 1)).wait();
    expect((await documentRegistry.verificationRecord(DEMO, root(1), documentId(1), KEY_2)).key.registered).toBe(false);
    expect((await documentRegistry.verificationRecord(DEMO, root(1), documentId(1), KEY_1)).key.registered).toBe(true);
  });
});
