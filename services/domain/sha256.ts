/**
 * SHA-256 as hex, for identifiers that must be the same on every instance (a webhook delivery's id).
 * hash-wasm's, like keccak.ts: the domain imports no node: builtin. One hasher, reused: all calls are
 * synchronous, so they never interleave.
 */
import { createSHA256 } from "hash-wasm";

const hasher = await createSHA256();

/** SHA-256 of a UTF-8 string or of bytes, as 64 lowercase hex characters. */
export function sha256Hex(data: string | Uint8Array): string {
  hasher.init();
  hasher.update(data);
  return hasher.digest("hex");
}
