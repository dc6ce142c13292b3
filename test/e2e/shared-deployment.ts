/**
 * A chain and a PostgreSQL schema shared by several service instances, as in production: the chain
 * has the contracts and DEMO onboarded, the schema holds DEMO's officer API key and signing key.
 * Instances get `env` (plus their own PORT) and reach both through EPROOF_RPC_URL / EPROOF_DATABASE_URL.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Contract } from "ethers";
import { loadArtifact } from "../../services/adapters/chain/contract-artifacts.ts";
import { createRpcProvider } from "../../services/adapters/chain/rpc-provider.ts";
import { PgStore } from "../../services/adapters/store/pg-store.ts";
import { loadConfig } from "../../services/config.ts";
import { type EmbeddedChain, startAnvil } from "../../services/embedded/anvil-process.ts";
import type { Deployment } from "../../services/embedded/dev-bootstrap.ts";
import { createLogger } from "../../services/logger.ts";
import { type RunningService, startEProof } from "../../services/main.ts";
import { createTestSchema, type TestSchema } from "../integration/pg-test-db.ts";
import { waitUntil } from "../wait-until.ts";
import { bootstrapOnChain, freePort, removeDataDir } from "./test-service.ts";

export interface SharedDeployment {
  chain: EmbeddedChain;
  schema: TestSchema;
  deployment: Deployment;
  dataDir: string;
  apiKey: string;
  /** Environment of an instance, without PORT. */
  env: Record<string, string>;
  /** Roots of every BatchAnchored event on chain, in order. */
  anchoredRoots(): Promise<string[]>;
  /** One more instance in this process on a free port, with `env` on top of the shared one . */
  startInstance(env?: Record<string, string>): Promise<RunningService>;
  stop(): Promise<void>;
}

export async function startSharedDeployment(): Promise<SharedDeployment> {
  const logger = createLogger("silent");
  const dataDir = mkdtempSync(join(tmpdir(), "eproof-shared-"));
  const chainDir = mkdtempSync(join(tmpdir(), "eproof-chain-"));
  const chain = await startAnvil({ dataDir: chainDir, port: await freePort(), chainId: 852, logger });
  const schema = await createTestSchema();
  const store = await PgStore.open({ connectionString: schema.url });
  let bootstrapped: Awaited<ReturnType<typeof bootstrapOnChain>>;
  try {
    bootstrapped = await bootstrapOnChain({ rpcUrl: chain.rpcUrl, chainId: 852, dataDir, store });
  } finally {
    await store.close();
  }
  const { deployment, custodyKeyFile } = bootstrapped;
  const apiKey = (JSON.parse(readFileSync(join(dataDir, "dev-credentials.json"), "utf8")) as { apiKey: string }).apiKey;
  const env = {
    EPROOF_DATA_DIR: dataDir,
    EPROOF_DATABASE_URL: schema.url,
    EPROOF_RPC_URL: chain.rpcUrl,
    EPROOF_CHAIN_ID: "852",
    EPROOF_DOCUMENT_REGISTRY: deployment.documentRegistry,
    EPROOF_ISSUER_REGISTRY: deployment.issuerRegistry,
    EPROOF_CUSTODY_KEY_FILE: custodyKeyFile,
    EPROOF_BATCH_MAX_WAIT_MS: "50",
    EPROOF_LOG_LEVEL: "silent",
  };
  return {
    chain,
    schema,
    deployment,
    dataDir,
    apiKey,
    env,
    async anchoredRoots() {
      const provider = createRpcProvider(chain.rpcUrl, 852);
      try {
        const registry = new Contract(deployment.documentRegistry, loadArtifact("DocumentRegistry").abi, provider);
        const events = await registry.queryFilter("BatchAnchored", 0);
        return events.map((event) => ("args" in event ? String(event.args.root) : ""));
      } finally {
        provider.destroy();
      }
    },
    async startInstance(extra = {}) {
      const instanceEnv = { ...env, PORT: String(await freePort()), ...extra };
      return startEProof(
        loadConfig(instanceEnv, (path) => readFileSync(path, "utf8")),
        createLogger("silent"),
      );
    },
    async stop() {
      await chain.stop();
      await schema.drop();
      removeDataDir(dataDir);
      removeDataDir(chainDir);
    },
  };
}

/** Waits until no document in the shared schema waits for anchoring (the instances anchor it all). */
export async function waitUntilNoneUnanchored(store: Pick<PgStore, "countUnanchored">, timeoutMs = 60_000): Promise<void> {
  await waitUntil(async () => (await store.countUnanchored()) === 0, "every accepted document to be anchored", timeoutMs, 100);
}
