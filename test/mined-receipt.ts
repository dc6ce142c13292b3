/**
 * A transaction's receipt once it is mined, whether it succeeded or reverted. Polls the receipt
 * itself rather than calling ethers' `waitForTransaction`, which compares the receipt with a block
 * number it caches for up to 250 ms: a transaction mined inside that window looks unconfirmed, and
 * on a dev chain that mines a block only per transaction no later block comes to confirm it, so the
 * wait runs into its timeout (seen beside a busy core).
 */
import type { Provider, TransactionReceipt } from "ethers";
import { waitUntil } from "./wait-until.ts";

export async function minedReceipt(provider: Provider, hash: string, timeoutMs = 30_000): Promise<TransactionReceipt> {
  let receipt: TransactionReceipt | null = null;
  await waitUntil(
    async () => {
      receipt = await provider.getTransactionReceipt(hash);
      return receipt !== null;
    },
    `transaction ${hash} to be mined`,
    timeoutMs,
  );
  return receipt as unknown as TransactionReceipt;
}
