/**
 * First start of the embedded profile: the administrator's account, the contracts, the DEMO
 * department with every built-in type, its signing key and its own anchoring account (both in key
 * custody), and an officer API key written to data/dev-credentials.json. The deployment is recorded in
 * data/chain/deployment.json; a later start reuses it, and redeploys only if the chain no longer has
 * the contracts (its state file was lost).
 */
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Wallet } from "ethers";
import { deployContracts } from "../adapters/chain/deploy.ts";
import { Governance } from "../adapters/chain/governance.ts";
import { createRpcProvider } from "../adapters/chain/rpc-provider.ts";
import { hashApiKey, newApiKey } from "../adapters/http/auth.ts";
import { jwkThumbprint } from "../adapters/signing/es256.ts";
import { documentTypes } from "../domain/document-types.ts";
import { EProofError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { ApiKeyRecords, Hex, KeyCustody, SigningKeyMirror } from "../ports.ts";

export const DEMO_DEPARTMENT = { code: "DEMO", name: { en: "Demonstration Department", zhHK: "示範部門" } };

/** The contracts' generation this code speaks (2: batches per department, no reason codes on chain). */
export const DEPLOYMENT_VERSION = 2;

export interface Deployment {
  version: number;
  chainId: number;
  documentRegistry: Hex;
  issuerRegistry: Hex;
  adminKey: string;
}

function readJson<T>(path: string): T | null {
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as T) : null;
}

/** Gives `account` 1,000 ETH of dev gas money on the embedded chain (anvil). */
export async function fundOnDevChain(rpcUrl: string, chainId: number, account: string): Promise<void> {
  const provider = createRpcProvider(rpcUrl, chainId);
  try {
    await provider.send("anvil_setBalance", [account, "0x3635C9ADC5DEA00000"]);
  } finally {
    provider.destroy();
  }
}

/**
 * A data folder from before contracts v2 (batches keyed by root alone, reason codes on chain) cannot
 * be carried over: its contracts speak another interface. Stop with what to do, never a stack trace.
 */
function refuseOlderDeployment(dataDir: string, known: { version?: number }): void {
  if (known.version === DEPLOYMENT_VERSION) return;
  throw new EProofError(
    "CONFIG_INVALID",
    `the data folder ${dataDir} was made by an earlier e-Proof (contracts v${known.version ?? 1}: batches keyed by root alone, reason codes on chain), ` +
      "which this version cannot anchor into or verify against. Keep it for the documents it holds (e.g. mv data data.v1) and start again " +
      'with an empty data folder; departments re-issue from the new one. See README, "Trust model".',
  );
}

export async function bootstrapEmbedded(options: {
  rpcUrl: string;
  chainId: number;
  dataDir: string;
  publicUrl: string;
  store: ApiKeyRecords & SigningKeyMirror;
  custody: KeyCustody;
  logger: Logger;
}): Promise<Deployment> {
  const { dataDir, logger, store, custody } = options;
  const deploymentPath = join(dataDir, "chain", "deployment.json");
  mkdirSync(join(dataDir, "chain"), { recursive: true });
  const known = readJson<Deployment>(deploymentPath);
  if (known) refuseOlderDeployment(dataDir, known);
  const provider = createRpcProvider(options.rpcUrl, options.chainId);
  try {
    if (known && known.chainId === options.chainId && (await provider.getCode(known.documentRegistry)) !== "0x") {
      await ensureAdminCredentials(dataDir, store);
      return known;
    }
    if (known) logger.warn({ event: "bootstrap.redeploy" }, "the embedded chain has lost its contracts (state file missing or older); deploying again");

    const admin = known ? new Wallet(known.adminKey, provider) : Wallet.createRandom(provider);
    await fundOnDevChain(options.rpcUrl, options.chainId, admin.address);
    const { issuerRegistry, documentRegistry } = await deployContracts(admin);
    const governance = new Governance(admin, issuerRegistry);
    const { code, name } = DEMO_DEPARTMENT;
    await governance.registerDepartment(code, name);
    for (const type of documentTypes.values()) {
      await governance.grantDocumentType(code, type.id, type.schemaHash);
    }
    // DEMO's own anchoring account, in custody like every department's.
    const account = (await custody.currentAnchoringAccount(code)) ?? (await custody.createAnchoringAccount(code));
    await fundOnDevChain(options.rpcUrl, options.chainId, account.address);
    await governance.addAnchorer(code, account.address);

    const current = await custody.currentSigningKey(code);
    const key = current?.state === "ACTIVE" ? current : await custody.createSigningKey(code);
    const thumbprint = await jwkThumbprint(key.publicJwk);
    // Valid from the block of its registration (the contract refuses backdating).
    const validFrom = (await governance.registerSigningKey(code, thumbprint, 0, 0)).blockTime;
    if (!(await store.signingKeys()).some((k) => k.kid === key.kid)) {
      await store.insertSigningKey({
        department: code,
        kid: key.kid,
        keyNumber: key.keyNumber,
        thumbprint,
        publicJwk: key.publicJwk,
        validFrom: new Date(validFrom * 1000).toISOString(),
        validUntil: null,
        compromisedAt: null,
      });
    }

    const credentialsPath = join(dataDir, "dev-credentials.json");
    const credentials = readJson<{ apiKey: string }>(credentialsPath);
    if (!credentials || !(await store.findApiKey(hashApiKey(credentials.apiKey)))) {
      const apiKey = newApiKey();
      await store.insertApiKey(
        { id: `${code}-officer-${randomUUID().slice(0, 8)}`, department: code, label: "development officer", types: [], revoked: false },
        hashApiKey(apiKey),
      );
      writeFileSync(credentialsPath, `${JSON.stringify({ apiKey }, null, 2)}\n`, { mode: 0o600 });
    }
    await ensureAdminCredentials(dataDir, store);

    const deployment: Deployment = { version: DEPLOYMENT_VERSION, chainId: options.chainId, documentRegistry, issuerRegistry, adminKey: admin.privateKey };
    writeFileSync(deploymentPath, `${JSON.stringify(deployment, null, 2)}\n`, { mode: 0o600 });
    logger.info({ event: "bootstrap.done", department: code, documentRegistry, issuerRegistry }, "deployed the contracts and registered the DEMO department");
    return deployment;
  } finally {
    provider.destroy();
  }
}

/** The platform administrator's API key (role "admin"), added to data/dev-credentials.json as `adminApiKey`. */
async function ensureAdminCredentials(dataDir: string, store: ApiKeyRecords): Promise<void> {
  const credentialsPath = join(dataDir, "dev-credentials.json");
  const credentials = readJson<{ apiKey?: string; adminApiKey?: string }>(credentialsPath) ?? {};
  if (credentials.adminApiKey && (await store.findApiKey(hashApiKey(credentials.adminApiKey)))) return;
  const adminApiKey = newApiKey();
  await store.insertApiKey(
    { id: `ADMIN-admin-${randomUUID().slice(0, 8)}`, department: "*", label: "development platform administrator", types: [], revoked: false, role: "admin" },
    hashApiKey(adminApiKey),
  );
  writeFileSync(credentialsPath, `${JSON.stringify({ ...credentials, adminApiKey }, null, 2)}\n`, { mode: 0o600 });
}
