/**
 * The ChainEvents port through ethers: DocumentRegistry status events by eth_getLogs, decoded,
 * with each block's time (the trusted clock) read once per block.
 */
import { Contract, Interface, type Provider } from "ethers";
import type { ChainEvents, ChainStatusEvent, Hex } from "../../ports.ts";
import { fromBytes32String, fromDocumentIdBytes16, statusFromIndex } from "./chain-codec.ts";
import { toChainError } from "./chain-errors.ts";
import { loadArtifact } from "./contract-artifacts.ts";

const EVENT_NAMES = ["DocumentStatusChanged", "DocumentSuperseded", "BatchStatusChanged"] as const;

export class EthersChainEvents implements ChainEvents {
  readonly #provider: Provider;
  readonly #addresses: Hex[];
  readonly #interface: Interface;
  readonly #topics: string[];

  /** `documentRegistries`: every registry whose documents' statuses may still change (the current one and those it succeeded). */
  constructor(options: { provider: Provider; documentRegistries: Hex[] }) {
    this.#provider = options.provider;
    this.#addresses = options.documentRegistries;
    this.#interface = new Interface(loadArtifact("DocumentRegistry").abi);
    this.#topics = EVENT_NAMES.map((name) => {
      const event = this.#interface.getEvent(name);
      if (event === null) throw new Error(`DocumentRegistry ABI has no ${name} event`);
      return event.topicHash;
    });
  }

  async latestBlock(): Promise<number> {
    try {
      return await this.#provider.getBlockNumber();
    } catch (error) {
      throw toChainError(error, "latestBlock");
    }
  }

  async statusEvents(from: number, to: number): Promise<ChainStatusEvent[]> {
    try {
      const logs = await this.#provider.getLogs({ address: this.#addresses, topics: [this.#topics], fromBlock: from, toBlock: to });
      const blockTimes = new Map<number, number>();
      const batches = new Map<string, { department: string; docType: string }>();
      const events: ChainStatusEvent[] = [];
      for (const log of logs) {
        const parsed = this.#interface.parseLog(log);
        if (parsed === null) continue;
        let blockTime = blockTimes.get(log.blockNumber);
        if (blockTime === undefined) {
          const block = await this.#provider.getBlock(log.blockNumber);
          blockTime = block?.timestamp ?? 0;
          blockTimes.set(log.blockNumber, blockTime);
        }
        const registry = log.address as Hex;
        const where = { registry, txHash: log.transactionHash as Hex, logIndex: log.index, blockNumber: log.blockNumber, blockTime };
        if (parsed.name === "BatchStatusChanged") {
          const root = String(parsed.args.root).toLowerCase() as Hex;
          const departmentId = String(parsed.args.department);
          const key = `${registry}:${departmentId}:${root}`;
          let batch = batches.get(key);
          if (batch === undefined) {
            const record = await new Contract(registry, this.#interface, this.#provider).getFunction("batch").staticCall(departmentId, root);
            batch = { department: fromBytes32String(departmentId), docType: record.anchored ? fromBytes32String(record.docType) : "" };
            batches.set(key, batch);
          }
          events.push({ kind: "BATCH_STATUS", root, ...batch, status: statusFromIndex(parsed.args.status), ...where });
          continue;
        }
        const superseded = parsed.name === "DocumentSuperseded";
        events.push({
          kind: "DOCUMENT_STATUS",
          department: fromBytes32String(parsed.args.department),
          documentId: fromDocumentIdBytes16(parsed.args.documentId) ?? "",
          status: superseded ? "SUPERSEDED" : statusFromIndex(parsed.args.status),
          successor: superseded ? fromDocumentIdBytes16(parsed.args.successorId) : null,
          ...where,
        });
      }
      return events.sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
    } catch (error) {
      throw toChainError(error, "statusEvents");
    }
  }
}
