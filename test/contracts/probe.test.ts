import hre from "hardhat";
import { describe, expect, it } from "vitest";
describe("probe", () => {
  it("deploys", async () => {
    const { ethers } = await hre.network.create();
    const c = await ethers.deployContract("Probe");
    expect(await c.getAddress()).toMatch(/^0x/);
  });
});
