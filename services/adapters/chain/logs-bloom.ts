/**
 * A block header's logs bloom (Ethereum yellow paper, section 4.3.1): 2048 bits in which every log of
 * the block sets three bits for its address and three for each of its topics. A value whose three bits
 * are not all set is in none of the block's logs; all set, it may be (or another value set them).
 */
import { keccak256OfHex } from "../../domain/keccak.ts";
import type { Hex } from "../../ports.ts";

const BLOOM_HEX = /^0x[0-9a-fA-F]{512}$/;

/** Whether `bloom` is a well-formed 256-byte logs bloom. */
export function isLogsBloom(bloom: unknown): bloom is Hex {
  return typeof bloom === "string" && BLOOM_HEX.test(bloom);
}

/**
 * False when no log of the block has `value` (an address of 20 bytes or a topic of 32, as 0x-hex) as
 * its address or one of its topics; true when one may have.
 */
export function bloomMayContain(bloom: Hex, value: Hex): boolean {
  if (!isLogsBloom(bloom)) throw new Error("not a logs bloom");
  const digest = keccak256OfHex(value);
  for (let pair = 0; pair < 3; pair++) {
    // Bytes 2·pair and 2·pair+1 of the hash, modulo 2048, number one of the bloom's bits from its low end.
    const bit = Number.parseInt(digest.slice(2 + 4 * pair, 6 + 4 * pair), 16) & 2047;
    const byte = 255 - (bit >> 3);
    const value8 = Number.parseInt(bloom.slice(2 + 2 * byte, 4 + 2 * byte), 16);
    if ((value8 & (1 << (bit & 7))) === 0) return false;
  }
  return true;
}
