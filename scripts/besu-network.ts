/**
 * Generates the secret half of the permissioned network in deploy/besu, OUTSIDE the repository:
 * four QBFT validator node keys, the genesis (deploy/besu/genesis.template.json with the validators
 * in its extraData), the node allowlist, and the bootnode for docker compose.
 *
 *   node scripts/besu-network.ts --out /srv/eproof/network [--chain-id 1337852] [--fund 0xAdmin…]
 *
 * Writes <out>/validator{1..4}/key (mode 0600; Besu's node key), <out>/genesis.json,
 * <out>/permissions_config.toml, <out>/network.env (BESU_BOOTNODES). Refuses to overwrite keys and
 * refuses an output folder inside this repository.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { encodeRlp, SigningKey, Wallet, zeroPadValue } from "ethers";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const TEMPLATE = resolve(REPO, "deploy/besu/genesis.template.json");

export interface Validator {
  name: string;
  privateKey: string;
  /** The account address derived from the node key: what QBFT lists as a validator. */
  address: string;
  /** The node's public key without the 0x04 prefix: the enode id. */
  enodeId: string;
}

/** QBFT genesis extraData: RLP([32-byte vanity, [validators], vote = [], round = 0, seals = []]). */
export function qbftExtraData(validators: readonly string[]): string {
  return encodeRlp([zeroPadValue("0x", 32), validators.map((a) => a.toLowerCase()), [], "0x", []]);
}

export function validatorFromKey(name: string, privateKey: string): Validator {
  const key = new SigningKey(privateKey);
  return { name, privateKey, address: new Wallet(privateKey).address, enodeId: key.publicKey.slice(4) };
}

/** The genesis for these validators: the template with chainId, extraData and optional prefunded accounts (e.g. the deployer). */
export function buildGenesis(
  template: Record<string, any>,
  chainId: number,
  validators: readonly Validator[],
  fund: readonly string[] = [],
): Record<string, any> {
  const genesis = structuredClone(template);
  delete genesis._comment;
  genesis.config.chainId = chainId;
  genesis.extraData = qbftExtraData(validators.map((v) => v.address));
  // Zero gas price: no account needs ether to transact. Funding the deployer anyway lets deployment
  // tools that ask the node for a fee suggestion work unchanged. The ether has no value off this chain.
  genesis.alloc = Object.fromEntries(fund.map((address) => [address.toLowerCase().replace(/^0x/, ""), { balance: "0xd3c21bcecceda1000000" }]));
  return genesis;
}

function argument(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

function main(args: string[]): void {
  const out = argument(args, "--out");
  if (!out) throw new Error("usage: node scripts/besu-network.ts --out <folder outside the repository> [--chain-id N] [--fund 0x…,0x…]");
  const outDir = resolve(out);
  if (!relative(REPO, outDir).startsWith("..")) throw new Error(`refusing to write keys inside the repository (${outDir}); choose a folder outside it`);
  const chainId = Number(argument(args, "--chain-id") ?? "1337852");
  if (!Number.isSafeInteger(chainId) || chainId < 1) throw new Error("--chain-id must be a positive integer");
  const fund = (argument(args, "--fund") ?? "").split(",").filter(Boolean);
  for (const address of fund) if (!/^0x[0-9a-fA-F]{40}$/.test(address)) throw new Error(`--fund: not an address: ${address}`);

  const validators = [1, 2, 3, 4].map((n) => {
    const name = `validator${n}`;
    const keyPath = resolve(outDir, name, "key");
    if (existsSync(keyPath)) return validatorFromKey(name, readFileSync(keyPath, "utf8").trim());
    mkdirSync(dirname(keyPath), { recursive: true, mode: 0o700 });
    const validator = validatorFromKey(name, Wallet.createRandom().privateKey);
    writeFileSync(keyPath, `${validator.privateKey}\n`, { mode: 0o600 });
    chmodSync(keyPath, 0o600);
    return validator;
  });
  const template = JSON.parse(readFileSync(TEMPLATE, "utf8")) as Record<string, any>;
  writeFileSync(resolve(outDir, "genesis.json"), `${JSON.stringify(buildGenesis(template, chainId, validators, fund), null, 2)}\n`);
  const enodes = validators.map((v) => `enode://${v.enodeId}@${v.name}:30303`);
  writeFileSync(resolve(outDir, "permissions_config.toml"), `nodes-allowlist=${JSON.stringify(enodes)}\n`);
  writeFileSync(resolve(outDir, "network.env"), `BESU_BOOTNODES=${enodes[0]}\n`);
  for (const v of validators) console.log(`${v.name}  ${v.address}`);
  console.log(`wrote genesis.json, permissions_config.toml, network.env and the validator keys under ${outDir}`);
}

if (import.meta.main) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
