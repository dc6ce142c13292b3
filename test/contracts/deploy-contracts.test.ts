/**
 * scripts/deploy-contracts.ts: its command line, and what it deploys with it (through the same
 * deployContracts the script calls), on an in-process chain.
 */
import { ZeroHash } from "ethers";
import hre from "hardhat";
import { describe, expect, it } from "vitest";
import { DEFAULT_ADMIN_DELAY_SECONDS, parseDeployArguments } from "../../scripts/deploy-contracts.ts";
import { deployContracts } from "../../services/adapters/chain/deploy.ts";
import { REGISTRAR_ROLE, type TestContract } from "./fixture.ts";

const TIMELOCK = "0x00000000000000000000000000000000000071e1";
const REGISTRAR = "0x0000000000000000000000000000000000000a11";
const base = ["--rpc", "http://validator1:8545", "--chain-id", "1337852", "--admin", TIMELOCK];

describe("deploy-contracts: command line", () => {
  it("defaults the admin handover delay to two days and takes --admin-delay in seconds", () => {
    expect(DEFAULT_ADMIN_DELAY_SECONDS).toBe(172_800);
    expect(parseDeployArguments([...base, "--registrar", REGISTRAR])).toEqual({
      rpc: "http://validator1:8545",
      chainId: 1_337_852,
      options: { admin: TIMELOCK, adminDelaySeconds: 172_800, registrar: REGISTRAR },
    });
    expect(parseDeployArguments([...base, "--registrar", REGISTRAR, "--admin-delay", "0"]).options.adminDelaySeconds).toBe(0);
  });

  it("deploys only a DocumentRegistry with --issuer-registry, and then takes no registrar", () => {
    const issuerRegistry = "0x00000000000000000000000000000000000015e6";
    expect(parseDeployArguments([...base, "--issuer-registry", issuerRegistry]).options).toEqual({
      admin: TIMELOCK,
      adminDelaySeconds: 172_800,
      issuerRegistry,
    });
    expect(() => parseDeployArguments([...base, "--issuer-registry", issuerRegistry, "--registrar", REGISTRAR])).toThrow(/--registrar has no effect/);
  });

  it("refuses a missing registrar, a malformed address or delay, and unknown options", () => {
    expect(() => parseDeployArguments(base)).toThrow(/missing --registrar/);
    expect(() => parseDeployArguments(["--rpc", "x", "--chain-id", "1", "--registrar", REGISTRAR])).toThrow(/missing --admin/);
    expect(() => parseDeployArguments([...base, "--registrar", "0x1234"])).toThrow(/--registrar must be an address/);
    expect(() => parseDeployArguments([...base, "--registrar", REGISTRAR, "--admin-delay", "2d"])).toThrow(/--admin-delay must be a whole number/);
    expect(() => parseDeployArguments([...base, "--registrar", REGISTRAR, "--admin-delay", String(2 ** 48)])).toThrow(/--admin-delay/);
    expect(() => parseDeployArguments([...base, "--registrar", REGISTRAR, "--admin-delay"])).toThrow(/--admin-delay needs a value/);
    expect(() => parseDeployArguments([...base, "--registrar", REGISTRAR, "--renounce"])).toThrow(/unknown option --renounce/);
  });
});

describe("deploy-contracts: what it deploys", () => {
  it("gives DEFAULT_ADMIN_ROLE of both registries to the admin from the start, with the delay, and the deployer no role", async () => {
    const { ethers } = await hre.network.create();
    const [deployer] = await ethers.getSigners();
    if (deployer === undefined) throw new Error("no signer");
    const { options } = parseDeployArguments([...base, "--registrar", REGISTRAR]);
    const deployed = await deployContracts(deployer, options);
    const issuer = (await ethers.getContractAt("IssuerRegistry", deployed.issuerRegistry)) as unknown as TestContract;
    const document = (await ethers.getContractAt("DocumentRegistry", deployed.documentRegistry)) as unknown as TestContract;
    for (const registry of [issuer, document]) {
      expect((await registry.defaultAdmin()).toLowerCase()).toBe(TIMELOCK);
      expect(await registry.defaultAdminDelay()).toBe(172_800n);
      expect(await registry.hasRole(ZeroHash, deployer.address)).toBe(false);
    }
    expect(await issuer.hasRole(REGISTRAR_ROLE, REGISTRAR)).toBe(true);
    expect(await issuer.hasRole(REGISTRAR_ROLE, deployer.address)).toBe(false);
    expect(await document.issuerRegistry()).toBe(deployed.issuerRegistry);
  });

  it("deploys a new DocumentRegistry against the existing IssuerRegistry for a registry move", async () => {
    const { ethers } = await hre.network.create();
    const [deployer] = await ethers.getSigners();
    if (deployer === undefined) throw new Error("no signer");
    const first = await deployContracts(deployer, parseDeployArguments([...base, "--registrar", REGISTRAR]).options);
    const { options } = parseDeployArguments([...base, "--issuer-registry", first.issuerRegistry, "--admin-delay", "3600"]);
    const moved = await deployContracts(deployer, options);
    expect(moved.issuerRegistry).toBe(first.issuerRegistry);
    expect(moved.documentRegistry).not.toBe(first.documentRegistry);
    const document = (await ethers.getContractAt("DocumentRegistry", moved.documentRegistry)) as unknown as TestContract;
    expect(await document.issuerRegistry()).toBe(first.issuerRegistry);
    expect((await document.defaultAdmin()).toLowerCase()).toBe(TIMELOCK);
    expect(await document.defaultAdminDelay()).toBe(3600n);
    expect(moved.deployBlock).toBeGreaterThan(first.deployBlock);
  });
});
