/** Starts the whole system (embedded anvil + SQLite + HTTP) in a temp folder on free ports. */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { FileKeyRing } from "../../services/adapters/signing/file-key-ring.ts";
import { SqliteStore } from "../../services/adapters/store/sqlite-store.ts";
import { loadConfig } from "../../services/config.ts";
import { bootstrapEmbedded, type Deployment } from "../../services/embedded/dev-bootstrap.ts";
import { createLogger } from "../../services/logger.ts";
import { type RunningService, startEProof } from "../../services/main.ts";

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

export async function waitUntilAnchored(service: TestService, id: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { body } = await api(service, "GET", `/api/v1/documents/${id}`);
    if (body.anchoring === "ANCHORED") return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`document ${id} was not anchored within ${timeoutMs} ms`);
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
 * data folder holding DEMO's keys, the dev credentials and the anchoring key file. `env` points a
 * service at that chain (EPROOF_RPC_URL, addresses, key file), without PORT.
 */
export async function deployOnChain(
  rpcUrl: string,
  options: { chainId?: number } = {},
): Promise<{ dataDir: string; deployment: Deployment; env: Record<string, string> }> {
  const chainId = options.chainId ?? 852;
  const dataDir = mkdtempSync(join(tmpdir(), "eproof-e2e-own-chain-"));
  const store = new SqliteStore(join(dataDir, "eproof.sqlite"));
  let deployment: Deployment;
  try {
    deployment = await bootstrapEmbedded({
      rpcUrl,
      chainId,
      dataDir,
      publicUrl: "http://localhost",
      store,
      keyRing: new FileKeyRing(join(dataDir, "keys")),
      logger: createLogger("silent"),
    });
  } finally {
    await store.close();
  }
  const keyFile = join(dataDir, "anchor.key");
  writeFileSync(keyFile, `${deployment.anchorKey}\n`, { mode: 0o600 });
  const env = {
    EPROOF_DATA_DIR: dataDir,
    EPROOF_RPC_URL: rpcUrl,
    EPROOF_CHAIN_ID: String(chainId),
    EPROOF_DOCUMENT_REGISTRY: deployment.documentRegistry,
    EPROOF_ISSUER_REGISTRY: deployment.issuerRegistry,
    EPROOF_ANCHOR_KEY_FILE: keyFile,
  };
  return { dataDir, deployment, env };
}

/** The service against a chain the test owns (started, stopped, crashed and restarted by the test). */
export async function startServiceOnChain(
  rpcUrl: string,
  options: { chainId?: number; env?: Record<string, string>; logLines?: string[] } = {},
): Promise<{ service: TestService; deployment: Deployment }> {
  const { dataDir, deployment, env } = await deployOnChain(rpcUrl, options);
  const service = await startTestService({ dataDir, logLines: options.logLines, env: { ...env, ...options.env } });
  return { service, deployment };
}
