/**
 * Which blocks changed no verification record (block-pinned-reads.ts carries answers across them).
 *
 * A verification record is state of the trusted DocumentRegistries and their IssuerRegistries only
 * (verificationRecord reads the registry's batches and documents and its immutable IssuerRegistry), and
 * every change of that state logs an event of the contract that holds it. So a block changed no record
 * when none of its logs comes from those contracts, except BatchAnchored logs of the current registry:
 * a new anchoring fills the record of its own root only, which was "not anchored" before (and such
 * answers are never carried). The block's logs bloom says which addresses may have logged; when the
 * current registry may have, its logs in that block are read (by block hash) and must all be
 * BatchAnchored. Every other trusted contract in the bloom, an event that is not BatchAnchored (whatever
 * the contract's version names it), a node that answers no logs although the bloom says there may be
 * some, or a failed read: not quiet.
 */
import { Interface } from "ethers";
import type { Hex } from "../../ports.ts";
import type { CarryOver, ChainHead } from "./block-pinned-reads.ts";
import { loadArtifact } from "./contract-artifacts.ts";
import { bloomMayContain, isLogsBloom } from "./logs-bloom.ts";

/** What the check reads of the chain (EthersLedger). */
export interface BlockLogsReader {
  headerAt(blockNumber: number): Promise<ChainHead>;
  logsOfBlock(blockHash: Hex, address: Hex): Promise<Array<{ address: Hex; topics: Hex[]; blockHash: Hex | null }>>;
  /** The IssuerRegistry a DocumentRegistry reads (its immutable `issuerRegistry`). */
  issuerRegistryOf(registry: Hex): Promise<Hex>;
}

const RETRY_MS = 10_000;
const BATCH_ANCHORED = (new Interface(loadArtifact("DocumentRegistry").abi).getEvent("BatchAnchored")?.topicHash ?? "").toLowerCase();

export function quietBlocks(
  reader: BlockLogsReader,
  registries: {
    /** The current DocumentRegistry, the only one whose BatchAnchored logs leave the records be. */
    current: Hex;
    /** The earlier trusted DocumentRegistries. */
    earlier: readonly Hex[];
    /** The IssuerRegistries as configured (those the registries read on chain are watched too, once read). */
    issuerRegistries: readonly Hex[];
  },
): CarryOver {
  if (!BATCH_ANCHORED) throw new Error("the DocumentRegistry ABI has no BatchAnchored event");
  const lower = (address: Hex) => address.toLowerCase() as Hex;
  const current = lower(registries.current);
  const documentRegistries = [current, ...registries.earlier.map(lower)];
  // Every contract a record depends on but the current registry: read once (the IssuerRegistry of a
  // DocumentRegistry is immutable), so a configuration naming another IssuerRegistry cannot hide one.
  // Until they are read nothing is quiet; a failed read is tried again RETRY_MS later at the soonest.
  let others: Promise<Hex[]> | null = null;
  let failedAt = Number.NEGATIVE_INFINITY;
  const othersOnce = (): Promise<Hex[] | null> => {
    if (others === null && Date.now() - failedAt < RETRY_MS) return Promise.resolve(null);
    others ??= Promise.all(documentRegistries.map((registry) => reader.issuerRegistryOf(registry))).then(
      (onChain) => [...new Set([...registries.earlier, ...registries.issuerRegistries, ...onChain].map(lower))].filter((address) => address !== current),
      (error: unknown) => {
        others = null;
        failedAt = Date.now();
        throw error;
      },
    );
    return others;
  };
  return {
    headerAt: (blockNumber) => reader.headerAt(blockNumber),
    async changesNoRecord(block) {
      const bloom = block.logsBloom;
      if (!isLogsBloom(bloom)) return false;
      const watched = await othersOnce().catch(() => null);
      if (watched === null || watched.some((address) => bloomMayContain(bloom, address))) return false;
      if (!bloomMayContain(bloom, current)) return true;
      const logs = await reader.logsOfBlock(block.hash, current).catch(() => null);
      if (logs === null || logs.length === 0) return false;
      return logs.every((log) => log.address === current && log.topics[0] === BATCH_ANCHORED && log.blockHash === block.hash);
    },
  };
}
