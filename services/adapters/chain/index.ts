/** The chain adapter: the Ledger port on an EVM chain, governance of the IssuerRegistry, deployment. */

export {
  type ContractArtifact,
  type ContractName,
  loadArtifact,
} from "./contract-artifacts.ts";
export {
  type DeployedContracts,
  type DeployOptions,
  deployContracts,
} from "./deploy.ts";
export { EthersLedger, type EthersLedgerOptions } from "./ethers-ledger.ts";
export {
  type DepartmentInfo,
  type DocumentTypeGrant,
  Governance,
  type SigningKeyWindow,
} from "./governance.ts";
