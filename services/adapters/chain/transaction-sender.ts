/**
 * Sends contract transactions from ONE account, one at a time: each write takes the pending nonce
 * from the chain, waits for its receipt, and only then lets the next write start, so nonces never
 * collide between writes of the same sender (also across restarts: the chain, not memory, holds the nonce).
 * Several instances sharing the account take turns through `locks` (a PostgreSQL advisory lock named
 * after the account), so "one write at a time" holds across instances too.
 *
 * A transaction with no receipt after `replaceAfterMs` is stuck (dropped by the node, or priced
 * under the network's floor): it is sent again with the SAME nonce and a bumped fee (on a zero-gas
 * network, the same transaction again), so at most one of the attempts can ever be mined. A node that
 * answers "already known" still has it; "nonce too low" means an attempt was mined: its receipt is
 * looked up, and if none of ours is found the caller is told to reconcile before resending.
 */
import { type BaseContract, type ContractTransactionResponse, isError, type Provider, type Signer, type TransactionReceipt } from "ethers";
import { EProofError } from "../../errors.ts";
import type { Hex, Locks, TxReceipt } from "../../ports.ts";
import { toChainError } from "./chain-errors.ts";

export interface TransactionSenderOptions {
  provider: Provider;
  signer: Signer;
  /** How long to wait for a receipt before reporting CHAIN_UNAVAILABLE (default 120 s). */
  receiptTimeoutMs?: number;
  /** How long a transaction may wait for its receipt before it is replaced (default 30 s). */
  replaceAfterMs?: number;
  /** Pause between receipt look-ups, ms (default 200). */
  pollMs?: number;
  /** Cross-instance locks; without them, writes are serialised within this process only. */
  locks?: Locks;
  /** A fixed (legacy) gas price, wei: 0 on a free-gas network. Unset: the node's fee suggestion. */
  gasPrice?: bigint;
}

type Fees = { gasPrice: bigint } | { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint };

/** Nodes want a replacement to pay at least 10% more; 12.5% (+1 wei) clears every client's rule. */
function bump(value: bigint): bigint {
  return value === 0n ? 0n : value + value / 8n + 1n;
}

function bumpFees(fees: Fees): Fees {
  return "gasPrice" in fees
    ? { gasPrice: bump(fees.gasPrice) }
    : { maxFeePerGas: bump(fees.maxFeePerGas), maxPriorityFeePerGas: bump(fees.maxPriorityFeePerGas) };
}

function feesOf(response: ContractTransactionResponse): Fees {
  if (response.maxFeePerGas !== null && response.maxPriorityFeePerGas !== null) {
    return { maxFeePerGas: response.maxFeePerGas, maxPriorityFeePerGas: response.maxPriorityFeePerGas };
  }
  return { gasPrice: response.gasPrice };
}

function messageOf(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === "object" && current !== null; depth++) {
    const record = current as { message?: unknown; shortMessage?: unknown; error?: unknown; info?: unknown };
    for (const text of [record.message, record.shortMessage]) if (typeof text === "string") parts.push(text);
    current = record.error ?? (record.info as { error?: unknown } | undefined)?.error;
  }
  return parts.join(" ").toLowerCase();
}

/** The node already holds this very transaction (in its pool): keep waiting for it. */
function isAlreadyKnown(error: unknown): boolean {
  return /already known|known transaction|already imported|alreadyknown/.test(messageOf(error));
}

/** An attempt with this nonce was mined already. */
function isNonceUsed(error: unknown): boolean {
  return isError(error, "NONCE_EXPIRED") || /nonce too low|nonce has already been used/.test(messageOf(error));
}

/** The node refused the bump as too small: bump again at the next round. */
function isUnderpriced(error: unknown): boolean {
  return isError(error, "REPLACEMENT_UNDERPRICED") || /underpriced/.test(messageOf(error));
}

export class TransactionSender {
  readonly #provider: Provider;
  readonly #signer: Signer;
  readonly #receiptTimeoutMs: number;
  readonly #replaceAfterMs: number;
  readonly #pollMs: number;
  readonly #locks: Locks | undefined;
  readonly #gasPrice: bigint | undefined;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(options: TransactionSenderOptions) {
    this.#provider = options.provider;
    this.#signer = options.signer;
    this.#receiptTimeoutMs = options.receiptTimeoutMs ?? 120_000;
    this.#replaceAfterMs = options.replaceAfterMs ?? 30_000;
    this.#pollMs = options.pollMs ?? 200;
    this.#locks = options.locks;
    this.#gasPrice = options.gasPrice;
  }

  /** Calls `method(...args)` on `contract` (connected to this sender's signer) and waits for the receipt. */
  send(contract: BaseContract, method: string, args: unknown[], action: string = method): Promise<TxReceipt> {
    const run = async (): Promise<TxReceipt> => {
      try {
        return await this.#sendAndWait(contract, method, args, action);
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

  async #sendAndWait(contract: BaseContract, method: string, args: unknown[], action: string): Promise<TxReceipt> {
    const from = await this.#signer.getAddress();
    const nonce = await this.#provider.getTransactionCount(from, "pending");
    const call = (contract.connect(this.#signer) as BaseContract).getFunction(method);
    const overrides = this.#gasPrice === undefined ? { nonce } : { nonce, gasPrice: this.#gasPrice };
    const first = (await call.send(...args, overrides)) as ContractTransactionResponse;
    const hashes = [first.hash];
    const gasLimit = first.gasLimit;
    let fees = feesOf(first);
    const deadline = Date.now() + this.#receiptTimeoutMs;
    for (;;) {
      const mined = await this.#waitForAny(hashes, Math.min(this.#replaceAfterMs, deadline - Date.now()));
      if (mined) return this.#toReceipt(mined, action);
      if (Date.now() >= deadline) {
        throw new EProofError("CHAIN_UNAVAILABLE", `No receipt for ${action} (${hashes.join(", ")}) yet: reconcile before resending.`);
      }
      fees = bumpFees(fees);
      try {
        const replacement = (await call.send(...args, { nonce, gasLimit, ...fees })) as ContractTransactionResponse;
        if (!hashes.includes(replacement.hash)) hashes.push(replacement.hash);
      } catch (error) {
        if (isAlreadyKnown(error) || isUnderpriced(error)) continue;
        if (isNonceUsed(error)) {
          const landed = await this.#findAny(hashes);
          if (landed) return this.#toReceipt(landed, action);
          throw new EProofError("CHAIN_UNAVAILABLE", `Nonce ${nonce} of ${action} was used, by none of ${hashes.join(", ")}: reconcile before resending.`, {
            cause: error,
          });
        }
        throw error;
      }
    }
  }

  async #findAny(hashes: string[]): Promise<TransactionReceipt | null> {
    for (const hash of hashes) {
      const receipt = await this.#provider.getTransactionReceipt(hash);
      if (receipt !== null) return receipt;
    }
    return null;
  }

  async #waitForAny(hashes: string[], ms: number): Promise<TransactionReceipt | null> {
    const until = Date.now() + Math.max(ms, 0);
    for (;;) {
      const receipt = await this.#findAny(hashes);
      if (receipt !== null || Date.now() >= until) return receipt;
      await new Promise((resolve) => setTimeout(resolve, Math.min(this.#pollMs, Math.max(until - Date.now(), 1))));
    }
  }

  async #toReceipt(receipt: TransactionReceipt, action: string): Promise<TxReceipt> {
    if (receipt.status === 0) {
      throw new EProofError("CHAIN_REJECTED", `The chain refused ${action}: the transaction ${receipt.hash} reverted.`);
    }
    const block = await this.#provider.getBlock(receipt.blockNumber);
    if (block === null) {
      throw new EProofError("CHAIN_UNAVAILABLE", `Block ${receipt.blockNumber} of ${action} could not be read.`);
    }
    return { txHash: receipt.hash as Hex, blockNumber: receipt.blockNumber, blockTime: block.timestamp };
  }
}
