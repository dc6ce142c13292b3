/**
 * Sends contract transactions from ONE account, one at a time: each write takes the pending nonce
 * from the chain, waits for its receipt, and only then lets the next write start, so nonces never
 * collide between writes of the same sender (also across restarts: the chain, not memory, holds the nonce).
 * Several instances sharing the account take turns through `locks` (a PostgreSQL advisory lock named
 * after the account), so "one write at a time" holds across instances too.
 */
import type { BaseContract, ContractTransactionResponse, Provider, Signer } from "ethers";
import { EProofError } from "../../errors.ts";
import type { Hex, Locks, TxReceipt } from "../../ports.ts";
import { toChainError } from "./chain-errors.ts";

export interface TransactionSenderOptions {
  provider: Provider;
  signer: Signer;
  /** How long to wait for a receipt before reporting CHAIN_UNAVAILABLE (default 120 s). */
  receiptTimeoutMs?: number;
  /** Cross-instance locks; without them, writes are serialised within this process only. */
  locks?: Locks;
}

export class TransactionSender {
  readonly #provider: Provider;
  readonly #signer: Signer;
  readonly #receiptTimeoutMs: number;
  readonly #locks: Locks | undefined;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(options: TransactionSenderOptions) {
    this.#provider = options.provider;
    this.#signer = options.signer;
    this.#receiptTimeoutMs = options.receiptTimeoutMs ?? 120_000;
    this.#locks = options.locks;
  }

  /** Calls `method(...args)` on `contract` (connected to this sender's signer) and waits for the receipt. */
  send(contract: BaseContract, method: string, args: unknown[], action: string = method): Promise<TxReceipt> {
    const run = async (): Promise<TxReceipt> => {
      try {
        const from = await this.#signer.getAddress();
        const nonce = await this.#provider.getTransactionCount(from, "pending");
        const connected = contract.connect(this.#signer) as BaseContract;
        const response = (await connected.getFunction(method).send(...args, { nonce })) as ContractTransactionResponse;
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
    const locked = async (): Promise<TxReceipt> => {
      const locks = this.#locks;
      if (!locks) return run();
      const account = (await this.#signer.getAddress()).toLowerCase();
      return locks.withLock(`account:${account}`, run);
    };
    const result = this.#tail.then(locked, locked);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
