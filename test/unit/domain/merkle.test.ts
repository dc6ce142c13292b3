import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { keccak256 } from "ethers";
import { describe, expect, it } from "vitest";
import { buildMerkleTree, merkleLeaf, merkleProofAt, merkleTree, nodeHex, verifyMerkleProof } from "../../../services/domain/merkle.ts";
import type { Hex } from "../../../services/domain/types.ts";
import { hex, seededRandom } from "./fixtures.ts";

function documentHashes(count: number, seed: string): Hex[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => `0x${hex(random(32))}` as Hex);
}

/** The same 32-byte value with its first byte changed. */
function flipped(value: Hex): Hex {
  const first = (Number.parseInt(value.slice(2, 4), 16) ^ 0x01).toString(16).padStart(2, "0");
  return `0x${first}${value.slice(4)}` as Hex;
}

describe("Merkle batches", () => {
  it("hashes a leaf as OpenZeppelin's StandardMerkleTree does for ['bytes32']", () => {
    for (const hash of documentHashes(5, "leaf")) {
      const tree = StandardMerkleTree.of([[hash]], ["bytes32"]);
      expect(merkleLeaf(hash)).toBe(tree.leafHash([hash]));
      expect(merkleLeaf(hash)).toBe(keccak256(keccak256(hash)));
    }
  });

  for (const size of [1, 2, 3, 5, 8, 13, 100]) {
    it(`builds the same root and proofs as StandardMerkleTree for ${size} document(s)`, () => {
      const hashes = documentHashes(size, `oz-${size}`);
      const ours = buildMerkleTree(hashes.map(merkleLeaf));
      const oz = StandardMerkleTree.of(
        hashes.map((h) => [h]),
        ["bytes32"],
      );
      expect(ours.root).toBe(oz.root);
      expect(ours.proofs).toHaveLength(size);
      hashes.forEach((hash, i) => {
        expect(ours.proofs[i], `proof ${i}`).toEqual(oz.getProof(i));
        expect(StandardMerkleTree.verify(ours.root, ["bytes32"], [hash], ours.proofs[i] as Hex[])).toBe(true);
      });
    });

    it(`accepts every proof of a ${size}-document batch and rejects a wrong leaf or sibling`, () => {
      const hashes = documentHashes(size, `verify-${size}`);
      const { root, proofs } = buildMerkleTree(hashes.map(merkleLeaf));
      const [stranger] = documentHashes(1, `stranger-${size}`) as [Hex];
      hashes.forEach((hash, i) => {
        const proof = proofs[i] as Hex[];
        expect(verifyMerkleProof(merkleLeaf(hash), proof, root)).toBe(true);
        expect(verifyMerkleProof(merkleLeaf(stranger), proof, root)).toBe(false);
        expect(verifyMerkleProof(hash, proof, root), "the bare document hash is not a leaf").toBe(false);
        for (let s = 0; s < proof.length; s += 1) {
          const wrong = proof.map((p, j) => (j === s ? flipped(p) : p));
          expect(verifyMerkleProof(merkleLeaf(hash), wrong, root)).toBe(false);
        }
        if (proof.length > 0) {
          expect(verifyMerkleProof(merkleLeaf(hash), proof.slice(0, -1), root), "a shortened proof").toBe(false);
          expect(verifyMerkleProof(merkleLeaf(hash), [...proof, proof[0] as Hex], root), "a lengthened proof").toBe(false);
        }
      });
    });
  }

  it("accepts proofs whatever the case of their hex digits", () => {
    const hashes = documentHashes(6, "case");
    const { root, proofs } = buildMerkleTree(hashes.map(merkleLeaf));
    const upper = (h: string) => `0x${h.slice(2).toUpperCase()}` as Hex;
    expect(verifyMerkleProof(upper(merkleLeaf(hashes[2] as Hex)), (proofs[2] as Hex[]).map(upper), upper(root))).toBe(true);
  });

  it("gives the same root whatever the order of the documents in the batch", () => {
    const hashes = documentHashes(9, "order");
    const reversed = [...hashes].reverse();
    expect(buildMerkleTree(reversed.map(merkleLeaf)).root).toBe(buildMerkleTree(hashes.map(merkleLeaf)).root);
  });

  it("refuses to build a tree without leaves", () => {
    expect(() => buildMerkleTree([])).toThrow(RangeError);
  });

  it("builds a 10,000-document batch whose proofs verify and match OpenZeppelin", () => {
    const hashes = documentHashes(10_000, "large");
    const { root, proofs } = buildMerkleTree(hashes.map(merkleLeaf));
    const oz = StandardMerkleTree.of(
      hashes.map((h) => [h]),
      ["bytes32"],
    );
    expect(root).toBe(oz.root);
    for (const i of [0, 1, 4_999, 8_191, 8_192, 9_999]) {
      expect(proofs[i]).toEqual(oz.getProof(i));
      expect(verifyMerkleProof(merkleLeaf(hashes[i] as Hex), proofs[i] as Hex[], root)).toBe(true);
    }
    expect(Math.max(...proofs.map((p) => p.length))).toBeLessThanOrEqual(14);
  });

  for (const size of [1, 2, 7, 100]) {
    it(`lays out the whole tree of ${size} document(s) node for node as StandardMerkleTree's array`, () => {
      const hashes = documentHashes(size, `layout-${size}`);
      const tree = merkleTree(hashes.map(merkleLeaf));
      const oz = StandardMerkleTree.of(
        hashes.map((h) => [h]),
        ["bytes32"],
      ).dump();
      expect(tree.count).toBe(size);
      expect(Array.from({ length: tree.nodes.length / 32 }, (_, i) => nodeHex(tree.nodes, i))).toEqual(oz.tree);
      expect(tree.root).toBe(oz.tree[0]);
      // StandardMerkleTree's values are the leaves in the order given, each with its place in the array.
      expect(tree.leafIndex).toEqual(oz.values.map((v) => v.treeIndex));
      hashes.forEach((_, i) => {
        expect(merkleProofAt(tree.nodes, tree.leafIndex[i] as number)).toEqual(buildMerkleTree(hashes.map(merkleLeaf)).proofs[i]);
      });
    });
  }

  it("takes leaves in either case and builds the tree of their lowercase form", () => {
    const leaves = documentHashes(5, "upper").map(merkleLeaf);
    const upper = leaves.map((l) => `0x${l.slice(2).toUpperCase()}` as Hex);
    expect(merkleTree(upper)).toEqual(merkleTree(leaves));
  });

  it("refuses a leaf that is not 32 bytes of hex, naming it", () => {
    const leaves = documentHashes(3, "short").map(merkleLeaf);
    expect(() => merkleTree([leaves[0] as Hex, "0x1234"])).toThrow(/leaf 1 is not 32 bytes/);
    expect(() => merkleTree([`0x${"zz".repeat(32)}`])).toThrow(RangeError);
  });

  it("refuses a node outside the tree when asked for a proof", () => {
    const tree = merkleTree(documentHashes(4, "outside").map(merkleLeaf));
    expect(() => merkleProofAt(tree.nodes, 7)).toThrow(RangeError);
    expect(() => merkleProofAt(tree.nodes, -1)).toThrow(RangeError);
  });
});
