/** The health check's view of the chain (ChainProbe port): chain id and block number in one probe. */
import type { ChainProbe } from "../../ports.ts";
import { withTimeout } from "../../with-timeout.ts";
import type { FailoverRpcProvider } from "./failover-provider.ts";

/** A probe that counts as failed when the node takes longer than `timeoutMs` (a health check must answer quickly). */
export function chainProbe(provider: Pick<FailoverRpcProvider, "send" | "endpointHealth">, timeoutMs = 2_000): ChainProbe {
  return {
    async probe() {
      const [chainId, blockNumber] = await withTimeout(Promise.all([provider.send("eth_chainId", []), provider.send("eth_blockNumber", [])]), timeoutMs);
      return { chainId: Number(chainId), blockNumber: Number(blockNumber) };
    },
    endpointHealth: () => provider.endpointHealth(),
  };
}
