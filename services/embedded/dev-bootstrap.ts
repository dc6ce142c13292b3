/**
 * First start of the embedded profile: accounts, contracts, the DEMO department with every built-in
 * type, its signing key and anchoring account, and an officer API key written to
 * data/dev-credentials.json. Everything is recorded in data/chain/deployment.json; a later start
 * reuses it, and redeploys only if the chain no longer has the contracts (its state file was lost).
 */
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type JsonRpcProvider, Wallet } from "ethers";
import { deployContracts } from "../adapters/chain/deploy.ts";
import { Governance } from "../adapters/chain/governance.ts";
import { createRpcProvider } from "../adapters/chain/rpc-provider.ts";
import { hashApiKey, newApiKey } from "../adapters/http/auth.ts";
import type { FileKeyRing } from "../adapters/signing/file-key-ring.ts";
import { documentTypes } from "../domain/document-types.ts";
import { jwkThumbprint } from "../domain/signature.ts";
import type { Logger } from "../logger.ts";
import type { Hex, Store } from "../ports.ts";

export const DEMO_DEPARTMENT = { code: "DEMO", name: { en: "Demonstration Department", zhHK: "示範部門" } };

export interface Deployment {
  chainId: number;
  documentRegistry: Hex;
  issuerRegistry: Hex;
  adminKey: string;
  anchorKey: string;
}

function readJson<T>(path: string): T | null {
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as T) : null;
}

async function fund(provider: JsonRpcProvider, address: string): Promise<void> {
  await provider.send("anvil_setBalance", [address, "0x3635C9ADC5DEA00000"]); // 1,000 ETH of dev gas money
}

export async function bootstrapEmbedded(options: {
  rpcUrl: string;
  chainId: number;
  dataDir: string;
  publicUrl: string;
  store: Store;
  keyRing: FileKeyRing;
  logger: Logger;
}): Promise<Deployment> {
  const { dataDir, logger, store, keyRing } = options;
  const provider = createRpcProvider(options.rpcUrl, options.chainId);
  const deploymentPath = join(dataDir, "chain", "deployment.json");
  mkdirSync(join(dataDir, "chain"), { recursive: true });
  const known = readJson<Deployment>(deploymentPath);
  if (known && known.chainId === options.chainId && (await provider.getCode(known.documentRegistry)) !== "0x") {
    provider.destroy();
    await ensureAdminCredentials(dataDir, store);
    return known;
  }
  if (known) logger.warn({ event: "bootstrap.redeploy" }, "the embedded chain has lost its contracts (state file missing or older); deploying again");

  const admin = known ? new Wallet(known.adminKey, provider) : Wallet.createRandom(provider);
  const anchor = known ? new Wallet(known.anchorKey, provider) : Wallet.createRandom(provider);
  await fund(provider, admin.address);
  await fund(provider, anchor.address);

  const { issuerRegistry, documentRegistry } = await deployContracts(admin);
  const governance = new Governance(admin, issuerRegistry);
  const { code, name } = DEMO_DEPARTMENT;
  await governance.registerDepartment(code, name);
  for (const type of documentTypes.values()) {
    await governance.grantDocumentType(code, type.id, type.schemaHash);
  }
  await governance.addAnchorer(code, anchor.address);

  let key = keyRing.current(code);
  const registered = new Set((await store.signingKeys()).map((k) => k.kid));
  if (!key) key = keyRing.createKey(code);
  const thumbprint = await jwkThumbprint(key.publicJwk);
  // Valid from the block of its registration (the contract refuses backdating).
  const validFrom = (await governance.registerSigningKey(code, thumbprint, 0, 0)).blockTime;
  if (!registered.has(key.kid)) {
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

  const deployment: Deployment = { chainId: options.chainId, documentRegistry, issuerRegistry, adminKey: admin.privateKey, anchorKey: anchor.privateKey };
  writeFileSync(deploymentPath, `${JSON.stringify(deployment, null, 2)}\n`, { mode: 0o600 });
  logger.info({ event: "bootstrap.done", department: code, documentRegistry, issuerRegistry }, "deployed the contracts and registered the DEMO department");
  provider.destroy();
  return deployment;
}

/** The platform administrator's API key (role "admin"), added to data/dev-credentials.json as `adminApiKey`. */
async function ensureAdminCredentials(dataDir: string, store: Store): Promise<void> {
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
