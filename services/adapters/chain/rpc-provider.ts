/**
 * The one way e-Proof connects to a JSON-RPC endpoint. ethers caches identical requests for 250 ms
 * by default, which returns a stale nonce right after a mined transaction: the cache is off.
 * One request per HTTP call (no JSON-RPC batches) so that "one call per verification" is literal
 * and any node's RPC allowlist sees plain requests.
 */
import { JsonRpcProvider } from "ethers";
import { type FailoverOptions, FailoverRpcProvider } from "./failover-provider.ts";

export function createRpcProvider(url: string, chainId?: number): JsonRpcProvider {
  const provider = new JsonRpcProvider(url, chainId, { staticNetwork: true, batchMaxCount: 1, cacheTimeout: -1 });
  provider.pollingInterval = 250;
  return provider;
}

/** One provider over several endpoints of the same chain (EPROOF_RPC_URL="a,b"): see failover-provider.ts. */
export function createFailoverProvider(urls: readonly string[], chainId: number, options?: FailoverOptions): FailoverRpcProvider {
  return new FailoverRpcProvider(urls, chainId, options);
}
