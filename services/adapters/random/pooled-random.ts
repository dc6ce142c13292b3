/**
 * The Random port on the OS's cryptographic generator, drawn in 64 KiB blocks: issuing a document
 * takes ~9 small draws (its id and one salt per field), and one system call per draw cost more
 * than hashing the document.
 */
import { randomBytes } from "node:crypto";
import type { Random } from "../../ports.ts";

export function pooledRandom(blockSize = 65_536): Random {
  let pool = randomBytes(blockSize);
  let used = 0;
  return {
    bytes(n) {
      if (n > blockSize) return new Uint8Array(randomBytes(n));
      if (used + n > pool.length) {
        pool = randomBytes(blockSize);
        used = 0;
      }
      const out = new Uint8Array(pool.subarray(used, used + n));
      // Never hand out the same bytes twice.
      pool.fill(0, used, used + n);
      used += n;
      return out;
    },
  };
}
