/**
 * keccak256, the hash of the chain (and of OpenZeppelin's Merkle proofs). hash-wasm's WebAssembly
 * keccak is ~8× faster than the JavaScript one inside ethers (2.5 µs against ~20 µs for a field
 * digest here), and issuance computes about ten per document. One hasher, reused: all calls are
 * synchronous, so they never interleave.
 */
import { createKeccak } from "hash-wasm";
import type { Hex } from "./types.ts";

const hasher = await createKeccak(256);

/** keccak256 of a UTF-8 string or of bytes. */
export function keccak256(data: string | Uint8Array): Hex {
  hasher.init();
  hasher.update(data);
  return `0x${hasher.digest("hex")}`;
}

/** keccak256 of the bytes of `parts`, one after another, as bytes (the Merkle tree's pairs: no hex on the way). */
export function keccak256Bytes(...parts: Uint8Array[]): Uint8Array {
  hasher.init();
  for (const part of parts) hasher.update(part);
  return hasher.digest("binary");
}

/** keccak256 of the bytes written as 0x-hex (one or more concatenated words). */
export function keccak256OfHex(hex: string): Hex {
  return keccak256(Buffer.from(hex.startsWith("0x") ? hex.slice(2) : hex, "hex"));
}
