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

export const Status = {
  Active: 0n,
  Suspended: 1n,
  Revoked: 2n,
  Superseded: 3n,
} as const;

/** A fresh in-process chain with both registries deployed and nothing registered. */
export async function deployFixture() {
  const { ethers } = await hre.network.create();
  const [admin, registrar, anchorer, stranger, otherAnchorer] = await ethers.getSigners();
  if (!admin || !registrar || !anchorer || !stranger || !otherAnchorer) throw new Error("need 5 signers");
  const issuerRegistry: TestContract = await ethers.deployContract("IssuerRegistry", [admin.address, registrar.address]);
  const documentRegistry: TestContract = await ethers.deployContract("DocumentRegistry", [await issuerRegistry.getAddress()]);
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
  };
}

/** DEMO registered and Active, licence granted, `anchorer` anchoring for it, KEY_1 registered. */
export async function readyFixture() {
  const fixture = await deployFixture();
  const { asRegistrar, anchorer } = fixture;
  await (await asRegistrar.registerDepartment(DEMO, "Demo Department", "示範部門")).wait();
  await (await asRegistrar.grantDocumentType(DEMO, LICENCE, LICENCE_SCHEMA)).wait();
  await (await asRegistrar.addAnchorer(DEMO, anchorer.address)).wait();
  await (await asRegistrar.registerSigningKey(DEMO, KEY_1, 1n, 0n)).wait();
  return fixture;
}

export function documentId(n: number): string {
  return `0x${n.toString(16).padStart(32, "0")}`;
}

export function root(n: number): string {
  return id(`root-${n}`);
}
