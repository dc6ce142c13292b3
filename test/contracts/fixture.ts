import { type Contract, encodeBytes32String, id } from "ethers";
import hre from "hardhat";

/** A deployed contract whose methods tests call by name (no typechain here). */
export type TestContract = Contract & Record<string, any>;

export const DEMO = encodeBytes32String("DEMO");
export const OTHER = encodeBytes32String("OTHER");
export const LICENCE = encodeBytes32String("licence");
export const PERMIT = encodeBytes32String("permit");
export const LICENCE_SCHEMA = id("licence@1");
export const KEY_1 = id("key-1");
export const KEY_2 = id("key-2");
export const REGISTRAR_ROLE = id("REGISTRAR_ROLE");
/** The production delay of a DEFAULT_ADMIN_ROLE handover (scripts/deploy-contracts.ts default). */
export const ADMIN_DELAY = 2 * 24 * 3600;

export const Status = {
  Active: 0n,
  Suspended: 1n,
  Revoked: 2n,
  Superseded: 3n,
} as const;

/** A fresh in-process chain with both registries deployed (admin delay ADMIN_DELAY) and nothing registered. */
export async function deployFixture() {
  const { ethers } = await hre.network.create();
  const [admin, registrar, anchorer, stranger, otherAnchorer] = await ethers.getSigners();
  if (!admin || !registrar || !anchorer || !stranger || !otherAnchorer) throw new Error("need 5 signers");
  const issuerRegistry: TestContract = await ethers.deployContract("IssuerRegistry", [ADMIN_DELAY, admin.address, registrar.address]);
  const documentRegistry: TestContract = await ethers.deployContract("DocumentRegistry", [await issuerRegistry.getAddress(), ADMIN_DELAY, admin.address]);
  const asRegistrar = issuerRegistry.connect(registrar) as TestContract;
  const asAnchorer = documentRegistry.connect(anchorer) as TestContract;
  async function blockTime(): Promise<bigint> {
    const block = await ethers.provider.getBlock("latest");
    if (block === null) throw new Error("no block");
    return BigInt(block.timestamp);
  }
  async function increaseTime(seconds: number): Promise<void> {
    await ethers.provider.send("evm_increaseTime", [seconds]);
    await ethers.provider.send("evm_mine", []);
  }
  /** Fixes the time of the next block, so that a test can state the block time a call will see. */
  async function setNextBlockTime(time: bigint): Promise<void> {
    await ethers.provider.send("evm_setNextBlockTimestamp", [Number(time)]);
  }
  return {
    ethers,
    admin,
    registrar,
    anchorer,
    stranger,
    otherAnchorer,
    issuerRegistry,
    documentRegistry,
    asRegistrar,
    asAnchorer,
    blockTime,
    increaseTime,
    setNextBlockTime,
  };
}

/**
 * DEMO registered and Active, licence granted, `anchorer` anchoring for it, KEY_1 registered valid
 * from its registration block (`key1ValidFrom`).
 */
export async function readyFixture() {
  const fixture = await deployFixture();
  const { asRegistrar, anchorer, blockTime } = fixture;
  await (await asRegistrar.registerDepartment(DEMO, "Demo Department", "示範部門")).wait();
  await (await asRegistrar.grantDocumentType(DEMO, LICENCE, LICENCE_SCHEMA)).wait();
  await (await asRegistrar.addAnchorer(DEMO, anchorer.address)).wait();
  await (await asRegistrar.registerSigningKey(DEMO, KEY_1, 0n, 0n)).wait();
  const key1ValidFrom = await blockTime();
  return { ...fixture, key1ValidFrom };
}

/** readyFixture plus OTHER registered, licence granted, `otherAnchorer` anchoring for it, KEY_2 registered. */
export async function twoDepartmentsFixture() {
  const fixture = await readyFixture();
  const { asRegistrar, otherAnchorer, documentRegistry } = fixture;
  await (await asRegistrar.registerDepartment(OTHER, "Other Department", "其他部門")).wait();
  await (await asRegistrar.grantDocumentType(OTHER, LICENCE, LICENCE_SCHEMA)).wait();
  await (await asRegistrar.addAnchorer(OTHER, otherAnchorer.address)).wait();
  await (await asRegistrar.registerSigningKey(OTHER, KEY_2, 0n, 0n)).wait();
  const asOther = documentRegistry.connect(otherAnchorer) as TestContract;
  return { ...fixture, asOther };
}

export function documentId(n: number): string {
  return `0x${n.toString(16).padStart(32, "0")}`;
}

export function root(n: number): string {
  return id(`root-${n}`);
}
