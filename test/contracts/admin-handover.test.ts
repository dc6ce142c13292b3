/**
 * The production governance procedure of docs/production.md: DEFAULT_ADMIN_ROLE of both registries
 * is held by an OpenZeppelin TimelockController whose proposer and executor is a multisig (here a
 * plain account stands in for the Safe). Both registries are AccessControlDefaultAdminRules: the
 * role is never granted directly, only handed over in two steps (begin, then accept by the new admin
 * after the admin delay).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { ContractFactory, id, ZeroAddress, ZeroHash, zeroPadValue } from "ethers";
import { describe, expect, it } from "vitest";
import { expectRevert } from "./expect-revert.ts";
import { ADMIN_DELAY, DEMO, deployFixture, LICENCE, LICENCE_SCHEMA, REGISTRAR_ROLE, root, type TestContract } from "./fixture.ts";

const TIMELOCK_DELAY = 24 * 3600;
const READY = zeroPadValue("0x04", 32); // expected-state bitmap: 1 << OperationState.Ready
const timelockArtifact = JSON.parse(
  readFileSync(createRequire(import.meta.url).resolve("@openzeppelin/contracts/build/contracts/TimelockController.json"), "utf8"),
) as { abi: unknown[]; bytecode: string };

/** A fresh chain with a TimelockController (proposer = executor = the "Safe", no timelock admin). */
async function withTimelock() {
  const fixture = await deployFixture();
  const { admin, stranger: safe, increaseTime } = fixture;
  const factory = new ContractFactory(timelockArtifact.abi as never, timelockArtifact.bytecode, admin);
  const timelock = (await factory.deploy(TIMELOCK_DELAY, [safe.address], [safe.address], ZeroAddress)) as unknown as TestContract;
  await timelock.waitForDeployment();
  const timelockAddress = await timelock.getAddress();
  const asSafe = timelock.connect(safe) as TestContract;
  let salts = 0;
  /** The Safe schedules `data` on `target` through the timelock; returns how to execute it. */
  async function schedule(target: TestContract, data: string) {
    const targetAddress = await target.getAddress();
    const salt = id(`operation ${++salts}`);
    await (await asSafe.schedule(targetAddress, 0, data, ZeroHash, salt, TIMELOCK_DELAY)).wait();
    const operation: string = await timelock.hashOperation(targetAddress, 0, data, ZeroHash, salt);
    return { operation, execute: () => asSafe.execute(targetAddress, 0, data, ZeroHash, salt) };
  }
  /** Schedules, waits out the timelock delay, and executes. */
  async function throughTimelock(target: TestContract, data: string): Promise<void> {
    const { execute } = await schedule(target, data);
    await increaseTime(TIMELOCK_DELAY);
    await (await execute()).wait();
  }
  return { ...fixture, safe, timelock, timelockAddress, asSafe, schedule, throughTimelock };
}

describe("Registries deployed with a timelock + multisig as admin from the start", () => {
  it("gives the deployer no role, and lets only the timelock (proposed by the multisig, after its delay) grant roles and close anchoring", async () => {
    const { ethers, admin: deployer, registrar, timelock, timelockAddress, schedule, throughTimelock, increaseTime, anchorer } = await withTimelock();
    const issuerRegistry = (await ethers.deployContract("IssuerRegistry", [ADMIN_DELAY, timelockAddress, registrar.address])) as TestContract;
    const documentRegistry = (await ethers.deployContract("DocumentRegistry", [
      await issuerRegistry.getAddress(),
      ADMIN_DELAY,
      timelockAddress,
    ])) as TestContract;
    for (const registry of [issuerRegistry, documentRegistry]) {
      expect(await registry.defaultAdmin()).toBe(timelockAddress);
      expect(await registry.hasRole(ZeroHash, deployer.address)).toBe(false);
      expect(await registry.defaultAdminDelay()).toBe(BigInt(ADMIN_DELAY));
    }
    // The deployer key is worthless for governance.
    await expectRevert(
      (issuerRegistry.connect(deployer) as TestContract).grantRole(REGISTRAR_ROLE, deployer.address),
      issuerRegistry,
      "AccessControlUnauthorizedAccount",
      [deployer.address, ZeroHash],
    );
    await expectRevert((documentRegistry.connect(deployer) as TestContract).closeAnchoring(), documentRegistry, "AccessControlUnauthorizedAccount", [
      deployer.address,
      ZeroHash,
    ]);

    // The multisig proposes a new registrar through the timelock; it runs only after the delay.
    const grant = issuerRegistry.interface.encodeFunctionData("grantRole", [REGISTRAR_ROLE, anchorer.address]);
    const { operation, execute } = await schedule(issuerRegistry, grant);
    await expectRevert(execute(), timelock, "TimelockUnexpectedOperationState", [operation, READY]);
    await increaseTime(TIMELOCK_DELAY);
    await (await execute()).wait();
    expect(await issuerRegistry.hasRole(REGISTRAR_ROLE, anchorer.address)).toBe(true);

    // Closing anchoring (a registry move) goes the same way.
    await throughTimelock(documentRegistry, documentRegistry.interface.encodeFunctionData("closeAnchoring"));
    expect(await documentRegistry.anchoringClosedAt()).not.toBe(0n);

    // Nobody but the multisig can propose.
    await expectRevert(
      (timelock.connect(deployer) as TestContract).schedule(await issuerRegistry.getAddress(), 0, grant, ZeroHash, id("other"), TIMELOCK_DELAY),
      timelock,
      "AccessControlUnauthorizedAccount",
      [deployer.address, await timelock.PROPOSER_ROLE()],
    );
  });
});

describe("Handing DEFAULT_ADMIN_ROLE of an existing deployment to the timelock (begin, wait, accept)", () => {
  it("moves the admin of both registries only when the timelock accepts after the admin delay", async () => {
    const {
      admin,
      stranger: safe,
      issuerRegistry,
      documentRegistry,
      timelockAddress,
      schedule,
      blockTime,
      increaseTime,
      registrar,
      anchorer,
    } = await withTimelock();
    for (const registry of [issuerRegistry, documentRegistry]) {
      const asAdmin = registry.connect(admin) as TestContract;
      await (await asAdmin.beginDefaultAdminTransfer(timelockAddress)).wait();
      const acceptAfter = (await blockTime()) + BigInt(ADMIN_DELAY);
      const pending = await registry.pendingDefaultAdmin();
      expect([pending.newAdmin, pending.schedule]).toEqual([timelockAddress, acceptAfter]);
      // Only the pending admin may accept: not the old admin, not the multisig itself.
      for (const account of [admin, safe]) {
        await expectRevert((registry.connect(account) as TestContract).acceptDefaultAdminTransfer(), registry, "AccessControlInvalidDefaultAdmin", [
          account.address,
        ]);
      }

      // The timelock schedules the acceptance; once its own delay is over the admin delay is not.
      const accept = await schedule(registry, registry.interface.encodeFunctionData("acceptDefaultAdminTransfer"));
      await increaseTime(TIMELOCK_DELAY);
      await expectRevert(accept.execute(), registry, "AccessControlEnforcedDefaultAdminDelay", [acceptAfter]);
      expect(await registry.defaultAdmin()).toBe(admin.address);

      // After the admin delay the same operation goes through.
      await increaseTime(ADMIN_DELAY - TIMELOCK_DELAY);
      await (await accept.execute()).wait();
      expect(await registry.defaultAdmin()).toBe(timelockAddress);
      expect(await registry.hasRole(ZeroHash, timelockAddress)).toBe(true);
      expect(await registry.hasRole(ZeroHash, admin.address)).toBe(false);
      const cleared = await registry.pendingDefaultAdmin();
      expect([cleared.newAdmin, cleared.schedule]).toEqual([ZeroAddress, 0n]);
      await expectRevert(asAdmin.grantRole(REGISTRAR_ROLE, admin.address), registry, "AccessControlUnauthorizedAccount", [admin.address, ZeroHash]);
      await expectRevert(asAdmin.beginDefaultAdminTransfer(admin.address), registry, "AccessControlUnauthorizedAccount", [admin.address, ZeroHash]);
    }
    // Day-to-day governance and anchoring are untouched by the handover.
    const asRegistrar = issuerRegistry.connect(registrar) as TestContract;
    await (await asRegistrar.registerDepartment(DEMO, "Demo Department", "示範部門")).wait();
    await (await asRegistrar.grantDocumentType(DEMO, LICENCE, LICENCE_SCHEMA)).wait();
    await (await asRegistrar.addAnchorer(DEMO, anchorer.address)).wait();
    await (await (documentRegistry.connect(anchorer) as TestContract).anchorBatch(DEMO, LICENCE, root(1), 1)).wait();
  });

  it("lets the old admin cancel a pending handover before it is accepted", async () => {
    const { admin, issuerRegistry, timelockAddress } = await withTimelock();
    const asAdmin = issuerRegistry.connect(admin) as TestContract;
    await (await asAdmin.beginDefaultAdminTransfer(timelockAddress)).wait();
    await (await asAdmin.cancelDefaultAdminTransfer()).wait();
    const pending = await issuerRegistry.pendingDefaultAdmin();
    expect([pending.newAdmin, pending.schedule]).toEqual([ZeroAddress, 0n]);
    expect(await issuerRegistry.defaultAdmin()).toBe(admin.address);
  });
});
