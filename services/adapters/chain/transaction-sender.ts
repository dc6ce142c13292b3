/**
 * Sends contract transactions from ONE account, one at a time: each write takes the pending nonce
 * from the chain, waits for its receipt, and only then lets the next write start, so nonces never
 * collide between writes of the same sender (also across restarts: the chain, not memory, holds the nonce).
 */
import type { BaseContract, ContractTransactionResponse, Provider, Signer } from "ethers";
import { EProofError } from "../../errors.ts";
import type { Hex, TxReceipt } from "../../ports.ts";
import { toChainError } from "./chain-errors.ts";

export interface TransactionSenderOptions {
  provider: Provider;
  signer: Signer;
  /** How long to wait for a receipt before reporting CHAIN_UNAVAILABLE (default 120 s). */
  receiptTimeoutMs?: number;
  /** A fixed (legacy) gas price, wei: 0 on a free-gas network. Unset: the node's fee suggestion. */
  gasPrice?: bigint;
}

export class TransactionSender {
  readonly #provider: Provider;
  readonly #signer: Signer;
  readonly #receiptTimeoutMs: number;
  readonly #gasPrice: bigint | undefined;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(options: TransactionSenderOptions) {
    this.#provider = options.provider;
    this.#signer = options.signer;
    this.#receiptTimeoutMs = options.receiptTimeoutMs ?? 120_000;
    this.#gasPrice = options.gasPrice;
  }

  /** Calls `method(...args)` on `contract` (connected to this sender's signer) and waits for the receipt. */
  send(contract: BaseContract, method: string, args: unknown[], action: string = method): Promise<TxReceipt> {
    const run = async (): Promise<TxReceipt> => {
      try {
        const from = await this.#signer.getAddress();
        const nonce = await this.#provider.getTransactionCount(from, "pending");
        const connected = contract.connect(this.#signer) as BaseContract;
        const response = (await connected
          .getFunction(method)
          .send(...args, this.#gasPrice === undefined ? { nonce } : { nonce, gasPrice: this.#gasPrice })) as ContractTransactionResponse;
        const receipt = await response.wait(1, this.#receiptTimeoutMs);
        if (receipt === null) {
          throw new EProofError("CHAIN_UNAVAILABLE", `No receipt for ${action} (${response.hash}) yet: reconcile before resending.`);
        }
        const block = await this.#provider.getBlock(receipt.blockNumber);
        if (block === null) {
          throw new EProofError("CHAIN_UNAVAILABLE", `Block ${receipt.blockNumber} of ${action} could not be read.`);
        }
        return {
          txHash: receipt.hash as Hex,
          blockNumber: receipt.blockNumber,
          blockTime: block.timestamp,
        };
      } catch (error) {
        throw toChainError(error, action);
      }
    };
    const result = this.#tail.then(run, run);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
