/**
 * The Ledger port on an EVM chain through ethers: DocumentRegistry writes from one anchoring
 * account (serialised, pending nonce from the chain) and the one-call verification read.
 */
import { Contract, Interface, JsonRpcProvider, type Provider, type Signer } from "ethers";
import type { VerificationRecord } from "../../domain/verification-record.ts";
import { EProofError } from "../../errors.ts";
import type { AnchorRequest, Hex, Ledger, Locks, StatusChangeRequest, SupersedeRequest, TxReceipt } from "../../ports.ts";
import { statusToIndex, toBytes32, toBytes32String, toDocumentIdBytes16 } from "./chain-codec.ts";
import { toChainError } from "./chain-errors.ts";
import { loadArtifact } from "./contract-artifacts.ts";
import { FailoverRpcProvider } from "./failover-provider.ts";
import { jsonRpcCall } from "./json-rpc-call.ts";
import { TransactionSender } from "./transaction-sender.ts";
import { decodeVerificationRecord, encodeVerificationRecordCall } from "./verification-record-codec.ts";

export interface EthersLedgerOptions {
  /**
   * Reads go here. Give a JsonRpcProvider `staticNetwork` so that a read is exactly one request
   * (otherwise ethers may re-check the chain id).
   */
  provider: Provider;
  /** The department's anchoring account. */
  signer: Signer;
  documentRegistry: Hex;
  chainId: number;
  receiptTimeoutMs?: number;
  /** Cross-instance locks: one sender at a time per anchoring account (default: this process only). */
  locks?: Locks;
  /** A fixed gas price for every write, wei (0 on a free-gas network); unset: the node's suggestion. */
  gasPrice?: bigint;
}

/** A provider that can send raw JSON-RPC (JsonRpcProvider, Hardhat's provider). */
interface RawRpc {
  send(method: string, params: unknown[]): Promise<unknown>;
}

export class EthersLedger implements Ledger {
  readonly chainId: number;
  readonly registryAddress: Hex;
  readonly #provider: Provider;
  readonly #contract: Contract;
  readonly #interface: Interface;
  readonly #sender: TransactionSender;

  constructor(options: EthersLedgerOptions) {
    this.chainId = options.chainId;
    this.registryAddress = options.documentRegistry;
    this.#provider = options.provider;
    this.#interface = new Interface(loadArtifact("DocumentRegistry").abi);
    this.#contract = new Contract(options.documentRegistry, this.#interface, options.provider);
    this.#sender = new TransactionSender({
      provider: options.provider,
      signer: options.signer,
      receiptTimeoutMs: options.receiptTimeoutMs,
      locks: options.locks,
      gasPrice: options.gasPrice,
    });
  }

  anchorBatch(request: AnchorRequest): Promise<TxReceipt> {
    if (!Number.isInteger(request.count) || request.count < 1 || request.count > 0xffffffff) {
      return Promise.reject(new EProofError("BAD_REQUEST", `A batch must hold 1 to 4294967295 documents, not ${request.count}.`));
    }
    return this.#send("anchorBatch", () => [
      toBytes32String(request.department, "department code"),
      toBytes32String(request.docType, "document type"),
      toBytes32(request.root, "Merkle root"),
      request.count,
    ]);
  }

  async findAnchoredBatch(root: Hex): Promise<TxReceipt | null> {
    const rootBytes = toBytes32(root, "Merkle root");
    try {
      const batch = await this.#contract.getFunction("batch").staticCall(rootBytes);
      if (!batch.anchored) return null;
      const blockNumber = Number(batch.blockNumber);
      const logs = await this.#contract.queryFilter(this.#contract.getEvent("BatchAnchored")(rootBytes), blockNumber, blockNumber);
      const log = logs[0];
      if (log === undefined) {
        throw new EProofError(
          "CHAIN_UNAVAILABLE",
          `Batch ${root} is anchored in block ${blockNumber} but the node returned no BatchAnchored log for it (pruned logs?).`,
        );
      }
      return {
        txHash: log.transactionHash as Hex,
        blockNumber,
        blockTime: Number(batch.anchoredAt),
      };
    } catch (error) {
      throw toChainError(error, "findAnchoredBatch");
    }
  }

  changeDocumentStatus(request: StatusChangeRequest): Promise<TxReceipt> {
    return this.#send("changeDocumentStatus", () => {
      if (request.documentIds.length === 0) throw new EProofError("BAD_REQUEST", "No document ids to change.");
      if ((request.status as string) === "SUPERSEDED") {
        throw new EProofError("INVALID_STATUS_CHANGE", "Use supersede() to supersede a document.");
      }
      return [
        toBytes32String(request.department, "department code"),
        request.documentIds.map(toDocumentIdBytes16),
        statusToIndex(request.status),
        reasonCode(request.reasonCode),
      ];
    });
  }

  supersede(request: SupersedeRequest): Promise<TxReceipt> {
    return this.#send("supersede", () => [
      toBytes32String(request.department, "department code"),
      toDocumentIdBytes16(request.documentId),
      toDocumentIdBytes16(request.successorId),
      reasonCode(request.reasonCode),
    ]);
  }

  /** Exactly one eth_call. Throws CHAIN_UNAVAILABLE when the chain cannot be read. */
  async verificationRecord(query: { root: Hex; documentId: string; keyFingerprint: Hex }): Promise<VerificationRecord> {
    const data = encodeVerificationRecordCall(query);
    let returned: string;
    try {
      returned = await this.#call(data);
    } catch (error) {
      const mapped = toChainError(error, "verificationRecord");
      // The view never reverts: a "rejection" here means a wrong address or chain, which the verifier
      // must not turn into an invalid verdict.
      throw mapped.code === "CHAIN_UNAVAILABLE"
        ? mapped
        : new EProofError("CHAIN_UNAVAILABLE", `verificationRecord failed: ${mapped.message}`, { cause: error });
    }
    try {
      return decodeVerificationRecord(returned);
    } catch (cause) {
      throw new EProofError(
        "CHAIN_UNAVAILABLE",
        `DocumentRegistry ${this.registryAddress} returned an unreadable verificationRecord (is it the right address and chain?).`,
        { cause },
      );
    }
  }

  async #call(data: string): Promise<string> {
    if (this.#provider instanceof FailoverRpcProvider) {
      const result = await this.#provider.fastCall("eth_call", [{ to: this.registryAddress, data }, "latest"]);
      if (typeof result !== "string") throw new Error(`eth_call returned ${typeof result}`);
      return result;
    }
    if (this.#provider instanceof JsonRpcProvider) {
      const result = await jsonRpcCall(this.#provider._getConnection().url, "eth_call", [{ to: this.registryAddress, data }, "latest"]);
      if (typeof result !== "string") throw new Error(`eth_call returned ${typeof result}`);
      return result;
    }
    const raw = this.#provider as Provider & Partial<RawRpc>;
    if (typeof raw.send === "function") {
      const result = await raw.send("eth_call", [{ to: this.registryAddress, data }, "latest"]);
      if (typeof result !== "string") throw new Error(`eth_call returned ${typeof result}`);
      return result;
    }
    return this.#provider.call({ to: this.registryAddress, data });
  }

  #send(method: string, buildArgs: () => unknown[]): Promise<TxReceipt> {
    let args: unknown[];
    try {
      args = buildArgs();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#sender.send(this.#contract, method, args, `DocumentRegistry.${method}`);
  }
}

function reasonCode(code: number): number {
  if (!Number.isInteger(code) || code < 0 || code > 0xffff) {
    throw new EProofError("BAD_REQUEST", `A reason code is an integer from 0 to 65535, not ${code}.`);
  }
  return code;
}
