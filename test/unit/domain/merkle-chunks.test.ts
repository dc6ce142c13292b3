import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { merkleLeaf, merkleProofAt, merkleTree } from "../../../services/domain/merkle.ts";
import {
  MERKLE_PROOF_CHUNKS,
  MERKLE_PROOF_STEPS,
  merkleChunkKeys,
  merkleChunks,
  merkleLeafSlot,
  merkleProofFromChunks,
  merkleProofLength,
  merkleProofPlace,
} from "../../../services/domain/merkle-chunks.ts";
import type { Hex } from "../../../services/domain/types.ts";
import { propertyOptions } from "../../property-seed.ts";
import { hex, seededRandom } from "./fixtures.ts";

/**
 * A tree's layout is index arithmetic only: the chunks of a tree whose nodes are numbered instead of
 * hashed (node i holds i, so a node read from the wrong place shows) are cut and read like those of a
 * real one, which lets the tests reach trees of 2^18 leaves and more.
 */
function numberedTree(count: number): { count: number; nodes: Uint8Array } {
  const nodes = new Uint8Array((2 * count - 1) * 32).fill(0xab);
  const view = new DataView(nodes.buffer);
  for (let i = 0; i < 2 * count - 1; i += 1) view.setUint32(i * 32, i);
  return { count, nodes };
}

/** The proof of the leaf at `treeIndex`, read from the chunks the way a store reads them: by key. */
function proofFromStoredChunks(tree: { count: number; nodes: Uint8Array }, treeIndex: number): Hex[] {
  const byKey = new Map(merkleChunks(tree).map((chunk) => [chunk.key, chunk.nodes]));
  const slot = merkleLeafSlot(treeIndex, tree.count);
  return merkleProofFromChunks(
    slot,
    tree.count,
    merkleChunkKeys(slot).map((key) => byKey.get(key)),
  );
}

describe("Merkle trees kept in chunks", () => {
  it("reads every leaf's proof of a real batch byte for byte as the whole tree gives it", () => {
    const random = seededRandom("real");
    const tree = merkleTree(Array.from({ length: 300 }, () => merkleLeaf(`0x${hex(random(32))}`)));
    const byKey = new Map(merkleChunks(tree).map((chunk) => [chunk.key, chunk.nodes]));
    for (const index of tree.leafIndex) {
      const slot = merkleLeafSlot(index, tree.count);
      const chunks = merkleChunkKeys(slot).map((key) => byKey.get(key));
      expect(merkleProofFromChunks(slot, tree.count, chunks)).toEqual(merkleProofAt(tree.nodes, index));
    }
  });

  it("reads every proof right for every batch size from 1 to 150 leaves", () => {
    for (let count = 1; count <= 150; count += 1) {
      const tree = numberedTree(count);
      for (let index = count - 1; index < 2 * count - 1; index += 1) {
        expect(proofFromStoredChunks(tree, index), `leaf ${index} of ${count}`).toEqual(merkleProofAt(tree.nodes, index));
      }
    }
  });

  it("reads the proof of any leaf of batches up to 2^18 = 262,144 leaves right (three chunks deep)", () => {
    let tree = numberedTree(1);
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 1, max: 70_000 }), fc.constantFrom(2 ** 17, 2 ** 17 + 1, 2 ** 18), fc.constantFrom(64, 65, 4096, 4097, 10_000)),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (count, where) => {
          if (tree.count !== count) tree = numberedTree(count);
          const index = count - 1 + Math.floor(where * count);
          expect(proofFromStoredChunks(tree, index)).toEqual(merkleProofAt(tree.nodes, index));
        },
      ),
      propertyOptions({ numRuns: 60 }),
    );
  });

  it("keeps every node but the root exactly once, in chunks of at most 126 nodes with distinct keys", () => {
    for (const count of [1, 2, 3, 5, 33, 64, 65, 127, 128, 129, 4096, 4097, 10_000]) {
      const chunks = merkleChunks(numberedTree(count));
      const seen: number[] = [];
      for (const chunk of chunks) {
        expect(chunk.nodes.length).toBeLessThanOrEqual(126 * 32);
        const view = new DataView(chunk.nodes.buffer, chunk.nodes.byteOffset, chunk.nodes.length);
        // A place no node takes (in a short top band) is all zeros; a node carries its number and the fill.
        for (let at = 0; at < chunk.nodes.length; at += 32) if (chunk.nodes[at + 4] === 0xab) seen.push(view.getUint32(at));
      }
      expect(
        seen.sort((a, b) => a - b),
        `${count} leaves`,
      ).toEqual(Array.from({ length: 2 * count - 2 }, (_, i) => i + 1));
      expect(new Set(chunks.map((chunk) => chunk.key)).size).toBe(chunks.length);
    }
  });

  it("describes each proof step by shifts and masks that give the same places as reading the chunks", () => {
    expect(MERKLE_PROOF_STEPS).toHaveLength(18);
    expect(MERKLE_PROOF_STEPS[0]).toEqual({ band: 0, keyShift: 6, nodeShift: 0, levelMask: 63, levelBase: 62, deepest: true });
    expect(MERKLE_PROOF_STEPS[5]).toEqual({ band: 0, keyShift: 6, nodeShift: 5, levelMask: 1, levelBase: 0, deepest: false });
    expect(MERKLE_PROOF_STEPS[6]).toEqual({ band: 1, keyShift: 12, nodeShift: 6, levelMask: 63, levelBase: 62, deepest: false });
    for (const count of [1, 2, 6, 100, 5_000]) {
      for (let index = count - 1; index < 2 * count - 1; index += Math.ceil(count / 50)) {
        const slot = merkleLeafSlot(index, count);
        const places = MERKLE_PROOF_STEPS.map((step) => merkleProofPlace(step, slot, count)).filter((place) => place !== null);
        expect(places).toHaveLength(merkleProofLength(slot, count));
      }
    }
  });

  it("names at most three chunks per proof, each one of the tree's, and none for a batch of one", () => {
    expect(merkleChunks(numberedTree(1))).toEqual([]);
    expect(merkleChunkKeys(merkleLeafSlot(0, 1))).toEqual([]);
    expect(merkleProofFromChunks(merkleLeafSlot(0, 1), 1, [])).toEqual([]);
    for (const count of [2, 100, 10_000, 2 ** 18]) {
      const tree = numberedTree(count);
      const keys = new Set(merkleChunks(tree).map((chunk) => chunk.key));
      for (const index of [count - 1, Math.floor(1.5 * count) - 1, 2 * count - 2]) {
        const named = merkleChunkKeys(merkleLeafSlot(index, count));
        expect(named.length).toBeLessThanOrEqual(MERKLE_PROOF_CHUNKS);
        expect(named.length).toBe(Math.ceil((31 - Math.clz32(2 * count - 1)) / 6));
        for (const key of named) expect(keys.has(key), `chunk ${key} of ${count} leaves`).toBe(true);
      }
    }
  });

  it("refuses to read a proof when a chunk it needs is missing or cut short", () => {
    const tree = numberedTree(5_000);
    const byKey = new Map(merkleChunks(tree).map((chunk) => [chunk.key, chunk.nodes]));
    const slot = merkleLeafSlot(6_000, tree.count);
    const chunks = merkleChunkKeys(slot).map((key) => byKey.get(key));
    expect(() => merkleProofFromChunks(slot, tree.count, [chunks[0], null, chunks[2]])).toThrow(/chunk 1 of the tree is missing or short/);
    expect(() => merkleProofFromChunks(slot, tree.count, [chunks[0]?.subarray(0, 32), chunks[1], chunks[2]])).toThrow(RangeError);
  });

  it("refuses a slot or node that is not a leaf of the tree, and a tree larger than three chunks can serve", () => {
    expect(() => merkleLeafSlot(0, 3)).toThrow(RangeError);
    expect(() => merkleLeafSlot(5, 3)).toThrow(RangeError);
    expect(() => merkleProofFromChunks(3, 3, [])).toThrow(RangeError);
    expect(() => merkleProofFromChunks(7, 3, [])).toThrow(RangeError);
    expect(() => merkleChunks({ count: 2 ** 18 + 1, nodes: new Uint8Array(0) })).toThrow(/at most 262144 leaves/);
    expect(() => merkleLeafSlot(2 ** 18, 2 ** 18 + 1)).toThrow(/at most 262144 leaves/);
  });
});
