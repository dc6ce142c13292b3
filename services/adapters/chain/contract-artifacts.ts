/**
 * ABI and bytecode of the e-Proof contracts, read from Hardhat's build output
 * (`artifacts/contracts/<Name>.sol/<Name>.json`, produced by `npm run compile`).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Interface, type InterfaceAbi } from "ethers";
import { EProofError } from "../../errors.ts";
import type { Hex } from "../../ports.ts";

export type ContractName = "IssuerRegistry" | "DocumentRegistry";

export interface ContractArtifact {
  contractName: ContractName;
  abi: InterfaceAbi;
  bytecode: Hex;
}

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const cache = new Map<ContractName, ContractArtifact>();

/** The artifact of `name`; throws CONFIG_INVALID (with what to run) when the contracts are not built. */
export function loadArtifact(name: ContractName): ContractArtifact {
  const cached = cache.get(name);
  if (cached !== undefined) return cached;
  const path = `${repoRoot}artifacts/contracts/${name}.sol/${name}.json`;
  let json: { abi?: InterfaceAbi; bytecode?: string };
  try {
    json = JSON.parse(readFileSync(path, "utf8")) as {
      abi?: InterfaceAbi;
      bytecode?: string;
    };
  } catch (cause) {
    throw new EProofError("CONFIG_INVALID", `Contract artifact ${path} is missing or unreadable: run \`npm run compile\`.`, {
      cause,
    });
  }
  if (json.abi === undefined || typeof json.bytecode !== "string" || !json.bytecode.startsWith("0x")) {
    throw new EProofError("CONFIG_INVALID", `Contract artifact ${path} has no ABI or bytecode: run \`npm run compile\`.`);
  }
  const artifact: ContractArtifact = {
    contractName: name,
    abi: json.abi,
    bytecode: json.bytecode as Hex,
  };
  cache.set(name, artifact);
  return artifact;
}

let errorsInterface: Interface | undefined;

/** One interface that knows the custom errors of both registries (and OpenZeppelin's AccessControl). */
export function contractErrorsInterface(): Interface {
  if (errorsInterface === undefined) {
    const fragments = [loadArtifact("DocumentRegistry"), loadArtifact("IssuerRegistry")].flatMap((artifact) =>
      new Interface(artifact.abi).fragments.filter((fragment) => fragment.type === "error"),
    );
    errorsInterface = new Interface(fragments);
  }
  return errorsInterface;
}
