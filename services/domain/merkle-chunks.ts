/**
 * How a batch's tree (merkle.ts) is kept once, beside its batch, so that sealing writes no proof per
 * document and a document's proof is read with at most MERKLE_PROOF_CHUNKS key lookups of chunks of
 * at most 126 nodes (4 KB), never from the whole tree, and never hashed again.
 *
 * Nodes are numbered from 1 here (node number = array index + 1: the root is 1, the children of n
 * are 2n and 2n + 1), and levels counted from the root (depth 0) to the deepest leaves (depth D;
 * leaves sit at depths D and D − 1). The levels are cut into bands of MERKLE_CHUNK_LEVELS = 6 from
 * the bottom: band b holds depths D − 6b − 5 … D − 6b. A chunk is the part of a band below one node
 * A at the depth just above it, laid out as a heap of its own without A: the node n at e levels below
 * A sits at place (n − A·2^e) + 2^e − 2. The top band, if it has fewer than six levels (L), hangs
 * below a virtual node 0 six levels above its last one, so that the same rule places its nodes (the
 * node n of depth d at place n + 2^(d + 6 − L) − 2; the places no node takes stay zero).
 *
 * A document keeps one number, its leaf's *slot*: the leaf's node number if it sits at depth D,
 * twice that (where its left child would be) if at depth D − 1. Every slot then names a place at
 * depth D, and the whole proof follows from the slot by shifts and masks alone (MERKLE_PROOF_STEPS),
 * without knowing D: a store can read it in the query that reads the document.
 */
import { MERKLE_NODE_BYTES, type MerkleTree, nodeHex } from "./merkle.ts";
import type { Hex } from "./types.ts";

/** Levels per band: a chunk holds at most 2^7 − 2 = 126 nodes (4,032 bytes, within one 4 KB page). */
export const MERKLE_CHUNK_LEVELS = 6;
/**
 * Bands a proof reads at most: trees of depth ≤ 18, that is batches of up to 2^18 = 262,144
 * documents (EPROOF_BATCH_SIZE is at most 100,000). Each band more costs the store's read of a proof
 * one more lookup and six more steps.
 */
export const MERKLE_PROOF_CHUNKS = 3;
const MAX_DEPTH = MERKLE_CHUNK_LEVELS * MERKLE_PROOF_CHUNKS;

/** One piece of a stored tree: its key and its nodes, 32 bytes each. */
export interface MerkleChunk {
  key: number;
  nodes: Uint8Array;
}

/**
 * One node a proof may hold, in proof order (the leaf's sibling first, the root's child last). For
 * the leaf in `slot`, the node on its path at this step is p = slot >> nodeShift. The step is part
 * of the proof when p > 1 (p is not the root), and, for the `deepest` step, only for a leaf at depth D
 * (slot < 2·count: a leaf at depth D − 1 has no node there). Its node is p's sibling, found in the
 * chunk keyed slot >> keyShift at place ((p & levelMask) XOR 1) + levelBase.
 */
export interface MerkleProofStep {
  band: number;
  keyShift: number;
  nodeShift: number;
  levelMask: number;
  levelBase: number;
  deepest: boolean;
}

/** Every step a proof may take, band by band, each band's deepest level first. */
export const MERKLE_PROOF_STEPS: readonly MerkleProofStep[] = Array.from({ length: MERKLE_PROOF_CHUNKS * MERKLE_CHUNK_LEVELS }, (_, i) => {
  const band = Math.floor(i / MERKLE_CHUNK_LEVELS);
  const level = MERKLE_CHUNK_LEVELS - (i % MERKLE_CHUNK_LEVELS);
  return {
    band,
    keyShift: MERKLE_CHUNK_LEVELS * (band + 1),
    nodeShift: MERKLE_CHUNK_LEVELS * (band + 1) - level,
    levelMask: 2 ** level - 1,
    levelBase: 2 ** level - 2,
    deepest: i === 0,
  };
});

/** D: the depth of the deepest leaves of a tree of `count` leaves (2·count − 1 nodes). */
function depthOf(count: number): number {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`a Merkle tree has at least one leaf, not ${count}`);
  if (count > 2 ** MAX_DEPTH) {
    throw new RangeError(`a stored Merkle tree has at most ${2 ** MAX_DEPTH} leaves (${MERKLE_PROOF_CHUNKS} chunks per proof), not ${count}`);
  }
  return 31 - Math.clz32(2 * count - 1);
}

/** The slot of the leaf at array index `treeIndex` (MerkleTree.leafIndex) of a tree of `count` leaves. */
export function merkleLeafSlot(treeIndex: number, count: number): number {
  const depth = depthOf(count);
  const node = treeIndex + 1;
  if (!Number.isInteger(treeIndex) || treeIndex < count - 1 || node > 2 * count - 1) {
    throw new RangeError(`node ${treeIndex} is not a leaf of a tree of ${count} leaves`);
  }
  return node >= 2 ** depth ? node : 2 * node;
}

/** The number of nodes in the proof of the leaf in `slot`: the depth of that leaf. */
export function merkleProofLength(slot: number, count: number): number {
  const depth = depthOf(count);
  if (!Number.isInteger(slot) || slot < 2 ** depth || slot >= 2 ** (depth + 1) || (slot >= 2 * count && slot % 2 !== 0)) {
    throw new RangeError(`slot ${slot} is not in a tree of ${count} leaves`);
  }
  return slot < 2 * count ? depth : depth - 1;
}

/** Where the proof of the leaf in `slot` finds its node at `step`: the place in chunk `step.band`, or null when the step is not part of it. */
export function merkleProofPlace(step: MerkleProofStep, slot: number, count: number): number | null {
  const node = slot >> step.nodeShift;
  if (node <= 1 || (step.deepest && slot >= 2 * count)) return null;
  return ((node & step.levelMask) ^ 1) + step.levelBase;
}

/** The keys of the chunks the proof of the leaf in `slot` reads, band 0 (next to the leaf) first. */
export function merkleChunkKeys(slot: number): number[] {
  const keys: number[] = [];
  for (let band = 0; band < MERKLE_PROOF_CHUNKS && slot >> (MERKLE_CHUNK_LEVELS * band + 1) > 0; band += 1) {
    keys.push(slot >> (MERKLE_CHUNK_LEVELS * (band + 1)));
  }
  return keys;
}

/** The tree cut into its chunks (none for a tree of one leaf, whose proof is empty). */
export function merkleChunks(tree: Pick<MerkleTree, "count" | "nodes">): MerkleChunk[] {
  const depth = depthOf(tree.count);
  const size = 2 * tree.count - 1;
  if (tree.nodes.length !== size * MERKLE_NODE_BYTES) throw new RangeError(`a tree of ${tree.count} leaves has ${size} nodes`);
  const chunks: MerkleChunk[] = [];
  for (let band = 0; depth - MERKLE_CHUNK_LEVELS * band >= 1; band += 1) {
    const bottom = depth - MERKLE_CHUNK_LEVELS * band;
    if (bottom < MERKLE_CHUNK_LEVELS) {
      chunks.push({ key: 0, nodes: shortTopChunk(tree.nodes, size, bottom) });
      continue;
    }
    const top = bottom - MERKLE_CHUNK_LEVELS;
    for (let anchor = 2 ** top; anchor < 2 ** (top + 1); anchor += 1) {
      // The descendants of `anchor` e levels down are the node numbers [anchor·2^e, (anchor + 1)·2^e),
      // consecutive in the array, and consecutive in the chunk; only the deepest level may stop short.
      const runs: Uint8Array[] = [];
      for (let e = 1; e <= MERKLE_CHUNK_LEVELS; e += 1) {
        const first = anchor * 2 ** e;
        const end = Math.min((anchor + 1) * 2 ** e, size + 1);
        if (end <= first) break;
        runs.push(tree.nodes.subarray((first - 1) * MERKLE_NODE_BYTES, (end - 1) * MERKLE_NODE_BYTES));
      }
      const nodes = new Uint8Array(runs.reduce((sum, run) => sum + run.length, 0));
      let at = 0;
      for (const run of runs) {
        nodes.set(run, at);
        at += run.length;
      }
      chunks.push({ key: anchor, nodes });
    }
  }
  return chunks;
}

/** The top band of `levels` < 6 levels (depths 1…levels), below the virtual node 0 (see the module's comment). */
function shortTopChunk(treeNodes: Uint8Array, size: number, levels: number): Uint8Array {
  const placeOf = (node: number, depth: number) => node + 2 ** (depth + MERKLE_CHUNK_LEVELS - levels) - 2;
  const last = Math.min(2 ** (levels + 1), size + 1) - 1;
  const nodes = new Uint8Array((placeOf(last, levels) + 1) * MERKLE_NODE_BYTES);
  for (let depth = 1; depth <= levels; depth += 1) {
    const first = 2 ** depth;
    const end = Math.min(2 ** (depth + 1), size + 1);
    nodes.set(treeNodes.subarray((first - 1) * MERKLE_NODE_BYTES, (end - 1) * MERKLE_NODE_BYTES), placeOf(first, depth) * MERKLE_NODE_BYTES);
  }
  return nodes;
}

/**
 * The proof of the leaf in `slot` of a tree of `count` leaves, from the chunks of merkleChunkKeys(slot)
 * in that order, by MERKLE_PROOF_STEPS: byte for byte what merkleProofAt gives on the whole tree.
 * Throws RangeError when a chunk it needs is missing or too short (a store that lost part of a tree).
 */
export function merkleProofFromChunks(slot: number, count: number, chunks: ReadonlyArray<Uint8Array | null | undefined>): Hex[] {
  const length = merkleProofLength(slot, count);
  const proof: Hex[] = [];
  for (const step of MERKLE_PROOF_STEPS) {
    const place = merkleProofPlace(step, slot, count);
    if (place === null) continue;
    const chunk = chunks[step.band];
    if (!chunk || chunk.length < (place + 1) * MERKLE_NODE_BYTES) {
      throw new RangeError(`chunk ${step.band} of the tree is missing or short (slot ${slot}, ${count} leaves)`);
    }
    proof.push(nodeHex(chunk, place));
  }
  if (proof.length !== length) throw new RangeError(`the proof of slot ${slot} took ${proof.length} nodes, not ${length}`);
  return proof;
}
