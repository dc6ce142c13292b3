/** Deploys IssuerRegistry and DocumentRegistry (e.g. on first start of the embedded chain). */
import { ContractFactory, type Signer } from "ethers";
import type { Hex } from "../../ports.ts";
import { toChainError } from "./chain-errors.ts";
import { loadArtifact } from "./contract-artifacts.ts";

export interface DeployOptions {
  /** DEFAULT_ADMIN_ROLE holder of both registries (a multisig / timelock in production). Default: the deployer. */
  admin?: string;
  /** Initial REGISTRAR_ROLE holder. Default: the deployer, so it can register the first department. */
  registrar?: string;
  /**
   * Delay of a DEFAULT_ADMIN_ROLE handover (AccessControlDefaultAdminRules), seconds. Default 0 (a dev
   * chain); production uses days (scripts/deploy-contracts.ts).
   */
  adminDelaySeconds?: number;
  /**
   * Deploy only a new DocumentRegistry against this existing IssuerRegistry (a registry move: the old
   * DocumentRegistry stays a trusted, read-only registry for what it anchored).
   */
  issuerRegistry?: Hex;
}

export interface DeployedContracts {
  issuerRegistry: Hex;
  documentRegistry: Hex;
  /** Block of the first deployment: where log queries may start. */
  deployBlock: number;
  /** Block time of the DocumentRegistry's deployment, unix seconds: the start of its trust period. */
  deployedAt: number;
}

export async function deployContracts(deployer: Signer, options: DeployOptions = {}): Promise<DeployedContracts> {
  try {
    const deployerAddress = await deployer.getAddress();
    const admin = options.admin ?? deployerAddress;
    const delay = options.adminDelaySeconds ?? 0;
    let issuerAddress = options.issuerRegistry;
    let deployBlock: number | undefined;
    if (issuerAddress === undefined) {
      const issuerArtifact = loadArtifact("IssuerRegistry");
      const issuerFactory = new ContractFactory(issuerArtifact.abi, issuerArtifact.bytecode, deployer);
      const issuer = await issuerFactory.deploy(delay, admin, options.registrar ?? deployerAddress);
      await issuer.waitForDeployment();
      deployBlock = (await issuer.deploymentTransaction()?.wait())?.blockNumber;
      issuerAddress = (await issuer.getAddress()) as Hex;
    }
    const documentArtifact = loadArtifact("DocumentRegistry");
    const documentFactory = new ContractFactory(documentArtifact.abi, documentArtifact.bytecode, deployer);
    const document = await documentFactory.deploy(issuerAddress, delay, admin);
    await document.waitForDeployment();
    const documentReceipt = await document.deploymentTransaction()?.wait();
    const block = documentReceipt ? await documentReceipt.getBlock() : null;
    return {
      issuerRegistry: issuerAddress,
      documentRegistry: (await document.getAddress()) as Hex,
      deployBlock: deployBlock ?? documentReceipt?.blockNumber ?? 0,
      deployedAt: block?.timestamp ?? 0,
    };
  } catch (error) {
    throw toChainError(error, "contract deployment");
  }
}
