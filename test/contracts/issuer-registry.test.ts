import { id, ZeroAddress, ZeroHash } from "ethers";
import { describe, expect, it } from "vitest";
import { expectEvents, expectRevert } from "./expect-revert.ts";
import {
  ADMIN_DELAY,
  DEMO,
  deployFixture,
  KEY_1,
  KEY_2,
  LICENCE,
  LICENCE_SCHEMA,
  OTHER,
  PERMIT,
  REGISTRAR_ROLE,
  readyFixture,
  type TestContract,
} from "./fixture.ts";

describe("IssuerRegistry: roles", () => {
  it("gives the admin DEFAULT_ADMIN_ROLE (with the admin delay) and the registrar REGISTRAR_ROLE", async () => {
    const { issuerRegistry, admin, registrar } = await deployFixture();
    expect(await issuerRegistry.hasRole(ZeroHash, admin.address)).toBe(true);
    expect(await issuerRegistry.defaultAdmin()).toBe(admin.address);
    expect(await issuerRegistry.defaultAdminDelay()).toBe(BigInt(ADMIN_DELAY));
    expect(await issuerRegistry.hasRole(REGISTRAR_ROLE, registrar.address)).toBe(true);
    expect(await issuerRegistry.hasRole(REGISTRAR_ROLE, admin.address)).toBe(false);
    expect(await issuerRegistry.REGISTRAR_ROLE()).toBe(REGISTRAR_ROLE);
  });

  it("refuses a zero admin at deployment, and gives no one REGISTRAR_ROLE for a zero registrar", async () => {
    const { ethers, admin, issuerRegistry } = await deployFixture();
    const factory = await ethers.getContractFactory("IssuerRegistry");
    await expectRevert(factory.deploy(ADMIN_DELAY, ZeroAddress, admin.address), issuerRegistry, "AccessControlInvalidDefaultAdmin", [ZeroAddress]);
    const noRegistrar = (await ethers.deployContract("IssuerRegistry", [ADMIN_DELAY, admin.address, ZeroAddress])) as TestContract;
    expect(await noRegistrar.hasRole(REGISTRAR_ROLE, ZeroAddress)).toBe(false);
    expect(await noRegistrar.getRoleAdmin(REGISTRAR_ROLE)).toBe(ZeroHash);
  });

  it("lets only the admin grant REGISTRAR_ROLE", async () => {
    const { issuerRegistry, admin, stranger } = await deployFixture();
    await expectRevert(
      (issuerRegistry.connect(stranger) as TestContract).grantRole(REGISTRAR_ROLE, stranger.address),
      issuerRegistry,
      "AccessControlUnauthorizedAccount",
      [stranger.address, ZeroHash],
    );
    await (await (issuerRegistry.connect(admin) as TestContract).grantRole(REGISTRAR_ROLE, stranger.address)).wait();
    expect(await issuerRegistry.hasRole(REGISTRAR_ROLE, stranger.address)).toBe(true);
  });

  it("refuses to grant or revoke DEFAULT_ADMIN_ROLE directly: it moves only by the delayed two-step transfer", async () => {
    const { issuerRegistry, admin, stranger } = await deployFixture();
    const asAdmin = issuerRegistry.connect(admin) as TestContract;
    await expectRevert(asAdmin.grantRole(ZeroHash, stranger.address), issuerRegistry, "AccessControlEnforcedDefaultAdminRules");
    await expectRevert(asAdmin.revokeRole(ZeroHash, admin.address), issuerRegistry, "AccessControlEnforcedDefaultAdminRules");
    expect(await issuerRegistry.hasRole(ZeroHash, stranger.address)).toBe(false);
  });

  it("refuses every governance call from an account without REGISTRAR_ROLE", async () => {
    const { issuerRegistry, stranger, admin } = await readyFixture();
    const asStranger = issuerRegistry.connect(stranger) as TestContract;
    const calls: Array<[string, () => Promise<unknown>]> = [
      ["registerDepartment", () => asStranger.registerDepartment(OTHER, "a", "b")],
      ["setDepartmentSuspended", () => asStranger.setDepartmentSuspended(DEMO, true)],
      ["grantDocumentType", () => asStranger.grantDocumentType(DEMO, PERMIT, LICENCE_SCHEMA)],
      ["withdrawDocumentType", () => asStranger.withdrawDocumentType(DEMO, LICENCE)],
      ["registerSigningKey", () => asStranger.registerSigningKey(DEMO, KEY_2, 0n, 0n)],
      ["retireSigningKey", () => asStranger.retireSigningKey(DEMO, KEY_1, 2n ** 40n)],
      ["markSigningKeyCompromised", () => asStranger.markSigningKeyCompromised(DEMO, KEY_1, 5n)],
      ["addAnchorer", () => asStranger.addAnchorer(DEMO, stranger.address)],
      ["removeAnchorer", () => asStranger.removeAnchorer(DEMO, stranger.address)],
    ];
    for (const [, call] of calls) {
      await expectRevert(call(), issuerRegistry, "AccessControlUnauthorizedAccount", [stranger.address, REGISTRAR_ROLE]);
    }
    // The admin is not a registrar either: governance and role administration are separate.
    await expectRevert(
      (issuerRegistry.connect(admin) as TestContract).registerDepartment(OTHER, "a", "b"),
      issuerRegistry,
      "AccessControlUnauthorizedAccount",
      [admin.address, REGISTRAR_ROLE],
    );
  });
});

describe("IssuerRegistry: departments", () => {
  it("registers a department with bilingual names, index and time, and emits DepartmentRegistered", async () => {
    const { asRegistrar, issuerRegistry, blockTime } = await deployFixture();
    const receipt = await (await asRegistrar.registerDepartment(DEMO, "Demo Department", "示範部門")).wait();
    expectEvents(receipt, issuerRegistry, "DepartmentRegistered", [[DEMO, 1n, "Demo Department", "示範部門"]]);
    const record = await issuerRegistry.departmentRecord(DEMO);
    expect(record.index).toBe(1n);
    expect(record.status).toBe(1n);
    expect(record.registeredAt).toBe(await blockTime());
    expect(record.nameEn).toBe("Demo Department");
    expect(record.nameZhHk).toBe("示範部門");
    await (await asRegistrar.registerDepartment(OTHER, "Other", "其他")).wait();
    expect(await issuerRegistry.departmentCount()).toBe(2n);
    expect(await issuerRegistry.departmentIdAt(2)).toBe(OTHER);
  });

  it("refuses a duplicate department", async () => {
    const { asRegistrar, issuerRegistry } = await readyFixture();
    await expectRevert(asRegistrar.registerDepartment(DEMO, "x", "y"), issuerRegistry, "IssuerRegistryDepartmentAlreadyRegistered", [DEMO]);
  });

  it("refuses a zero department id and empty names", async () => {
    const { asRegistrar, issuerRegistry } = await deployFixture();
    await expectRevert(asRegistrar.registerDepartment(ZeroHash, "x", "y"), issuerRegistry, "IssuerRegistryZeroDepartment");
    await expectRevert(asRegistrar.registerDepartment(DEMO, "", "y"), issuerRegistry, "IssuerRegistryEmptyName", [DEMO]);
    await expectRevert(asRegistrar.registerDepartment(DEMO, "x", ""), issuerRegistry, "IssuerRegistryEmptyName", [DEMO]);
  });

  it("refuses an unknown department index", async () => {
    const { issuerRegistry } = await readyFixture();
    await expectRevert(issuerRegistry.departmentIdAt(0), issuerRegistry, "IssuerRegistryUnknownDepartmentIndex", [0n]);
    await expectRevert(issuerRegistry.departmentIdAt(2), issuerRegistry, "IssuerRegistryUnknownDepartmentIndex", [2n]);
  });

  it("suspends and reinstates a department with events, and refuses a no-op", async () => {
    const { asRegistrar, issuerRegistry } = await readyFixture();
    const suspended = await (await asRegistrar.setDepartmentSuspended(DEMO, true)).wait();
    expectEvents(suspended, issuerRegistry, "DepartmentSuspended", [[DEMO]]);
    expect((await issuerRegistry.departmentRecord(DEMO)).status).toBe(2n);
    await expectRevert(asRegistrar.setDepartmentSuspended(DEMO, true), issuerRegistry, "IssuerRegistryDepartmentStatusUnchanged", [DEMO, true]);
    const reinstated = await (await asRegistrar.setDepartmentSuspended(DEMO, false)).wait();
    expectEvents(reinstated, issuerRegistry, "DepartmentReinstated", [[DEMO]]);
    await expectRevert(asRegistrar.setDepartmentSuspended(DEMO, false), issuerRegistry, "IssuerRegistryDepartmentStatusUnchanged", [DEMO, false]);
  });

  it("refuses every department operation on an unknown department", async () => {
    const { asRegistrar, issuerRegistry, anchorer } = await readyFixture();
    const calls = [
      () => asRegistrar.setDepartmentSuspended(OTHER, true),
      () => asRegistrar.grantDocumentType(OTHER, LICENCE, LICENCE_SCHEMA),
      () => asRegistrar.withdrawDocumentType(OTHER, LICENCE),
      () => asRegistrar.registerSigningKey(OTHER, KEY_1, 0n, 0n),
      () => asRegistrar.addAnchorer(OTHER, anchorer.address),
      () => asRegistrar.removeAnchorer(OTHER, anchorer.address),
    ];
    for (const call of calls) await expectRevert(call(), issuerRegistry, "IssuerRegistryUnknownDepartment", [OTHER]);
  });
});

describe("IssuerRegistry: document types", () => {
  it("grants a type with its schema hash and a global index, and emits DocumentTypeGranted", async () => {
    const { asRegistrar, issuerRegistry, blockTime } = await readyFixture();
    const schema = id("permit@1");
    const receipt = await (await asRegistrar.grantDocumentType(DEMO, PERMIT, schema)).wait();
    expectEvents(receipt, issuerRegistry, "DocumentTypeGranted", [[DEMO, PERMIT, schema]]);
    const grant = await issuerRegistry.documentType(DEMO, PERMIT);
    expect(grant.schemaHash).toBe(schema);
    expect(grant.grantedAt).toBe(await blockTime());
    expect(grant.withdrawnAt).toBe(0n);
    expect(grant.docTypeIndex).toBe(2n);
    expect(await issuerRegistry.docTypeIdAt(2)).toBe(PERMIT);
    expect(await issuerRegistry.docTypeIdAt(0)).toBe(ZeroHash);
    expect(await issuerRegistry.docTypeIdAt(9)).toBe(ZeroHash);
    expect(await issuerRegistry.documentTypes(DEMO)).toEqual([LICENCE, PERMIT]);
  });

  it("reuses a type's index across departments", async () => {
    const { asRegistrar, issuerRegistry } = await readyFixture();
    await (await asRegistrar.registerDepartment(OTHER, "Other", "其他")).wait();
    await (await asRegistrar.grantDocumentType(OTHER, LICENCE, LICENCE_SCHEMA)).wait();
    expect((await issuerRegistry.documentType(OTHER, LICENCE)).docTypeIndex).toBe(1n);
  });

  it("refuses a zero type, a zero schema hash and a grant that changes nothing", async () => {
    const { asRegistrar, issuerRegistry } = await readyFixture();
    await expectRevert(asRegistrar.grantDocumentType(DEMO, ZeroHash, LICENCE_SCHEMA), issuerRegistry, "IssuerRegistryZeroDocumentType", [DEMO]);
    await expectRevert(asRegistrar.grantDocumentType(DEMO, PERMIT, ZeroHash), issuerRegistry, "IssuerRegistryZeroSchemaHash", [DEMO, PERMIT]);
    await expectRevert(asRegistrar.grantDocumentType(DEMO, LICENCE, LICENCE_SCHEMA), issuerRegistry, "IssuerRegistryDocumentTypeAlreadyGranted", [
      DEMO,
      LICENCE,
      LICENCE_SCHEMA,
    ]);
  });

  it("accepts a new schema version for a granted type", async () => {
    const { asRegistrar, issuerRegistry } = await readyFixture();
    const v2 = id("licence@2");
    const receipt = await (await asRegistrar.grantDocumentType(DEMO, LICENCE, v2)).wait();
    expectEvents(receipt, issuerRegistry, "DocumentTypeGranted", [[DEMO, LICENCE, v2]]);
    expect((await issuerRegistry.documentType(DEMO, LICENCE)).schemaHash).toBe(v2);
  });

  it("withdraws a type, refuses withdrawing it twice, and keeps the first grant time on re-grant", async () => {
    const { asRegistrar, issuerRegistry, blockTime, increaseTime } = await readyFixture();
    const grantedAt = (await issuerRegistry.documentType(DEMO, LICENCE)).grantedAt;
    await increaseTime(100);
    const receipt = await (await asRegistrar.withdrawDocumentType(DEMO, LICENCE)).wait();
    expectEvents(receipt, issuerRegistry, "DocumentTypeWithdrawn", [[DEMO, LICENCE]]);
    expect((await issuerRegistry.documentType(DEMO, LICENCE)).withdrawnAt).toBe(await blockTime());
    await expectRevert(asRegistrar.withdrawDocumentType(DEMO, LICENCE), issuerRegistry, "IssuerRegistryDocumentTypeNotGranted", [DEMO, LICENCE]);
    await expectRevert(asRegistrar.withdrawDocumentType(DEMO, PERMIT), issuerRegistry, "IssuerRegistryDocumentTypeNotGranted", [DEMO, PERMIT]);
    await (await asRegistrar.grantDocumentType(DEMO, LICENCE, LICENCE_SCHEMA)).wait();
    const regranted = await issuerRegistry.documentType(DEMO, LICENCE);
    expect(regranted.grantedAt).toBe(grantedAt);
    expect(regranted.withdrawnAt).toBe(0n);
    expect(await issuerRegistry.documentTypes(DEMO)).toEqual([LICENCE]);
  });
});

describe("IssuerRegistry: signing keys", () => {
  it("registers a key window starting in the future and emits SigningKeyRegistered", async () => {
    const { asRegistrar, issuerRegistry, blockTime } = await readyFixture();
    const from = (await blockTime()) + 100n;
    const until = from + 100n;
    const receipt = await (await asRegistrar.registerSigningKey(DEMO, KEY_2, from, until)).wait();
    expectEvents(receipt, issuerRegistry, "SigningKeyRegistered", [[DEMO, KEY_2, from, until]]);
    const key = await issuerRegistry.signingKey(DEMO, KEY_2);
    expect([key.registered, key.validFrom, key.validUntil, key.compromisedAt]).toEqual([true, from, until, 0n]);
    // The registration block: only batches anchored in a later block count for the key.
    expect(key.registeredBlock).toBe(BigInt(receipt.blockNumber));
    expect(await issuerRegistry.signingKeys(DEMO)).toEqual([KEY_1, KEY_2]);
    expect((await issuerRegistry.signingKey(OTHER, KEY_2)).registered).toBe(false);
  });

  it("reads validFrom 0 as the registration block's time", async () => {
    const { asRegistrar, issuerRegistry, blockTime, setNextBlockTime } = await readyFixture();
    const at = (await blockTime()) + 50n;
    await setNextBlockTime(at);
    const receipt = await (await asRegistrar.registerSigningKey(DEMO, KEY_2, 0n, at + 10n)).wait();
    expectEvents(receipt, issuerRegistry, "SigningKeyRegistered", [[DEMO, KEY_2, at, at + 10n]]);
    expect((await issuerRegistry.signingKey(DEMO, KEY_2)).validFrom).toBe(at);
  });

  it("accepts validFrom equal to the block time and refuses one a second before it (no backdating)", async () => {
    const { asRegistrar, issuerRegistry, blockTime, setNextBlockTime } = await readyFixture();
    const at = (await blockTime()) + 50n;
    await setNextBlockTime(at);
    await expectRevert(asRegistrar.registerSigningKey(DEMO, KEY_2, at - 1n, 0n), issuerRegistry, "IssuerRegistrySigningKeyBackdated", [
      DEMO,
      KEY_2,
      at - 1n,
      at,
    ]);
    await expectRevert(asRegistrar.registerSigningKey(DEMO, KEY_2, 1n, 0n), issuerRegistry, "IssuerRegistrySigningKeyBackdated", [DEMO, KEY_2, 1n, at]);
    await setNextBlockTime(at);
    await (await asRegistrar.registerSigningKey(DEMO, KEY_2, at, 0n)).wait();
    expect((await issuerRegistry.signingKey(DEMO, KEY_2)).validFrom).toBe(at);
  });

  it("refuses a duplicate key, a zero fingerprint and an empty window", async () => {
    const { asRegistrar, issuerRegistry, blockTime } = await readyFixture();
    const from = (await blockTime()) + 100n;
    await expectRevert(asRegistrar.registerSigningKey(DEMO, KEY_1, 0n, 0n), issuerRegistry, "IssuerRegistrySigningKeyAlreadyRegistered", [DEMO, KEY_1]);
    await expectRevert(asRegistrar.registerSigningKey(DEMO, ZeroHash, 0n, 0n), issuerRegistry, "IssuerRegistryZeroFingerprint", [DEMO]);
    await expectRevert(asRegistrar.registerSigningKey(DEMO, KEY_2, from, from), issuerRegistry, "IssuerRegistryInvalidKeyWindow", [DEMO, KEY_2, from, from]);
    await expectRevert(asRegistrar.registerSigningKey(DEMO, KEY_2, from, from - 50n), issuerRegistry, "IssuerRegistryInvalidKeyWindow", [
      DEMO,
      KEY_2,
      from,
      from - 50n,
    ]);
  });

  it("retires a key from a future time, and refuses a retirement in the past or beyond its window", async () => {
    const { asRegistrar, issuerRegistry, blockTime, setNextBlockTime, key1ValidFrom } = await readyFixture();
    const now = (await blockTime()) + 10n;
    await setNextBlockTime(now);
    await expectRevert(asRegistrar.retireSigningKey(DEMO, KEY_1, now - 1n), issuerRegistry, "IssuerRegistryRetirementInPast", [DEMO, KEY_1, now - 1n, now]);
    const until = now + 1000n;
    const receipt = await (await asRegistrar.retireSigningKey(DEMO, KEY_1, until)).wait();
    expectEvents(receipt, issuerRegistry, "SigningKeyRetired", [[DEMO, KEY_1, until]]);
    expect((await issuerRegistry.signingKey(DEMO, KEY_1)).validUntil).toBe(until);
    await expectRevert(asRegistrar.retireSigningKey(DEMO, KEY_1, until + 1n), issuerRegistry, "IssuerRegistryInvalidKeyWindow", [
      DEMO,
      KEY_1,
      key1ValidFrom,
      until + 1n,
    ]);
    await expectRevert(asRegistrar.retireSigningKey(DEMO, KEY_2, until), issuerRegistry, "IssuerRegistryUnknownSigningKey", [DEMO, KEY_2]);
    await (await asRegistrar.registerSigningKey(DEMO, KEY_2, now + 5000n, 0n)).wait();
    await expectRevert(asRegistrar.retireSigningKey(DEMO, KEY_2, now + 4000n), issuerRegistry, "IssuerRegistryInvalidKeyWindow", [
      DEMO,
      KEY_2,
      now + 5000n,
      now + 4000n,
    ]);
  });

  it("marks a key compromised as of a past time, once", async () => {
    const { asRegistrar, issuerRegistry } = await readyFixture();
    const receipt = await (await asRegistrar.markSigningKeyCompromised(DEMO, KEY_1, 7n)).wait();
    expectEvents(receipt, issuerRegistry, "SigningKeyCompromised", [[DEMO, KEY_1, 7n]]);
    expect((await issuerRegistry.signingKey(DEMO, KEY_1)).compromisedAt).toBe(7n);
    await expectRevert(asRegistrar.markSigningKeyCompromised(DEMO, KEY_1, 3n), issuerRegistry, "IssuerRegistrySigningKeyAlreadyCompromised", [DEMO, KEY_1, 7n]);
    await expectRevert(asRegistrar.markSigningKeyCompromised(DEMO, KEY_2, 3n), issuerRegistry, "IssuerRegistryUnknownSigningKey", [DEMO, KEY_2]);
  });

  it("refuses a zero compromise time", async () => {
    const { asRegistrar, issuerRegistry } = await readyFixture();
    await expectRevert(asRegistrar.markSigningKeyCompromised(DEMO, KEY_1, 0n), issuerRegistry, "IssuerRegistryZeroCompromiseTime", [DEMO, KEY_1]);
  });
});

describe("IssuerRegistry: anchorers", () => {
  it("adds and removes anchorers with events and answers isAnchorer and anchorerDepartment", async () => {
    const { asRegistrar, issuerRegistry, anchorer, otherAnchorer } = await readyFixture();
    const added = await (await asRegistrar.addAnchorer(DEMO, otherAnchorer.address)).wait();
    expectEvents(added, issuerRegistry, "AnchorerAdded", [[DEMO, otherAnchorer.address]]);
    expect(await issuerRegistry.isAnchorer(DEMO, otherAnchorer.address)).toBe(true);
    expect(await issuerRegistry.anchorerDepartment(otherAnchorer.address)).toBe(DEMO);
    expect(await issuerRegistry.anchorers(DEMO)).toEqual([anchorer.address, otherAnchorer.address]);
    const removed = await (await asRegistrar.removeAnchorer(DEMO, anchorer.address)).wait();
    expectEvents(removed, issuerRegistry, "AnchorerRemoved", [[DEMO, anchorer.address]]);
    expect(await issuerRegistry.isAnchorer(DEMO, anchorer.address)).toBe(false);
    expect(await issuerRegistry.anchorerDepartment(anchorer.address)).toBe(ZeroHash);
    expect(await issuerRegistry.anchorers(DEMO)).toEqual([otherAnchorer.address]);
    expect(await issuerRegistry.isAnchorer(OTHER, otherAnchorer.address)).toBe(false);
  });

  it("refuses a duplicate anchorer, a zero account and removing a non-anchorer", async () => {
    const { asRegistrar, issuerRegistry, anchorer, stranger } = await readyFixture();
    await expectRevert(asRegistrar.addAnchorer(DEMO, anchorer.address), issuerRegistry, "IssuerRegistryAnchorerAlreadyAdded", [DEMO, anchorer.address]);
    await expectRevert(asRegistrar.addAnchorer(DEMO, ZeroAddress), issuerRegistry, "IssuerRegistryZeroAnchorer", [DEMO]);
    await expectRevert(asRegistrar.removeAnchorer(DEMO, stranger.address), issuerRegistry, "IssuerRegistryUnknownAnchorer", [DEMO, stranger.address]);
    // The zero department never has anchorers, whatever the zero address maps to.
    expect(await issuerRegistry.isAnchorer(ZeroHash, stranger.address)).toBe(false);
  });

  it("lets an account anchor for one department only", async () => {
    const { asRegistrar, issuerRegistry, anchorer } = await readyFixture();
    await (await asRegistrar.registerDepartment(OTHER, "Other", "其他")).wait();
    await expectRevert(asRegistrar.addAnchorer(OTHER, anchorer.address), issuerRegistry, "IssuerRegistryAnchorerOfAnotherDepartment", [
      OTHER,
      anchorer.address,
      DEMO,
    ]);
    expect(await issuerRegistry.isAnchorer(OTHER, anchorer.address)).toBe(false);
    expect(await issuerRegistry.anchorers(OTHER)).toEqual([]);
    // Removing it from a department it never anchored for fails and leaves it anchoring for DEMO.
    await expectRevert(asRegistrar.removeAnchorer(OTHER, anchorer.address), issuerRegistry, "IssuerRegistryUnknownAnchorer", [OTHER, anchorer.address]);
    expect(await issuerRegistry.isAnchorer(DEMO, anchorer.address)).toBe(true);
  });

  it("frees a removed account to anchor for another department, and then not for the first", async () => {
    const { asRegistrar, issuerRegistry, anchorer } = await readyFixture();
    await (await asRegistrar.registerDepartment(OTHER, "Other", "其他")).wait();
    await (await asRegistrar.removeAnchorer(DEMO, anchorer.address)).wait();
    const added = await (await asRegistrar.addAnchorer(OTHER, anchorer.address)).wait();
    expectEvents(added, issuerRegistry, "AnchorerAdded", [[OTHER, anchorer.address]]);
    expect(await issuerRegistry.anchorerDepartment(anchorer.address)).toBe(OTHER);
    expect(await issuerRegistry.isAnchorer(DEMO, anchorer.address)).toBe(false);
    expect(await issuerRegistry.isAnchorer(OTHER, anchorer.address)).toBe(true);
    await expectRevert(asRegistrar.addAnchorer(DEMO, anchorer.address), issuerRegistry, "IssuerRegistryAnchorerOfAnotherDepartment", [
      DEMO,
      anchorer.address,
      OTHER,
    ]);
    // And back again after removal from OTHER.
    await (await asRegistrar.removeAnchorer(OTHER, anchorer.address)).wait();
    await (await asRegistrar.addAnchorer(DEMO, anchorer.address)).wait();
    expect(await issuerRegistry.anchorers(DEMO)).toEqual([anchorer.address]);
    expect(await issuerRegistry.anchorers(OTHER)).toEqual([]);
  });
});

describe("IssuerRegistry: context views", () => {
  it("reports the anchoring context of a department, type and account", async () => {
    const { issuerRegistry, anchorer, stranger } = await readyFixture();
    const ok = await issuerRegistry.anchorContext(DEMO, LICENCE, anchorer.address);
    expect([ok.docTypeIndex, ok.departmentActive, ok.anchorer, ok.typeGranted]).toEqual([1n, true, true, true]);
    const none = await issuerRegistry.anchorContext(OTHER, PERMIT, stranger.address);
    expect([none.docTypeIndex, none.departmentActive, none.anchorer, none.typeGranted]).toEqual([0n, false, false, false]);
    // DEMO's anchorer is no anchorer in OTHER's context.
    expect((await issuerRegistry.anchorContext(OTHER, LICENCE, anchorer.address)).anchorer).toBe(false);
  });

  it("reports the issuer context of a department, type index and key, and zeros for unknown ones", async () => {
    const { issuerRegistry, key1ValidFrom } = await readyFixture();
    const context = await issuerRegistry.issuerContext(DEMO, 1, KEY_1);
    expect(context.docType).toBe(LICENCE);
    expect(context.departmentRegistered).toBe(true);
    expect(context.departmentSuspended).toBe(false);
    expect(context.typeGrantedAt > 0n).toBe(true);
    expect(context.typeWithdrawnAt).toBe(0n);
    expect([context.key.registered, context.key.validFrom]).toEqual([true, key1ValidFrom]);
    const unknown = await issuerRegistry.issuerContext(OTHER, 1, KEY_1);
    expect(unknown.departmentRegistered).toBe(false);
    expect(unknown.typeGrantedAt).toBe(0n);
    expect(unknown.key.registered).toBe(false);
    const unknownType = await issuerRegistry.issuerContext(DEMO, 9, KEY_2);
    expect(unknownType.docType).toBe(ZeroHash);
    expect(unknownType.key.registered).toBe(false);
  });
});
