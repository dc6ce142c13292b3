/**
 * Deploys IssuerRegistry and DocumentRegistry on an external chain (the permissioned network of
 * docs/production.md) with production roles from the start: DEFAULT_ADMIN_ROLE to the timelock (or
 * Safe) as the constructor admin, so it never passes through the deployer, with a handover delay
 * (AccessControlDefaultAdminRules: a later admin change is begin, wait the delay, accept); and
 * REGISTRAR_ROLE to the registrar account. The deployer key is read from a file and is left with no
 * role at all.
 *
 *   EPROOF_DEPLOYER_KEY_FILE=/srv/eproof/network/secrets/deployer_key \
 *   node scripts/deploy-contracts.ts --rpc http://validator1:8545 --chain-id 1337852 \
 *     --admin 0xTimelock… --registrar 0xRegistrar… [--admin-delay 172800]
 *
 * A registry move (a new DocumentRegistry against the existing IssuerRegistry; the old DocumentRegistry
 * stays readable and should then be closed with `closeAnchoring` through the timelock):
 *
 *   node scripts/deploy-contracts.ts --rpc … --chain-id … --admin 0xTimelock… --issuer-registry 0xIssuerRegistry…
 *
 * Prints the EPROOF_* lines for the services' environment.
 */
import { readFileSync } from "node:fs";
import { Wallet } from "ethers";
import { type DeployOptions, deployContracts } from "../services/adapters/chain/deploy.ts";
import { createRpcProvider } from "../services/adapters/chain/rpc-provider.ts";
import { secret } from "../services/config.ts";
import type { Hex } from "../services/ports.ts";

/** Two days: long enough for the departments to notice a handover of DEFAULT_ADMIN_ROLE and object. */
export const DEFAULT_ADMIN_DELAY_SECONDS = 2 * 24 * 3600;

const USAGE =
  "usage: node scripts/deploy-contracts.ts --rpc <url> --chain-id <n> --admin <address> " +
  "(--registrar <address> | --issuer-registry <address>) [--admin-delay <seconds>]";

export interface DeployArguments {
  rpc: string;
  chainId: number;
  /** What deployContracts receives: admin, registrar (full deployment), adminDelaySeconds, issuerRegistry (move). */
  options: DeployOptions & { admin: string; adminDelaySeconds: number };
}

function value(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const found = args[at + 1];
  if (found === undefined || found.startsWith("--")) throw new Error(`${name} needs a value; ${USAGE}`);
  return found;
}

function required(args: string[], name: string): string {
  const found = value(args, name);
  if (found === undefined) throw new Error(`missing ${name}; ${USAGE}`);
  return found;
}

function address(found: string, name: string): Hex {
  if (!/^0x[0-9a-fA-F]{40}$/.test(found)) throw new Error(`${name} must be an address (0x + 40 hex digits), not ${found}`);
  return found as Hex;
}

function wholeNumber(found: string, name: string, max: number): number {
  const parsed = /^\d+$/.test(found) ? Number(found) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed > max) throw new Error(`${name} must be a whole number from 0 to ${max}, not ${found}`);
  return parsed;
}

/** Reads the command line; throws with the usage for anything missing or malformed. */
export function parseDeployArguments(args: string[]): DeployArguments {
  const known = new Set(["--rpc", "--chain-id", "--admin", "--registrar", "--admin-delay", "--issuer-registry"]);
  const unknown = args.filter((arg) => arg.startsWith("--") && !known.has(arg));
  if (unknown.length > 0) throw new Error(`unknown option ${unknown.join(", ")}; ${USAGE}`);
  const rpc = required(args, "--rpc");
  const chainId = wholeNumber(required(args, "--chain-id"), "--chain-id", 2 ** 48);
  const admin = address(required(args, "--admin"), "--admin");
  const delay = value(args, "--admin-delay");
  // uint48 in AccessControlDefaultAdminRules.
  const adminDelaySeconds = delay === undefined ? DEFAULT_ADMIN_DELAY_SECONDS : wholeNumber(delay, "--admin-delay", 2 ** 48 - 1);
  const issuerRegistry = value(args, "--issuer-registry");
  const registrar = value(args, "--registrar");
  if (issuerRegistry !== undefined) {
    // The registrar is an IssuerRegistry role: a registry move leaves it as it is.
    if (registrar !== undefined) throw new Error(`--registrar has no effect with --issuer-registry (the IssuerRegistry is not redeployed); ${USAGE}`);
    return { rpc, chainId, options: { admin, adminDelaySeconds, issuerRegistry: address(issuerRegistry, "--issuer-registry") } };
  }
  if (registrar === undefined) throw new Error(`missing --registrar (or --issuer-registry to deploy only a DocumentRegistry); ${USAGE}`);
  return { rpc, chainId, options: { admin, adminDelaySeconds, registrar: address(registrar, "--registrar") } };
}

async function main(args: string[]): Promise<void> {
  const { rpc, chainId, options } = parseDeployArguments(args);
  // Same rules as the service's secrets (services/config.ts secret()): NAME or NAME_FILE, trimmed.
  const deployerKey = secret(process.env, "EPROOF_DEPLOYER_KEY", (path) => readFileSync(path, "utf8"));
  if (!deployerKey) throw new Error("EPROOF_DEPLOYER_KEY_FILE must name the file holding the deployer's private key");
  const provider = createRpcProvider(rpc, chainId);
  try {
    const reported = Number(await provider.send("eth_chainId", []));
    if (reported !== chainId) throw new Error(`the chain at ${rpc} has chain id ${reported}, not ${chainId}`);
    if (options.issuerRegistry !== undefined && (await provider.getCode(options.issuerRegistry)) === "0x") {
      throw new Error(`--issuer-registry ${options.issuerRegistry} has no contract on chain ${chainId}`);
    }
    const deployer = new Wallet(deployerKey, provider);
    const deployed = await deployContracts(deployer, options);
    console.log(`EPROOF_CHAIN_ID=${chainId}`);
    console.log(`EPROOF_ISSUER_REGISTRY=${deployed.issuerRegistry}`);
    console.log(`EPROOF_DOCUMENT_REGISTRY=${deployed.documentRegistry}`);
    const roles = `DEFAULT_ADMIN_ROLE: ${options.admin} (handover delay ${options.adminDelaySeconds} s)`;
    if (options.issuerRegistry !== undefined) {
      console.error(
        `deployed a DocumentRegistry in block ${deployed.deployBlock} against the IssuerRegistry ${options.issuerRegistry}; ${roles}; ` +
          "the deployer holds no role. Point the services at it, then close anchoring on the old DocumentRegistry " +
          "(closeAnchoring() through the timelock): its documents stay verifiable and their statuses can still change.",
      );
    } else {
      console.error(`deployed in block ${deployed.deployBlock}; ${roles}, REGISTRAR_ROLE: ${options.registrar}; the deployer holds no role`);
    }
  } finally {
    provider.destroy();
  }
}

if (import.meta.main) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}
