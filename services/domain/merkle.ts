/**
 * Merkle batches, laid out exactly as @openzeppelin/merkle-tree's StandardMerkleTree with leaf
 * encoding ["bytes32"] (sorted leaves, array tree, commutative keccak256 pairs), so that
 * OpenZeppelin's `MerkleProof.verify` accepts every proof. Building all proofs is O(n log n).
 */
import { keccak256OfHex } from "./keccak.ts";
import type { Hex } from "./types.ts";

/** keccak256(keccak256(abi.encode(bytes32))): the double hash that rules out second preimages. */
export function merkleLeaf(documentHash: Hex): Hex {
  return keccak256OfHex(keccak256OfHex(documentHash));
}

function hashPair(a: string, b: string): Hex {
  // Lowercase hex of equal length compares like the bytes it encodes.
  return keccak256OfHex(a < b ? `${a}${b.slice(2)}` : `${b}${a.slice(2)}`);
}

export function buildMerkleTree(leaves: Hex[]): { root: Hex; proofs: Hex[][] } {
  if (leaves.length === 0) throw new RangeError("a Merkle tree needs at least one leaf");
  const normalised = leaves.map((leaf) => leaf.toLowerCase() as Hex);
  const order = normalised
    .map((_, index) => index)
    .sort((i, j) => {
      const a = normalised[i] as string;
      const b = normalised[j] as string;
      return a < b ? -1 : a > b ? 1 : 0;
    });
  const size = 2 * leaves.length - 1;
  const tree: Hex[] = new Array(size);
  const position: number[] = new Array(leaves.length);
  order.forEach((inputIndex, sortedIndex) => {
    const treeIndex = size - 1 - sortedIndex;
    tree[treeIndex] = normalised[inputIndex] as Hex;
    position[inputIndex] = treeIndex;
  });
  for (let i = size - 1 - leaves.length; i >= 0; i -= 1) {
    tree[i] = hashPair(tree[2 * i + 1] as string, tree[2 * i + 2] as string);
  }
  const proofs = position.map((start) => {
    const proof: Hex[] = [];
    for (let i = start; i > 0; i = Math.floor((i - 1) / 2)) {
      proof.push(tree[i % 2 === 1 ? i + 1 : i - 1] as Hex);
    }
    return proof;
  });
  return { root: tree[0] as Hex, proofs };
}

export function verifyMerkleProof(leaf: Hex, proof: Hex[], root: Hex): boolean {
  let node = leaf.toLowerCase();
  for (const sibling of proof) node = hashPair(node, sibling.toLowerCase());
  return node === root.toLowerCase();
}
