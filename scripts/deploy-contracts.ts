/**
 * Deploys IssuerRegistry and DocumentRegistry on an external chain (the permissioned network of
 * docs/production.md) with production roles from the start: DEFAULT_ADMIN_ROLE to the timelock (or
 * Safe), REGISTRAR_ROLE to the registrar account. The deployer key is read from a file and is left
 * with no role at all.
 *
 *   EPROOF_DEPLOYER_KEY_FILE=/srv/eproof/network/secrets/deployer_key \
 *   node scripts/deploy-contracts.ts --rpc http://validator1:8545 --chain-id 1337852 \
 *     --admin 0xTimelock… --registrar 0xRegistrar…
 *
 * Prints the EPROOF_* lines for the services' environment.
 */
import { readFileSync } from "node:fs";
import { Wallet } from "ethers";
import { deployContracts } from "../services/adapters/chain/deploy.ts";
import { createRpcProvider } from "../services/adapters/chain/rpc-provider.ts";
import { secret } from "../services/config.ts";

function argument(args: string[], name: string): string {
  const at = args.indexOf(name);
  const value = at >= 0 ? args[at + 1] : undefined;
  if (!value) throw new Error(`missing ${name}; usage: node scripts/deploy-contracts.ts --rpc <url> --chain-id <n> --admin <address> --registrar <address>`);
  return value;
}

function address(value: string, name: string): string {
  if (!/^0x[0-9a-fA-F]{40}$/.test(value)) throw new Error(`${name} must be an address (0x + 40 hex digits)`);
  return value;
}

async function main(args: string[]): Promise<void> {
  const rpc = argument(args, "--rpc");
  const chainId = Number(argument(args, "--chain-id"));
  const admin = address(argument(args, "--admin"), "--admin");
  const registrar = address(argument(args, "--registrar"), "--registrar");
  // Same rules as the service's secrets (services/config.ts secret()): NAME or NAME_FILE, trimmed.
  const deployerKey = secret(process.env, "EPROOF_DEPLOYER_KEY", (path) => readFileSync(path, "utf8"));
  if (!deployerKey) throw new Error("EPROOF_DEPLOYER_KEY_FILE must name the file holding the deployer's private key");
  const provider = createRpcProvider(rpc, chainId);
  try {
    const reported = Number(await provider.send("eth_chainId", []));
    if (reported !== chainId) throw new Error(`the chain at ${rpc} has chain id ${reported}, not ${chainId}`);
    const deployer = new Wallet(deployerKey, provider);
    const deployed = await deployContracts(deployer, { admin, registrar });
    console.log(`EPROOF_CHAIN_ID=${chainId}`);
    console.log(`EPROOF_ISSUER_REGISTRY=${deployed.issuerRegistry}`);
    console.log(`EPROOF_DOCUMENT_REGISTRY=${deployed.documentRegistry}`);
    console.error(`deployed in block ${deployed.deployBlock}; DEFAULT_ADMIN_ROLE: ${admin}, REGISTRAR_ROLE: ${registrar}; the deployer holds no role`);
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
