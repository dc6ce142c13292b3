/**
 * The production governance procedure of docs/production.md: the deployer hands DEFAULT_ADMIN_ROLE
 * of the IssuerRegistry to an OpenZeppelin TimelockController whose proposer and executor is a
 * multisig (here a plain account stands in for the Safe), then renounces it.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { ContractFactory, id, ZeroAddress, ZeroHash, zeroPadValue } from "ethers";
import { describe, expect, it } from "vitest";
import { expectRevert } from "./expect-revert.ts";
import { deployFixture, type TestContract } from "./fixture.ts";

const REGISTRAR_ROLE = id("REGISTRAR_ROLE");
const DELAY = 2 * 24 * 3600;
const timelockArtifact = JSON.parse(
  readFileSync(createRequire(import.meta.url).resolve("@openzeppelin/contracts/build/contracts/TimelockController.json"), "utf8"),
) as { abi: unknown[]; bytecode: string };

describe("IssuerRegistry admin held by a timelock + multisig", () => {
  it("after the handover, only the timelock (proposed by the multisig, after the delay) can grant roles", async () => {
    const { issuerRegistry, admin, stranger: safe, otherAnchorer: newRegistrar, increaseTime } = await deployFixture();
    const registryAddress = await issuerRegistry.getAddress();
    const factory = new ContractFactory(timelockArtifact.abi as never, timelockArtifact.bytecode, admin);
    // proposers = executors = the Safe; no timelock admin (the timelock administers itself).
    const timelock = (await factory.deploy(DELAY, [safe.address], [safe.address], ZeroAddress)) as unknown as TestContract;
    await timelock.waitForDeployment();
    const timelockAddress = await timelock.getAddress();

    // The handover: grant to the timelock, then the deployer renounces.
    await (await issuerRegistry.connect(admin).getFunction("grantRole")(ZeroHash, timelockAddress)).wait();
    await (await issuerRegistry.connect(admin).getFunction("renounceRole")(ZeroHash, admin.address)).wait();
    expect(await issuerRegistry.hasRole(ZeroHash, admin.address)).toBe(false);
    expect(await issuerRegistry.hasRole(ZeroHash, timelockAddress)).toBe(true);

    // The old admin key is now worthless for governance.
    await expectRevert(
      issuerRegistry.connect(admin).getFunction("grantRole")(REGISTRAR_ROLE, newRegistrar.address),
      issuerRegistry,
      "AccessControlUnauthorizedAccount",
      [admin.address, ZeroHash],
    );

    // The multisig proposes a role change through the timelock; it runs only after the delay.
    const data = issuerRegistry.interface.encodeFunctionData("grantRole", [REGISTRAR_ROLE, newRegistrar.address]);
    const salt = id("grant registrar 1");
    const asSafe = timelock.connect(safe) as TestContract;
    await (await asSafe.getFunction("schedule")(registryAddress, 0, data, ZeroHash, salt, DELAY)).wait();
    const operation = await timelock.getFunction("hashOperation")(registryAddress, 0, data, ZeroHash, salt);
    const READY = zeroPadValue("0x04", 32); // expected state bitmap: 1 << OperationState.Ready
    await expectRevert(asSafe.getFunction("execute")(registryAddress, 0, data, ZeroHash, salt), timelock, "TimelockUnexpectedOperationState", [
      operation,
      READY,
    ]);
    await increaseTime(DELAY);
    await (await asSafe.getFunction("execute")(registryAddress, 0, data, ZeroHash, salt)).wait();
    expect(await issuerRegistry.hasRole(REGISTRAR_ROLE, newRegistrar.address)).toBe(true);

    // Nobody but the multisig can propose.
    await expectRevert(
      (timelock.connect(admin) as TestContract).getFunction("schedule")(registryAddress, 0, data, ZeroHash, id("other"), DELAY),
      timelock,
      "AccessControlUnauthorizedAccount",
      [admin.address, await timelock.getFunction("PROPOSER_ROLE")()],
    );
  });
});
