/**
 * A document's status history as shown: one entry per transaction. The service records a change it
 * sent with the officer's reason; the chain follower records changes it finds on chain. Should both
 * record the same transaction (the follower ran between the transaction and the officer's record,
 * e.g. on another instance), the officer's entry is kept in the place of the first.
 */
export interface HistoryEntry {
  txHash: string;
  actor: string;
}

export const CHAIN_ACTOR = "chain";

export function collapseHistory<T extends HistoryEntry>(entries: readonly T[]): T[] {
  const byTx = new Map<string, number>();
  const shown: T[] = [];
  for (const entry of entries) {
    const key = entry.txHash.toLowerCase();
    const at = byTx.get(key);
    if (at === undefined) {
      byTx.set(key, shown.length);
      shown.push(entry);
    } else if (shown[at]?.actor === CHAIN_ACTOR && entry.actor !== CHAIN_ACTOR) {
      shown[at] = entry;
    }
  }
  return shown;
}
