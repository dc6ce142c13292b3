/** Starts the whole system (embedded anvil + SQLite + HTTP) in a temp folder on free ports. */
import { execFile } from "node:child_process";
import { createPrivateKey, type KeyObject } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { custodyKeyObject, loadOrCreateCustodyKey, openPrivateKey } from "../../services/adapters/signing/custody-key.ts";
import { StoreKeyCustody } from "../../services/adapters/signing/key-custody.ts";
import { SqliteStore } from "../../services/adapters/store/sqlite-store.ts";
import { loadConfig } from "../../services/config.ts";
import { bootstrapEmbedded, type Deployment } from "../../services/embedded/dev-bootstrap.ts";
import { createLogger } from "../../services/logger.ts";
import { type RunningService, startEProof } from "../../services/main.ts";
import type { ApiKeyRecords, CustodyRecords, SigningKeyMirror } from "../../services/ports.ts";
import { eproofFile } from "../../services/use-cases/document-files.ts";

/**
 * What a thief of the database AND the custody key could take: a department's private signing key
 * (by number) and its anchoring accounts' private keys. For forgery tests only: the service itself
 * never lets a private key out of custody.
 */
export async function stealFromCustody(
  records: CustodyRecords,
  custodyKeyFile: string,
  department: string,
): Promise<{ signingKey(number: number): KeyObject; anchoringKeys: string[] }> {
  const kek = custodyKeyObject(loadOrCreateCustodyKey({ filePath: custodyKeyFile }));
  const rows = (await records.custodyKeys()).filter((row) => row.department === department);
  return {
    signingKey(number) {
      const row = rows.find((r) => r.kind === "SIGNING" && r.number === number);
      if (!row) throw new Error(`no signing key ${department}-${number} in custody`);
      return createPrivateKey({ key: JSON.parse(openPrivateKey(kek, row, row.sealed)), format: "jwk" });
    },
    anchoringKeys: rows.filter((r) => r.kind === "ANCHORING").map((row) => openPrivateKey(kek, row, row.sealed)),
  };
}

/**
 * Deploys the contracts and onboards DEMO on `rpcUrl` as the embedded first start does: DEMO's
 * signing key and anchoring account go into the key custody of `store`, sealed under the custody key
 * at `<dataDir>/custody.key` (give it to PostgreSQL instances as EPROOF_CUSTODY_KEY_FILE). Returns
 * DEMO's anchoring key too, for tests that play a thief of it.
 */
export async function bootstrapOnChain(options: {
  rpcUrl: string;
  chainId: number;
  dataDir: string;
  store: ApiKeyRecords & SigningKeyMirror & CustodyRecords;
}): Promise<{ deployment: Deployment; anchorKey: string; custodyKeyFile: string }> {
  const custodyKeyFile = join(options.dataDir, "custody.key");
  const custody = new StoreKeyCustody({ records: options.store, kek: loadOrCreateCustodyKey({ filePath: custodyKeyFile }) });
  const deployment = await bootstrapEmbedded({
    rpcUrl: options.rpcUrl,
    chainId: options.chainId,
    dataDir: options.dataDir,
    publicUrl: "http://localhost",
    store: options.store,
    custody,
    logger: createLogger("silent"),
  });
  const anchorKey = await custody.anchoringPrivateKey("DEMO");
  if (anchorKey === undefined) throw new Error("bootstrap left DEMO without an anchoring account");
  return { deployment, anchorKey, custodyKeyFile };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface TestService extends RunningService {
  dataDir: string;
  apiKey: string;
  env: Record<string, string>;
}

/** Pass `logLines` to collect the service's structured log lines (at `logLevel`, info unless told). */
export async function startTestService(
  options: { dataDir?: string; env?: Record<string, string>; logLines?: string[]; logLevel?: string } = {},
): Promise<TestService> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "eproof-e2e-"));
  const port = await freePort();
  const env = {
    PORT: String(port),
    EPROOF_DATA_DIR: dataDir,
    EPROOF_CHAIN_PORT: String(await freePort()),
    EPROOF_LOG_LEVEL: "silent",
    EPROOF_BATCH_MAX_WAIT_MS: "100",
    ...options.env,
  };
  const config = loadConfig(env, (path) => readFileSync(path, "utf8"));
  const lines = options.logLines;
  const logger = lines ? createLogger(options.logLevel ?? "info", { write: (line: string) => void lines.push(line) }) : createLogger("silent");
  const service = await startEProof(config, logger);
  const apiKey = (JSON.parse(readFileSync(join(dataDir, "dev-credentials.json"), "utf8")) as { apiKey: string }).apiKey;
  return Object.assign(service, { dataDir, apiKey, env });
}

export function removeDataDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * A suite's afterAll: closes its provider to the service's chain, stops the service and removes its data
 * folder. Either may be missing (a beforeAll that failed part way).
 */
export async function stopTestService(service: TestService | undefined, provider?: { destroy(): void }): Promise<void> {
  provider?.destroy();
  await service?.stop();
  if (service) removeDataDir(service.dataDir);
}

export const TYPICAL_LICENCE = JSON.parse(readFileSync(new URL("../../docs/examples/licence.json", import.meta.url), "utf8")) as {
  type: string;
  data: Record<string, unknown>;
};

export async function api(
  service: { url: string; apiKey: string },
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(`${service.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${service.apiKey}`, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    body: body === undefined ? undefined : typeof body === "string" || body instanceof Uint8Array ? (body as string) : JSON.stringify(body),
  });
  const type = response.headers.get("content-type") ?? "";
  const parsed = type.includes("json") ? await response.json() : Buffer.from(await response.arrayBuffer());
  return { status: response.status, body: parsed, headers: response.headers };
}

/**
 * Onboards department `code` (issuing licences) through the admin API and creates an officer API key
 * for it: returns that officer, on the admin's service. Throws unless both answer 201.
 */
export async function onboardWithOfficer(
  admin: { url: string; apiKey: string },
  code: string,
  name: { en: string; zhHK: string },
  label = "officer",
): Promise<{ url: string; apiKey: string }> {
  const onboarded = await api(admin, "POST", "/api/v1/admin/departments", { code, name, types: ["licence"] });
  if (onboarded.status !== 201) throw new Error(`onboarding ${code} answered ${onboarded.status}: ${JSON.stringify(onboarded.body)}`);
  const key = await api(admin, "POST", "/api/v1/admin/api-keys", { department: code, label });
  if (key.status !== 201) throw new Error(`an API key for ${code} answered ${key.status}: ${JSON.stringify(key.body)}`);
  return { url: admin.url, apiKey: String(key.body.apiKey) };
}

export async function waitUntilAnchored(service: TestService, id: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { body } = await api(service, "GET", `/api/v1/documents/${id}`);
    if (body.anchoring === "ANCHORED") return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`document ${id} was not anchored within ${timeoutMs} ms`);
}

/**
 * The document as the service holds it, with its anchor if it has one and without otherwise: what a
 * holder may carry from before anchoring (downloads now hand out only complete copies).
 */
export async function heldCopy(service: TestService, id: string): Promise<any> {
  const stored = await service.store.getDocument(id);
  if (!stored) throw new Error(`no document ${id}`);
  return eproofFile(stored, service.trust);
}

/** The e-Proof file as the officer downloads it. */
export async function downloadEProof(service: TestService, id: string): Promise<any> {
  const { status, body } = await api(service, "GET", `/api/v1/documents/${id}/eproof.json`);
  if (status !== 200) throw new Error(`eproof.json of ${id}: ${status}`);
  return Buffer.isBuffer(body) ? JSON.parse(body.toString("utf8")) : body;
}

/** Runs `eproof <args>` (scripts/eproof.mjs) as a user would, and returns its exit code and output. */
export async function runEproof(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ["scripts/eproof.mjs", ...args], {
      timeout: 60_000,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

/**
 * A permissioned network stand-in: deploys the contracts and onboards DEMO on `rpcUrl`, into a fresh
 * data folder holding the SQLite store (DEMO's keys in its custody), the custody key and the dev
 * credentials. `env` points a service at that chain (EPROOF_RPC_URL, addresses), without PORT.
 */
export async function deployOnChain(
  rpcUrl: string,
  options: { chainId?: number } = {},
): Promise<{ dataDir: string; deployment: Deployment; anchorKey: string; env: Record<string, string> }> {
  const chainId = options.chainId ?? 852;
  const dataDir = mkdtempSync(join(tmpdir(), "eproof-e2e-own-chain-"));
  const store = new SqliteStore(join(dataDir, "eproof.sqlite"));
  let bootstrapped: Awaited<ReturnType<typeof bootstrapOnChain>>;
  try {
    bootstrapped = await bootstrapOnChain({ rpcUrl, chainId, dataDir, store });
  } finally {
    await store.close();
  }
  const { deployment, anchorKey } = bootstrapped;
  const env = {
    EPROOF_DATA_DIR: dataDir,
    EPROOF_RPC_URL: rpcUrl,
    EPROOF_CHAIN_ID: String(chainId),
    EPROOF_DOCUMENT_REGISTRY: deployment.documentRegistry,
    EPROOF_ISSUER_REGISTRY: deployment.issuerRegistry,
  };
  return { dataDir, deployment, anchorKey, env };
}

/** The service against a chain the test owns (started, stopped, crashed and restarted by the test). */
export async function startServiceOnChain(
  rpcUrl: string,
  options: { chainId?: number; env?: Record<string, string>; logLines?: string[] } = {},
): Promise<{ service: TestService; deployment: Deployment; anchorKey: string }> {
  const { dataDir, deployment, anchorKey, env } = await deployOnChain(rpcUrl, options);
  const service = await startTestService({ dataDir, logLines: options.logLines, env: { ...env, ...options.env } });
  return { service, deployment, anchorKey };
}
