import { id } from "ethers";
import hre from "hardhat";
import { deployContracts } from "../../services/adapters/chain/deploy.ts";
import { Governance } from "../../services/adapters/chain/governance.ts";
import type { Hex } from "../../services/ports.ts";

/**
 * A fresh Hardhat in-process chain with both registries deployed, on which department DEMO is
 * registered, may issue "licence" (schema id("licence@1")) and has the second signer as its anchorer.
 */
export async function demoChain() {
  const { ethers } = await hre.network.create();
  const [deployer, anchorer] = await ethers.getSigners();
  if (!deployer || !anchorer) throw new Error("need 2 signers");
  const deployed = await deployContracts(deployer);
  const governance = new Governance(deployer, deployed.issuerRegistry);
  await governance.registerDepartment("DEMO", { en: "Demo", zhHK: "示範" });
  await governance.grantDocumentType("DEMO", "licence", id("licence@1") as Hex);
  await governance.addAnchorer("DEMO", anchorer.address);
  return { ethers, deployer, anchorer, deployed, governance };
}
