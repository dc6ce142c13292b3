/**
 * The health check (GET /health): can the service reach its chain (the right one) and its database,
 * and how many accepted documents wait for anchoring. It never throws: a part that fails is reported
 * as unreachable and the whole as "degraded".
 */
import type { Logger } from "../logger.ts";
import type { ChainProbe, DocumentStore } from "../ports.ts";

export interface HealthReport {
  status: "ok" | "degraded";
  chain: {
    reachable: boolean;
    chainId: number;
    /** False when the node answers with another chain id than the configured one. */
    chainIdMatches?: boolean;
    blockNumber?: number;
    error?: string;
    /** Each configured JSON-RPC endpoint as last seen (URLs without credentials). */
    endpoints?: Array<{ url: string; healthy: boolean; lastError?: string }>;
  };
  database: { reachable: boolean; error?: string };
  outbox: { unanchored: number };
}

export interface HealthDeps {
  chain: ChainProbe;
  /** The configured chain id. */
  chainId: number;
  store: DocumentStore;
  logger: Logger;
}

export async function checkHealth(deps: HealthDeps): Promise<HealthReport> {
  const { chainId, logger } = deps;
  const [chain, database] = await Promise.all([
    deps.chain.probe().then(
      (reported): HealthReport["chain"] => {
        const chainIdMatches = reported.chainId === chainId;
        return {
          reachable: true,
          chainId,
          chainIdMatches,
          blockNumber: reported.blockNumber,
          ...(chainIdMatches ? {} : { error: `the node reports chain id ${reported.chainId}` }),
          endpoints: deps.chain.endpointHealth(),
        };
      },
      (error: unknown): HealthReport["chain"] => {
        // Expected while the chain is down and asked at every probe: the reason in one line, no stack.
        logger.warn(
          { event: "health.chain_unreachable", reason: error instanceof Error ? error.message.slice(0, 200) : String(error) },
          "health check: chain unreachable",
        );
        return { reachable: false, chainId, error: "unreachable", endpoints: deps.chain.endpointHealth() };
      },
    ),
    deps.store.countUnanchored().then(
      (unanchored) => ({ reachable: true, unanchored }),
      (error: unknown) => {
        logger.error({ event: "health.database_failed", err: error }, "health check: database failed");
        return { reachable: false, unanchored: -1, error: "unavailable" };
      },
    ),
  ]);
  return {
    status: chain.reachable && chain.chainIdMatches !== false && database.reachable ? "ok" : "degraded",
    chain,
    database: { reachable: database.reachable, ...("error" in database ? { error: database.error } : {}) },
    outbox: { unanchored: database.unanchored },
  };
}
