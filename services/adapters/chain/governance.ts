/**
 * IssuerRegistry governance: departments, document types, signing keys and anchoring accounts.
 * Writes need REGISTRAR_ROLE; they are serialised per instance (see TransactionSender).
 */
import { Contract, type Provider, type Signer } from "ethers";
import { EProofError } from "../../errors.ts";
import type { Hex, IssuerGovernance, TxReceipt } from "../../ports.ts";
import { fromBytes32String, toBytes32, toBytes32String } from "./chain-codec.ts";
import { toChainError } from "./chain-errors.ts";
import { loadArtifact } from "./contract-artifacts.ts";
import { TransactionSender } from "./transaction-sender.ts";

export interface DepartmentInfo {
  code: string;
  index: number;
  name: { en: string; zhHK: string };
  status: "ACTIVE" | "SUSPENDED";
  registeredAt: number;
}

export interface DocumentTypeGrant {
  type: string;
  schemaHash: Hex;
  /** First grant (block time); withdrawnAt is the latest withdrawal, 0 while granted. */
  grantedAt: number;
  withdrawnAt: number;
}

export interface SigningKeyWindow {
  thumbprint: Hex;
  validFrom: number;
  /** 0 = open-ended. */
  validUntil: number;
  /** 0 = never compromised. */
  compromisedAt: number;
}

export class Governance implements IssuerGovernance {
  readonly address: Hex;
  readonly #provider: Provider;
  readonly #contract: Contract;
  readonly #sender: TransactionSender | null;
  readonly #signer: Signer | null;

  /** Reads only (every write is refused): a public instance, or an officer without the governance account. */
  static reader(provider: Provider, issuerRegistry: Hex): Governance {
    return new Governance(provider, issuerRegistry);
  }

  constructor(signer: Signer | Provider, issuerRegistry: Hex, options: { receiptTimeoutMs?: number; gasPrice?: bigint | undefined } = {}) {
    if (!isSigner(signer)) {
      this.address = issuerRegistry;
      this.#provider = signer;
      this.#contract = new Contract(issuerRegistry, loadArtifact("IssuerRegistry").abi, signer);
      this.#sender = null;
      this.#signer = null;
      return;
    }
    this.#signer = signer;
    const provider: Provider | null = signer.provider;
    if (provider === null) throw new EProofError("CONFIG_INVALID", "The governance signer has no provider.");
    this.address = issuerRegistry;
    this.#provider = provider;
    this.#contract = new Contract(issuerRegistry, loadArtifact("IssuerRegistry").abi, signer);
    this.#sender = new TransactionSender({
      provider,
      signer,
      receiptTimeoutMs: options.receiptTimeoutMs,
      ...(options.gasPrice === undefined ? {} : { gasPrice: options.gasPrice }),
    });
  }

  async registerDepartment(code: string, name: { en: string; zhHK: string }): Promise<TxReceipt> {
    return this.#send("registerDepartment", [department(code), name.en, name.zhHK]);
  }

  async setDepartmentSuspended(code: string, suspended: boolean): Promise<TxReceipt> {
    return this.#send("setDepartmentSuspended", [department(code), suspended]);
  }

  async grantDocumentType(code: string, type: string, schemaHash: Hex): Promise<TxReceipt> {
    return this.#send("grantDocumentType", [department(code), docType(type), toBytes32(schemaHash, "schema hash")]);
  }

  async withdrawDocumentType(code: string, type: string): Promise<TxReceipt> {
    return this.#send("withdrawDocumentType", [department(code), docType(type)]);
  }

  /**
   * Registers a key thumbprint (bytes32 hex) valid from `validFrom` until `validUntil` (0 = open), unix
   * seconds. `validFrom` 0 means the block time of the registration; an earlier time is refused on chain
   * (no backdating), so the window it gets is the receipt's block time.
   */
  async registerSigningKey(code: string, thumbprint: Hex, validFrom: number, validUntil = 0): Promise<TxReceipt> {
    return this.#send("registerSigningKey", [department(code), toBytes32(thumbprint, "key thumbprint"), validFrom, validUntil]);
  }

  /** Retires a key as of `validUntil` (unix seconds, not in the past). */
  async retireSigningKey(code: string, thumbprint: Hex, validUntil: number): Promise<TxReceipt> {
    return this.#send("retireSigningKey", [department(code), toBytes32(thumbprint, "key thumbprint"), validUntil]);
  }

  /** Marks a key compromised as of `at` (unix seconds, may be in the past). */
  async markKeyCompromised(code: string, thumbprint: Hex, at: number): Promise<TxReceipt> {
    return this.#send("markSigningKeyCompromised", [department(code), toBytes32(thumbprint, "key thumbprint"), at]);
  }

  /** Sends `wei` of ether from the governance account to `account` unless it holds that much already. */
  async fund(account: string, wei: bigint): Promise<void> {
    if (wei <= 0n || this.#signer === null) return;
    try {
      if ((await this.#provider.getBalance(account)) >= wei) return;
      const sent = await this.#signer.sendTransaction({ to: account, value: wei });
      await sent.wait();
    } catch (error) {
      throw toChainError(error, "fund anchoring account");
    }
  }

  async addAnchorer(code: string, account: string): Promise<TxReceipt> {
    return this.#send("addAnchorer", [department(code), account]);
  }

  async removeAnchorer(code: string, account: string): Promise<TxReceipt> {
    return this.#send("removeAnchorer", [department(code), account]);
  }

  /** The department, or null when it is not registered. */
  async department(code: string): Promise<DepartmentInfo | null> {
    const record = await this.#read("departmentRecord", [department(code)]);
    const status = Number(record.status);
    if (status === 0) return null;
    return {
      code,
      index: Number(record.index),
      name: { en: record.nameEn, zhHK: record.nameZhHk },
      status: status === 2 ? "SUSPENDED" : "ACTIVE",
      registeredAt: Number(record.registeredAt),
    };
  }

  /** Every registered department, in registration order (one read per department, plus one). */
  async departments(): Promise<DepartmentInfo[]> {
    const count = Number(await this.#read("departmentCount", []));
    const ids = await Promise.all(Array.from({ length: count }, (_, i) => this.#read("departmentIdAt", [i + 1])));
    const found = await Promise.all(ids.map((id) => this.department(fromBytes32String(String(id)))));
    return found.filter((each): each is DepartmentInfo => each !== null);
  }

  /** Every document type ever granted to the department, with its window. */
  async documentTypes(code: string): Promise<DocumentTypeGrant[]> {
    const id = department(code);
    const types = (await this.#read("documentTypes", [id])) as string[];
    return Promise.all(
      types.map(async (type) => {
        const grant = await this.#read("documentType", [id, type]);
        return {
          type: fromBytes32String(type),
          schemaHash: grant.schemaHash as Hex,
          grantedAt: Number(grant.grantedAt),
          withdrawnAt: Number(grant.withdrawnAt),
        };
      }),
    );
  }

  /** Every signing key ever registered for the department, in registration order. */
  async signingKeys(code: string): Promise<SigningKeyWindow[]> {
    const id = department(code);
    const fingerprints = (await this.#read("signingKeys", [id])) as string[];
    return Promise.all(
      fingerprints.map(async (fingerprint) => {
        const key = await this.#read("signingKey", [id, fingerprint]);
        return {
          thumbprint: fingerprint as Hex,
          validFrom: Number(key.validFrom),
          validUntil: Number(key.validUntil),
          compromisedAt: Number(key.compromisedAt),
        };
      }),
    );
  }

  async isAnchorer(code: string, account: string): Promise<boolean> {
    return (await this.#read("isAnchorer", [department(code), account])) as boolean;
  }

  async anchorers(code: string): Promise<string[]> {
    return [...((await this.#read("anchorers", [department(code)])) as string[])];
  }

  async chainTime(): Promise<number> {
    try {
      const block = await this.#provider.getBlock("latest");
      if (!block) throw new EProofError("CHAIN_UNAVAILABLE", "the chain returned no latest block");
      return block.timestamp;
    } catch (error) {
      throw toChainError(error, "eth_getBlockByNumber");
    }
  }

  #send(method: string, args: unknown[]): Promise<TxReceipt> {
    if (this.#sender === null) {
      return Promise.reject(
        new EProofError("FORBIDDEN", "this instance holds no governance account (EPROOF_GOVERNANCE_KEY): it cannot change the IssuerRegistry"),
      );
    }
    return this.#sender.send(this.#contract, method, args, `IssuerRegistry.${method}`);
  }

  async #read(method: string, args: unknown[]): Promise<any> {
    try {
      return await this.#contract.getFunction(method).staticCall(...args);
    } catch (error) {
      throw toChainError(error, `IssuerRegistry.${method}`);
    }
  }
}

function isSigner(value: Signer | Provider): value is Signer {
  return typeof (value as Partial<Signer>).getAddress === "function";
}

function department(code: string): Hex {
  return toBytes32String(code, "department code");
}

function docType(type: string): Hex {
  return toBytes32String(type, "document type");
}
