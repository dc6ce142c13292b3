/**
 * Where a document sits in its department's status lists (issue 15). Each department hands out
 * ordinals 0, 1, 2, … (a counter in the shared store, one per department); ordinal `o` goes to list
 * `floor(o / size)`, at index `permute(o mod size)`, where the permutation is a keyed Feistel network
 * over the list's index space, keyed by the department's secret and the list number. So the indexes
 * of one list are distinct by construction (a permutation never maps two inputs to one output, no
 * retry, no uniqueness probe), and look random: without the secret, an index tells nothing of when
 * its document got its place, nor which neighbours were placed next to it.
 */
import { createSHA256 } from "hash-wasm";
import { STATUS_LIST_SIZE } from "./status-list-location.ts";

/** One hasher, reused (as in sha256.ts): every call is synchronous, so calls never interleave. */
const hasher = await createSHA256();
const encoder = new TextEncoder();

/** Feistel rounds: 8 (4 is the Luby–Rackoff minimum for a strong pseudo-random permutation; the cost is nothing). */
const ROUNDS = 8;

export interface StatusListPlace {
  list: number;
  index: number;
}

/** The round function's input for the last (secret, list) asked: its first 32 bytes are the key, hashed once, not once a place (bulk placement asks thousands in a row). */
let lastKey: { secret: string; list: number; input: Uint8Array; view: DataView } | null = null;

function roundInput(secret: string, list: number): { input: Uint8Array; view: DataView } {
  if (lastKey?.secret === secret && lastKey.list === list) return lastKey;
  hasher.init();
  hasher.update(encoder.encode(`eproof-status-list\n${secret}\n${list}`));
  const input = new Uint8Array(40);
  input.set(hasher.digest("binary"));
  lastKey = { secret, list, input, view: new DataView(input.buffer) };
  return lastKey;
}

/** The place of the department's `ordinal`-th entry, for the department's secret (hex). */
export function statusListPlace(secret: string, ordinal: number, size: number = STATUS_LIST_SIZE): StatusListPlace {
  if (!Number.isSafeInteger(ordinal) || ordinal < 0) throw new RangeError(`ordinal must be a non-negative integer, got ${ordinal}`);
  const list = Math.floor(ordinal / size);
  return { list, index: permuteIndex(secret, list, ordinal % size, size) };
}

/**
 * A keyed permutation of 0 … size-1: a balanced Feistel network over the smallest even number of bits
 * that covers `size`, cycle-walking (applying it again) until the value falls inside the range, which
 * keeps it a permutation of the range itself.
 */
export function permuteIndex(secret: string, list: number, value: number, size: number = STATUS_LIST_SIZE): number {
  if (!Number.isInteger(size) || size < 2 || size > 2 ** 30) throw new RangeError(`size must be an integer in 2 … 2^30, got ${size}`);
  if (!Number.isInteger(value) || value < 0 || value >= size) throw new RangeError(`value must be in 0 … ${size - 1}, got ${value}`);
  const halfBits = Math.ceil(Math.ceil(Math.log2(size)) / 2);
  const half = 2 ** halfBits;
  const mask = half - 1;
  // The round function is SHA-256 over (a key of this secret and list, round, half): 40 bytes a call.
  const { input, view } = roundInput(secret, list);
  let x = value;
  do {
    let left = Math.floor(x / half);
    let right = x & mask;
    for (let round = 0; round < ROUNDS; round++) {
      view.setUint32(32, round);
      view.setUint32(36, right);
      hasher.init();
      hasher.update(input);
      const digest = hasher.digest("binary");
      const word = (((digest[0] as number) << 24) | ((digest[1] as number) << 16) | ((digest[2] as number) << 8) | (digest[3] as number)) >>> 0;
      const next = (left ^ word) & mask;
      left = right;
      right = next;
    }
    x = left * half + right;
  } while (x >= size);
  return x;
}
