/** Deploys IssuerRegistry and DocumentRegistry (e.g. on first start of the embedded chain). */
import { ContractFactory, type Signer } from "ethers";
import type { Hex } from "../../ports.ts";
import { toChainError } from "./chain-errors.ts";
import { loadArtifact } from "./contract-artifacts.ts";

export interface DeployOptions {
  /** DEFAULT_ADMIN_ROLE holder (a multisig / timelock in production). Default: the deployer. */
  admin?: string;
  /** Initial REGISTRAR_ROLE holder. Default: the deployer, so it can register the first department. */
  registrar?: string;
}

export interface DeployedContracts {
  issuerRegistry: Hex;
  documentRegistry: Hex;
  /** Block of the first deployment: where log queries may start. */
  deployBlock: number;
}

export async function deployContracts(deployer: Signer, options: DeployOptions = {}): Promise<DeployedContracts> {
  try {
    const deployerAddress = await deployer.getAddress();
    const issuerArtifact = loadArtifact("IssuerRegistry");
    const documentArtifact = loadArtifact("DocumentRegistry");
    const issuerFactory = new ContractFactory(issuerArtifact.abi, issuerArtifact.bytecode, deployer);
    const issuer = await issuerFactory.deploy(options.admin ?? deployerAddress, options.registrar ?? deployerAddress);
    await issuer.waitForDeployment();
    const issuerReceipt = await issuer.deploymentTransaction()?.wait();
    const issuerAddress = (await issuer.getAddress()) as Hex;
    const documentFactory = new ContractFactory(documentArtifact.abi, documentArtifact.bytecode, deployer);
    const document = await documentFactory.deploy(issuerAddress);
    await document.waitForDeployment();
    return {
      issuerRegistry: issuerAddress,
      documentRegistry: (await document.getAddress()) as Hex,
      deployBlock: issuerReceipt?.blockNumber ?? 0,
    };
  } catch (error) {
    throw toChainError(error, "contract deployment");
  }
}
