/**
 * Wrong-department refusals on chain: one department's anchorer, key or status change never
 * counts for another department's documents.
 */
import { describe, expect, it } from "vitest";
import { expectRevert } from "./expect-revert.ts";
import { DEMO, documentId, KEY_1, KEY_2, LICENCE, LICENCE_SCHEMA, OTHER, readyFixture, root, Status } from "./fixture.ts";

async function withOtherDepartment() {
  const fixture = await readyFixture();
  const { asRegistrar, otherAnchorer, documentRegistry } = fixture;
  await (await asRegistrar.registerDepartment(OTHER, "Other Department", "其他部門")).wait();
  await (await asRegistrar.grantDocumentType(OTHER, LICENCE, LICENCE_SCHEMA)).wait();
  await (await asRegistrar.addAnchorer(OTHER, otherAnchorer.address)).wait();
  await (await asRegistrar.registerSigningKey(OTHER, KEY_2, 1n, 0n)).wait();
  const asOther = documentRegistry.connect(otherAnchorer) as typeof documentRegistry;
  return { ...fixture, asOther };
}

describe("DocumentRegistry: departments are isolated", () => {
  it("refuses another department's anchorer anchoring or changing statuses in this department's name", async () => {
    const { documentRegistry, asOther, otherAnchorer } = await withOtherDepartment();
    await expectRevert(asOther.anchorBatch(DEMO, LICENCE, root(1), 1), documentRegistry, "DocumentRegistryUnauthorizedAnchorer", [DEMO, otherAnchorer.address]);
    await expectRevert(asOther.changeDocumentStatus(DEMO, [documentId(1)], Status.Revoked, 3), documentRegistry, "DocumentRegistryUnauthorizedAnchorer", [
      DEMO,
      otherAnchorer.address,
    ]);
  });

  it("refuses another department's anchorer changing the status of this department's batch", async () => {
    const { documentRegistry, asAnchorer, asOther, otherAnchorer } = await withOtherDepartment();
    await (await asAnchorer.anchorBatch(DEMO, LICENCE, root(1), 3)).wait();
    await expectRevert(asOther.changeBatchStatus(root(1), Status.Revoked, 3), documentRegistry, "DocumentRegistryUnauthorizedAnchorer", [
      DEMO,
      otherAnchorer.address,
    ]);
  });

  it("keeps a document's status within its batch's department: a revocation filed under another department does not touch it", async () => {
    const { documentRegistry, asAnchorer, asOther } = await withOtherDepartment();
    await (await asAnchorer.anchorBatch(DEMO, LICENCE, root(1), 1)).wait();
    await (await asOther.changeDocumentStatus(OTHER, [documentId(1)], Status.Revoked, 3)).wait();
    const record = await documentRegistry.verificationRecord(root(1), documentId(1), KEY_1);
    expect(record.document.status).toBe(Status.Active);
  });

  it("does not count another department's signing key for this department's batch", async () => {
    const { documentRegistry, asAnchorer } = await withOtherDepartment();
    await (await asAnchorer.anchorBatch(DEMO, LICENCE, root(1), 1)).wait();
    expect((await documentRegistry.verificationRecord(root(1), documentId(1), KEY_2)).key.registered).toBe(false);
    expect((await documentRegistry.verificationRecord(root(1), documentId(1), KEY_1)).key.registered).toBe(true);
  });
});
