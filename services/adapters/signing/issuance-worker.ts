/**
 * One slice of an issuance request, on a worker thread of IssuanceWorkers (issuance-workers.ts):
 * validate, prepare (ids and salts from the OS's generator), sign with the key the main thread
 * handed over for this slice, and serialise each file once. What goes back is ready to insert.
 */
import { type KeyObject, randomBytes } from "node:crypto";
import type { Problem } from "../../domain/errors.ts";
import { builtDocument, prepareItems } from "../../domain/issue-document.ts";
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

export default function buildSlice(task: SliceTask): SliceResult {
  if (task.items.length === 0) return { ok: true, problems: [], documents: [], files: new Uint8Array(0) };
  try {
    const { problems, prepared } = prepareItems({
      type: task.type,
      issuer: task.department,
      issuedAt: task.issuedAt,
      items: task.items,
      build: task.build,
      first: task.first,
      single: task.single,
      random,
    });
    const { privateKey, kid, publicJwk } = task.key;
    const built = prepared.map((document) =>
      document ? builtDocument(document, { jws: signClaimSync(document.claimBytes, privateKey, kid), jwk: publicJwk }) : null,
    );
    // The files as UTF-8 in one buffer: what the store writes, copied across in one piece, and none
    // of it a string on the event loop's heap.
    let size = 0;
    for (const document of built) if (document) size += Buffer.byteLength(document.documentJson);
    const files = Buffer.allocUnsafeSlow(size);
    let offset = 0;
    const documents = built.map((document) => {
      if (!document) return null;
      const start = offset;
      offset += files.write(document.documentJson, offset);
      return { id: document.id, leaf: document.leaf, start, end: offset };
    });
    return { ok: true, problems, documents, files: new Uint8Array(files.buffer, 0, size) };
  } catch (error) {
    if (error instanceof EProofError) return { ok: false, code: error.code, message: error.message, problems: error.problems };
    throw error;
  }
}
