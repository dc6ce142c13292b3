/**
 * One slice of an issuance request, on a worker thread of IssuanceWorkers (issuance-workers.ts):
 * validate, prepare (ids and salts from the OS's generator), sign with the key the main thread
 * handed over for this slice, and serialise each file once. What goes back is ready to insert.
 */
import { type KeyObject, randomBytes } from "node:crypto";
import type { Problem } from "../../domain/errors.ts";
import { builtDocument, prepareItem, validateItems } from "../../domain/issue-document.ts";
import { EProofError } from "../../errors.ts";
import { signClaimSync } from "./es256.ts";

export interface SliceTask {
  department: string;
  type: string;
  issuedAt: string;
  items: unknown[];
  build: boolean[];
  first: number;
  single: boolean;
  key: { privateKey: KeyObject; kid: string; publicJwk: Record<string, string> };
}

export type SliceResult =
  /** Each document built: its id, leaf and where its file's UTF-8 JSON lies in `files` (one buffer for the slice). */
  | { ok: true; problems: Problem[]; documents: Array<{ id: string; leaf: string; start: number; end: number } | null>; files: Uint8Array }
  | { ok: false; code: EProofError["code"]; message: string; problems: Problem[] | undefined };

/** Random bytes drawn in 64 KiB blocks; each byte handed out once. */
let pool = randomBytes(65_536);
let used = 0;
function random(length: number): Uint8Array {
  if (used + length > pool.length) {
    pool = randomBytes(Math.max(65_536, length));
    used = 0;
  }
  const out = pool.subarray(used, used + length);
  used += length;
  return out;
}

/** UTF-8 text appended into one buffer that doubles when full; bytes() is an exact copy of what was written. */
class GrowingBytes {
  #buffer: Buffer;
  size = 0;
  constructor(capacity: number) {
    this.#buffer = Buffer.allocUnsafeSlow(Math.max(4096, capacity));
  }
  append(text: string): void {
    // At most 3 bytes per UTF-16 unit.
    if (this.size + text.length * 3 > this.#buffer.length) {
      const larger = Buffer.allocUnsafeSlow(Math.max(this.#buffer.length * 2, this.size + text.length * 3));
      this.#buffer.copy(larger, 0, 0, this.size);
      this.#buffer = larger;
    }
    this.size += this.#buffer.write(text, this.size);
  }
  bytes(): Uint8Array {
    return new Uint8Array(this.#buffer.subarray(0, this.size));
  }
}

export default function buildSlice(task: SliceTask): SliceResult {
  if (task.items.length === 0) return { ok: true, problems: [], documents: [], files: new Uint8Array(0) };
  try {
    const slice = {
      type: task.type,
      issuer: task.department,
      issuedAt: task.issuedAt,
      items: task.items,
      build: task.build,
      first: task.first,
      single: task.single,
      random,
    };
    const { problems, valid } = validateItems(slice);
    if (problems.length > 0) return { ok: true, problems, documents: [], files: new Uint8Array(0) };
    const { privateKey, kid, publicJwk } = task.key;
    // Each document is prepared, signed and written out as UTF-8 before the next is begun: what one
    // document allocates dies young, and the slice's files leave as one buffer, none of them a string
    // on the event loop's heap.
    const files = new GrowingBytes(valid.length * 2048);
    const documents = valid.map((data, i) => {
      if (!data || !task.build[i]) return null;
      const prepared = prepareItem(slice, data);
      const document = builtDocument(prepared, { jws: signClaimSync(prepared.claimBytes, privateKey, kid), jwk: publicJwk });
      const start = files.size;
      files.append(document.documentJson);
      return { id: document.id, leaf: document.leaf, start, end: files.size };
    });
    return { ok: true, problems, documents, files: files.bytes() };
  } catch (error) {
    if (error instanceof EProofError) return { ok: false, code: error.code, message: error.message, problems: error.problems };
    throw error;
  }
}
