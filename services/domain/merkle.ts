/**
 * Merkle batches, laid out exactly as @openzeppelin/merkle-tree's StandardMerkleTree with leaf
 * encoding ["bytes32"] (sorted leaves, array tree, commutative keccak256 pairs), so that
 * OpenZeppelin's `MerkleProof.verify` accepts every proof. Building the tree is O(n log n) (the
 * sort); a proof is read off it in O(log n), without hashing.
 */
import { keccak256Bytes, keccak256OfHex } from "./keccak.ts";
import type { Hex } from "./types.ts";

/** keccak256(keccak256(abi.encode(bytes32))): the double hash that rules out second preimages. */
export function merkleLeaf(documentHash: Hex): Hex {
  return keccak256OfHex(keccak256OfHex(documentHash));
}

/** Bytes of one node. */
export const MERKLE_NODE_BYTES = 32;

/**
 * A batch's whole tree. `nodes` holds the 2n − 1 nodes, 32 bytes each, in StandardMerkleTree's
 * array order: node 0 is the root, node i's children are 2i + 1 and 2i + 2, and the n leaves,
 * sorted, fill the last n places (the smallest last). `leafIndex[k]` is the node of the k-th leaf given.
 */
export interface MerkleTree {
  root: Hex;
  count: number;
  nodes: Uint8Array;
  leafIndex: number[];
}

/** The 32 bytes at node `index` of `nodes`, as 0x-hex. */
export function nodeHex(nodes: Uint8Array, index: number): Hex {
  return `0x${Buffer.from(nodes.buffer, nodes.byteOffset + index * MERKLE_NODE_BYTES, MERKLE_NODE_BYTES).toString("hex")}`;
}

/** Byte order of two nodes (equal length): what "sorted pair" means in OpenZeppelin's commutative hash. */
function compareNodes(nodes: Uint8Array, a: number, b: number): number {
  const x = a * MERKLE_NODE_BYTES;
  const y = b * MERKLE_NODE_BYTES;
  for (let i = 0; i < MERKLE_NODE_BYTES; i += 1) {
    const d = (nodes[x + i] as number) - (nodes[y + i] as number);
    if (d !== 0) return d;
  }
  return 0;
}

/** Builds the whole tree of `leaves` (32-byte hex each, any case). Throws RangeError for no leaf or a leaf of another size. */
export function merkleTree(leaves: Hex[]): MerkleTree {
  if (leaves.length === 0) throw new RangeError("a Merkle tree needs at least one leaf");
  const count = leaves.length;
  const normalised = leaves.map((leaf, i) => {
    const lower = leaf.toLowerCase();
    if (lower.length !== 2 + 2 * MERKLE_NODE_BYTES || !lower.startsWith("0x")) throw new RangeError(`Merkle leaf ${i} is not 32 bytes of 0x-hex`);
    return lower;
  });
  // Lowercase hex of equal length sorts like the bytes it encodes.
  const order = normalised
    .map((_, index) => index)
    .sort((i, j) => {
      const a = normalised[i] as string;
      const b = normalised[j] as string;
      return a < b ? -1 : a > b ? 1 : 0;
    });
  const size = 2 * count - 1;
  const nodes = new Uint8Array(size * MERKLE_NODE_BYTES);
  const bytes = Buffer.from(nodes.buffer, nodes.byteOffset, nodes.length);
  const leafIndex: number[] = new Array(count);
  order.forEach((inputIndex, sortedIndex) => {
    const treeIndex = size - 1 - sortedIndex;
    // Buffer stops at the first character that is not hex: fewer than 32 bytes means a bad leaf.
    if (bytes.write((normalised[inputIndex] as string).slice(2), treeIndex * MERKLE_NODE_BYTES, MERKLE_NODE_BYTES, "hex") !== MERKLE_NODE_BYTES) {
      throw new RangeError(`Merkle leaf ${inputIndex} is not 32 bytes of 0x-hex`);
    }
    leafIndex[inputIndex] = treeIndex;
  });
  const node = (index: number) => nodes.subarray(index * MERKLE_NODE_BYTES, (index + 1) * MERKLE_NODE_BYTES);
  for (let i = size - 1 - count; i >= 0; i -= 1) {
    const left = 2 * i + 1;
    // The pair in byte order; when it is already, the two children are one 64-byte run.
    const hash =
      compareNodes(nodes, left, left + 1) <= 0
        ? keccak256Bytes(nodes.subarray(left * MERKLE_NODE_BYTES, (left + 2) * MERKLE_NODE_BYTES))
        : keccak256Bytes(node(left + 1), node(left));
    nodes.set(hash, i * MERKLE_NODE_BYTES);
  }
  return { root: nodeHex(nodes, 0), count, nodes, leafIndex };
}

/** The proof of the leaf at node `treeIndex`: the sibling of each node on its path, leaf first, root excluded. */
export function merkleProofAt(nodes: Uint8Array, treeIndex: number): Hex[] {
  if (!Number.isInteger(treeIndex) || treeIndex < 0 || (treeIndex + 1) * MERKLE_NODE_BYTES > nodes.length) {
    throw new RangeError(`node ${treeIndex} is not in this tree`);
  }
  const proof: Hex[] = [];
  for (let i = treeIndex; i > 0; i = (i - 1) >> 1) proof.push(nodeHex(nodes, i % 2 === 1 ? i + 1 : i - 1));
  return proof;
}

/** The root and every leaf's proof, in the order the leaves were given. */
export function buildMerkleTree(leaves: Hex[]): { root: Hex; proofs: Hex[][] } {
  const tree = merkleTree(leaves);
  return { root: tree.root, proofs: tree.leafIndex.map((index) => merkleProofAt(tree.nodes, index)) };
}

function hashPair(a: string, b: string): Hex {
  // Lowercase hex of equal length compares like the bytes it encodes.
  return keccak256OfHex(a < b ? `${a}${b.slice(2)}` : `${b}${a.slice(2)}`);
}

export function verifyMerkleProof(leaf: Hex, proof: Hex[], root: Hex): boolean {
  let node = leaf.toLowerCase();
  for (const sibling of proof) node = hashPair(node, sibling.toLowerCase());
  return node === root.toLowerCase();
}
