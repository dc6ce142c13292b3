/**
 * The Ledger port on an EVM chain through ethers: DocumentRegistry writes from each department's own
 * anchoring account (one TransactionSender per account: serialised, pending nonce from the chain, so
 * every account keeps its own nonce sequence) and the one-call verification read.
 */
import { Contract, Interface, JsonRpcProvider, type Provider, type Signer, Wallet } from "ethers";
import type { VerificationRecord } from "../../domain/verification-record.ts";
import { EProofError } from "../../errors.ts";
import type { AnchoredBatch, AnchorRequest, Hex, Ledger, Locks, StatusChangeRequest, SupersedeRequest, TxReceipt, VerificationQuery } from "../../ports.ts";
import type { ChainHead } from "./block-pinned-reads.ts";
import { fromBytes32String, statusToIndex, toBytes32, toBytes32String, toDocumentIdBytes16 } from "./chain-codec.ts";
import { toChainError } from "./chain-errors.ts";
import { loadArtifact } from "./contract-artifacts.ts";
import { FailoverRpcProvider } from "./failover-provider.ts";
import { jsonRpcCall } from "./json-rpc-call.ts";
import { isLogsBloom } from "./logs-bloom.ts";
import { TransactionSender } from "./transaction-sender.ts";
import { decodeVerificationRecord, encodeVerificationRecordCall } from "./verification-record-codec.ts";

const HASH = /^0x[0-9a-fA-F]{64}$/;

/** The anchoring accounts of the departments this service acts for (key custody). */
export interface AnchoringAccounts {
  /** The department's current anchoring account, connected to the provider; undefined when there is none here. */
  signerFor(department: string): Promise<Signer | undefined>;
  /** Every account this service anchors or anchored with for the department (any case). */
  accountsOf(department: string): Promise<string[]>;
}

/** Where the private keys of the departments' anchoring accounts are kept (the key custody adapter). */
export interface AnchoringKeySource {
  /** The department's current account's private key (0x hex), or undefined. */
  anchoringPrivateKey(department: string): Promise<string | undefined>;
  /** Every account custody holds or held for the department. */
  anchoringAccounts(department: string): Promise<Array<{ address: string }>>;
}

/** The departments' anchoring accounts from key custody, as signers on `provider` (one Wallet per account, reused). */
export function custodyAccounts(source: AnchoringKeySource, provider: Provider): AnchoringAccounts {
  const wallets = new Map<string, Wallet>();
  return {
    async signerFor(department) {
      const key = await source.anchoringPrivateKey(department);
      if (key === undefined) return undefined;
      let wallet = wallets.get(key);
      if (wallet === undefined) {
        wallet = new Wallet(key, provider);
        wallets.set(key, wallet);
      }
      return wallet;
    },
    accountsOf: async (department) => (await source.anchoringAccounts(department)).map((account) => account.address),
  };
}

/** One account for every department: for tools and adapter tests only (the service gives each department its own). */
export function singleAccount(signer: Signer): AnchoringAccounts {
  return {
    signerFor: async () => signer,
    accountsOf: async () => [await signer.getAddress()],
  };
}

export interface EthersLedgerOptions {
  /**
   * Reads go here. Give a JsonRpcProvider `staticNetwork` so that a read is exactly one request
   * (otherwise ethers may re-check the chain id).
   */
  provider: Provider;
  /** The departments' anchoring accounts; none on a read-only ledger (a public instance, the CLI verifier). */
  accounts?: AnchoringAccounts;
  documentRegistry: Hex;
  chainId: number;
  receiptTimeoutMs?: number;
  /** Cross-instance locks: one sender at a time per anchoring account (default: this process only). */
  locks?: Locks;
  /** A fixed gas price for every write, wei (0 on a free-gas network); unset: the node's suggestion. */
  gasPrice?: bigint;
  /** Called after each of this ledger's transactions is mined or failed (the verify reads' cache starts afresh). */
  onMined?: () => void;
}

/** A provider that can send raw JSON-RPC (JsonRpcProvider, Hardhat's provider). */
interface RawRpc {
  send(method: string, params: unknown[]): Promise<unknown>;
}

export class EthersLedger implements Ledger {
  readonly chainId: number;
  readonly registryAddress: Hex;
  readonly #options: EthersLedgerOptions;
  readonly #provider: Provider;
  readonly #contract: Contract;
  readonly #interface: Interface;
  readonly #senders = new Map<string, TransactionSender>();

  constructor(options: EthersLedgerOptions) {
    this.chainId = options.chainId;
    this.registryAddress = options.documentRegistry;
    this.#options = options;
    this.#provider = options.provider;
    this.#interface = new Interface(loadArtifact("DocumentRegistry").abi);
    this.#contract = new Contract(options.documentRegistry, this.#interface, options.provider);
  }

  anchorBatch(request: AnchorRequest): Promise<TxReceipt> {
    if (!Number.isInteger(request.count) || request.count < 1 || request.count > 0xffffffff) {
      return Promise.reject(new EProofError("BAD_REQUEST", `A batch must hold 1 to 4294967295 documents, not ${request.count}.`));
    }
    // Only ever into the current registry: an earlier one is read-only for anchoring.
    return this.#send(request.department, "anchorBatch", undefined, () => [
      toBytes32String(request.department, "department code"),
      toBytes32String(request.docType, "document type"),
      toBytes32(request.root, "Merkle root"),
      request.count,
    ]);
  }

  /**
   * The department's own record of `root` (another department's anchoring of the same root is a
   * record of its own and is not looked at), with the transaction and the account that sent it.
   */
  async findAnchoredBatch(department: string, root: Hex): Promise<AnchoredBatch | null> {
    const departmentId = toBytes32String(department, "department code");
    const rootBytes = toBytes32(root, "Merkle root");
    try {
      const batch = await this.#contract.getFunction("batch").staticCall(departmentId, rootBytes);
      if (!batch.anchored) return null;
      const blockNumber = Number(batch.blockNumber);
      const logs = await this.#contract.queryFilter(this.#contract.getEvent("BatchAnchored")(departmentId, rootBytes), blockNumber, blockNumber);
      const log = logs[0];
      const parsed = log ? this.#interface.parseLog(log) : null;
      if (log === undefined || parsed === null) {
        throw new EProofError(
          "CHAIN_UNAVAILABLE",
          `Batch ${root} of ${department} is anchored in block ${blockNumber} but the node returned no BatchAnchored log for it (pruned logs?).`,
        );
      }
      const anchorer = String(parsed.args.anchorer) as Hex;
      const ours = ((await this.#options.accounts?.accountsOf(department)) ?? []).map((a) => a.toLowerCase());
      return {
        txHash: log.transactionHash as Hex,
        blockNumber,
        blockTime: Number(batch.anchoredAt),
        department,
        docType: fromBytes32String(batch.docType),
        count: Number(batch.count),
        anchorer,
        sentByUs: ours.includes(anchorer.toLowerCase()),
      };
    } catch (error) {
      throw toChainError(error, "findAnchoredBatch");
    }
  }

  changeDocumentStatus(request: StatusChangeRequest): Promise<TxReceipt> {
    return this.#send(request.department, "changeDocumentStatus", request.registry, () => {
      if (request.documentIds.length === 0) throw new EProofError("BAD_REQUEST", "No document ids to change.");
      if ((request.status as string) === "SUPERSEDED") {
        throw new EProofError("INVALID_STATUS_CHANGE", "Use supersede() to supersede a document.");
      }
      return [toBytes32String(request.department, "department code"), request.documentIds.map(toDocumentIdBytes16), statusToIndex(request.status)];
    });
  }

  supersede(request: SupersedeRequest): Promise<TxReceipt> {
    return this.#send(request.department, "supersede", request.registry, () => [
      toBytes32String(request.department, "department code"),
      toDocumentIdBytes16(request.documentId),
      toDocumentIdBytes16(request.successorId),
    ]);
  }

  /** Exactly one eth_call. Throws CHAIN_UNAVAILABLE when the chain cannot be read. */
  verificationRecord(query: VerificationQuery): Promise<VerificationRecord> {
    return this.#verificationRecord(query, "latest");
  }

  /** The same read at one block (block-pinned-reads.ts): exactly one eth_call. */
  verificationRecordAt(query: VerificationQuery, blockNumber: number): Promise<VerificationRecord> {
    return this.#verificationRecord(query, `0x${blockNumber.toString(16)}`);
  }

  /** The chain's latest block (number, hash, parent hash, logs bloom): one eth_getBlockByNumber. Throws CHAIN_UNAVAILABLE. */
  head(): Promise<ChainHead> {
    return this.#header("latest");
  }

  /** The header of block `blockNumber`, as head() gives it: one eth_getBlockByNumber. Throws CHAIN_UNAVAILABLE. */
  headerAt(blockNumber: number): Promise<ChainHead> {
    return this.#header(`0x${blockNumber.toString(16)}`);
  }

  /**
   * The logs `address` wrote in the block with this hash (EIP-234): one eth_getLogs. A node that does
   * not know the block may answer none: the caller must not take "none" as proof of anything alone.
   */
  async logsOfBlock(blockHash: Hex, address: Hex): Promise<Array<{ address: Hex; topics: Hex[]; blockHash: Hex | null }>> {
    let logs: unknown;
    try {
      logs = await this.#rpc("eth_getLogs", [{ blockHash, address }]);
    } catch (error) {
      const mapped = toChainError(error, "logsOfBlock");
      throw mapped.code === "CHAIN_UNAVAILABLE" ? mapped : new EProofError("CHAIN_UNAVAILABLE", `reading logs failed: ${mapped.message}`, { cause: error });
    }
    if (!Array.isArray(logs)) throw new EProofError("CHAIN_UNAVAILABLE", "the node's logs could not be read");
    return logs.map((log: { address?: unknown; topics?: unknown; blockHash?: unknown }) => ({
      address: String(log.address).toLowerCase() as Hex,
      topics: Array.isArray(log.topics) ? log.topics.map((topic) => String(topic).toLowerCase() as Hex) : [],
      blockHash: typeof log.blockHash === "string" ? (log.blockHash.toLowerCase() as Hex) : null,
    }));
  }

  /** The IssuerRegistry that DocumentRegistry `registry` reads (immutable in the contract): one eth_call. Throws CHAIN_UNAVAILABLE. */
  async issuerRegistryOf(registry: Hex): Promise<Hex> {
    let returned: unknown;
    try {
      returned = await this.#rpc("eth_call", [{ to: registry, data: this.#interface.encodeFunctionData("issuerRegistry") }, "latest"]);
    } catch (error) {
      const mapped = toChainError(error, "issuerRegistry");
      throw mapped.code === "CHAIN_UNAVAILABLE" ? mapped : new EProofError("CHAIN_UNAVAILABLE", `issuerRegistry failed: ${mapped.message}`, { cause: error });
    }
    try {
      return String(this.#interface.decodeFunctionResult("issuerRegistry", String(returned))[0]).toLowerCase() as Hex;
    } catch (cause) {
      throw new EProofError("CHAIN_UNAVAILABLE", `DocumentRegistry ${registry} did not name its IssuerRegistry`, { cause });
    }
  }

  async #header(blockTag: string): Promise<ChainHead> {
    let block: unknown;
    try {
      block = await this.#rpc("eth_getBlockByNumber", [blockTag, false]);
    } catch (error) {
      const mapped = toChainError(error, "head");
      throw mapped.code === "CHAIN_UNAVAILABLE" ? mapped : new EProofError("CHAIN_UNAVAILABLE", `reading the head failed: ${mapped.message}`, { cause: error });
    }
    const { number, hash, parentHash, logsBloom } = (block ?? {}) as { number?: unknown; hash?: unknown; parentHash?: unknown; logsBloom?: unknown };
    if (typeof number !== "string" || typeof hash !== "string" || !HASH.test(hash)) {
      throw new EProofError("CHAIN_UNAVAILABLE", "the node's latest block could not be read");
    }
    return {
      number: Number(BigInt(number)),
      hash: hash.toLowerCase() as Hex,
      ...(typeof parentHash === "string" && HASH.test(parentHash) ? { parentHash: parentHash.toLowerCase() as Hex } : {}),
      ...(isLogsBloom(logsBloom) ? { logsBloom: logsBloom.toLowerCase() as Hex } : {}),
    };
  }

  async #verificationRecord(query: VerificationQuery, blockTag: string): Promise<VerificationRecord> {
    const data = encodeVerificationRecordCall(query);
    const registry = query.registry ?? this.registryAddress;
    let returned: string;
    try {
      const result = await this.#rpc("eth_call", [{ to: registry, data }, blockTag]);
      if (typeof result !== "string") throw new Error(`eth_call returned ${typeof result}`);
      returned = result;
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
        `DocumentRegistry ${registry} returned an unreadable verificationRecord (is it the right address and chain?).`,
        { cause },
      );
    }
  }

  /** One raw JSON-RPC request on the read path (the lean client where the provider allows it). */
  async #rpc(method: "eth_call" | "eth_getBlockByNumber" | "eth_getLogs", params: unknown[]): Promise<unknown> {
    if (this.#provider instanceof FailoverRpcProvider) return this.#provider.fastCall(method, params);
    if (this.#provider instanceof JsonRpcProvider) return jsonRpcCall(this.#provider._getConnection().url, method, params);
    const raw = this.#provider as Provider & Partial<RawRpc>;
    if (typeof raw.send === "function") return raw.send(method, params);
    if (method === "eth_getBlockByNumber") {
      // Without raw JSON-RPC no logs bloom: answers are then never carried to a new block.
      const block = await this.#provider.getBlock(params[0] as string);
      return block ? { number: `0x${block.number.toString(16)}`, hash: block.hash, parentHash: block.parentHash } : null;
    }
    if (method === "eth_getLogs") return this.#provider.getLogs(params[0] as { blockHash: string; address: string });
    const [tx, blockTag] = params as [{ to: string; data: string }, string];
    return this.#provider.call({ ...tx, blockTag });
  }

  async #send(department: string, method: string, registry: Hex | undefined, buildArgs: () => unknown[]): Promise<TxReceipt> {
    const args = buildArgs();
    const signer = await this.#options.accounts?.signerFor(department);
    if (signer === undefined) {
      throw new EProofError("FORBIDDEN", `this service holds no anchoring account for department ${department}: the administrator must give it one`);
    }
    const account = (await signer.getAddress()).toLowerCase();
    let sender = this.#senders.get(account);
    if (sender === undefined) {
      sender = new TransactionSender({
        provider: this.#provider,
        signer,
        receiptTimeoutMs: this.#options.receiptTimeoutMs,
        locks: this.#options.locks,
        gasPrice: this.#options.gasPrice,
      });
      this.#senders.set(account, sender);
    }
    const contract =
      registry === undefined || registry.toLowerCase() === this.registryAddress.toLowerCase()
        ? this.#contract
        : new Contract(registry, this.#interface, this.#provider);
    try {
      return await sender.send(contract, method, args, `DocumentRegistry.${method}`);
    } finally {
      // Mined (or perhaps mined, after a timeout): verify reads must not keep an answer from before it.
      this.#options.onMined?.();
    }
  }
}
