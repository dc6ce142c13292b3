/**
 * The DocumentBuilder port on a pool of worker threads (piscina), one per core: an issuance request
 * is cut into slices, and each slice is validated, built, signed and serialised on a worker
 * (issuance-worker.ts), which hands back ids, leaves and files ready to insert. The event loop
 * only dispatches slices and stores what comes back.
 *
 * The signing key is asked of key custody for each slice as it is dispatched, with custody's own
 * check (an ACTIVE key, neither retired nor reported compromised), and posted to the worker with
 * that slice alone (KeyObjects cross threads; workers keep none): a key that stops being usable
 * signs no slice dispatched after that. At most `threads + 1` slices are in flight, as the
 * in-thread path keeps at most one window of signatures in flight. A small young generation per
 * worker (4 MiB) keeps their memory near what one slice needs.
 */
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { availableParallelism } from "node:os";
import { Piscina } from "piscina";
import { DOCUMENT_EXAMPLES } from "../../domain/document-examples.ts";
import type { Problem } from "../../domain/errors.ts";
import { EProofError } from "../../errors.ts";
import type { DocumentBuilder, Hex } from "../../ports.ts";
import type { SliceResult, SliceTask } from "./issuance-worker.ts";

/** The department's usable signing key with its private part (key custody's check included). */
export interface SigningKeySource {
  usableSigningKey(department: string): Promise<{ kid: string; publicJwk: Record<string, string>; privateKey: KeyObject }>;
}

export interface IssuanceWorkersOptions {
  keys: SigningKeySource;
  /** Worker threads (default: one per core). */
  threads?: number;
  /** Most documents per slice (default 250; a small request is cut finer, so that every thread gets a share). */
  sliceSize?: number;
}

/** Documents of each type that every thread builds at start (about 20 ms of one core per 100). */
const WARM_UP_PER_TYPE = 150;

export class IssuanceWorkers implements DocumentBuilder {
  readonly #keys: SigningKeySource;
  #pool: Piscina<SliceTask, SliceResult> | null = null;
  #warming: Promise<void> | null = null;
  readonly #threads: number;
  readonly #sliceSize: number;

  constructor(options: IssuanceWorkersOptions) {
    this.#keys = options.keys;
    this.#threads = Math.max(1, options.threads ?? availableParallelism());
    this.#sliceSize = Math.max(1, options.sliceSize ?? 250);
  }

  /** The threads start with ready() (the service calls it at start) or with the first request that needs them. */
  #threadPool(): Piscina<SliceTask, SliceResult> {
    this.#pool ??= new Piscina({
      filename: new URL("./issuance-worker.ts", import.meta.url).href,
      minThreads: this.#threads,
      maxThreads: this.#threads,
      idleTimeout: Number.POSITIVE_INFINITY,
      resourceLimits: { maxYoungGenerationSizeMb: 4 },
    });
    return this.#pool;
  }

  /**
   * Resolves once every worker has loaded its modules and compiled its hot code: each builds and signs
   * WARM_UP_PER_TYPE examples of every document type (document-examples.ts) with a throwaway key made
   * here and dropped after, and the results are discarded. The first request then pays no start-up.
   */
  ready(): Promise<void> {
    this.#warming ??= this.#warmUp();
    return this.#warming;
  }

  async #warmUp(): Promise<void> {
    const pool = this.#threadPool();
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const { kty, crv, x, y } = publicKey.export({ format: "jwk" });
    const key = { kid: "WARM-UP-1", publicJwk: { kty: String(kty), crv: String(crv), x: String(x), y: String(y) }, privateKey };
    const issuedAt = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace(".000Z", "Z");
    for (const [type, example] of Object.entries(DOCUMENT_EXAMPLES)) {
      const items = new Array(WARM_UP_PER_TYPE).fill(example);
      const task = { department: "WARM-UP", type, issuedAt, items, build: items.map(() => true), first: 0, single: false, key };
      await Promise.all(Array.from({ length: this.#threads }, () => pool.run(task)));
    }
  }

  async build(request: Parameters<DocumentBuilder["build"]>[0]): ReturnType<DocumentBuilder["build"]> {
    const count = request.items.length;
    // About eight slices per thread for a small request (at least 32 documents each), at most sliceSize.
    const sliceSize = Math.min(this.#sliceSize, Math.max(32, Math.ceil(count / (this.#threads * 8))));
    const documents: Awaited<ReturnType<DocumentBuilder["build"]>>["documents"] = new Array(count);
    const problems: Problem[][] = [];
    let invalid = false;
    let failure: unknown;
    let next = 0;
    const dispatch = async (): Promise<void> => {
      while (next < count && failure === undefined) {
        const first = next;
        next = Math.min(count, first + sliceSize);
        const end = next;
        try {
          const { kid, publicJwk, privateKey } = await this.#keys.usableSigningKey(request.department);
          // Once an item is invalid the request fails: the rest is only validated, for the complete list of problems.
          const build = invalid ? new Array<boolean>(end - first).fill(false) : request.build.slice(first, end);
          const result = await this.#threadPool().run({
            department: request.department,
            type: request.type,
            issuedAt: request.issuedAt,
            items: request.items.slice(first, end),
            build,
            first,
            single: count === 1,
            key: { kid, publicJwk, privateKey },
          });
          if (!result.ok) throw new EProofError(result.code, result.message, result.problems ? { problems: result.problems } : undefined);
          if (result.problems.length > 0) invalid = true;
          problems[first / sliceSize] = result.problems;
          const { files } = result;
          result.documents.forEach((document, i) => {
            if (document) documents[first + i] = { id: document.id, leaf: document.leaf as Hex, documentJson: files.subarray(document.start, document.end) };
          });
        } catch (error) {
          failure ??= error;
        }
      }
    };
    await Promise.all(Array.from({ length: this.#threads + 1 }, dispatch));
    if (failure !== undefined) throw failure;
    const all = problems.flat();
    return { problems: all, documents: all.length > 0 ? [] : documents };
  }

  /**
   * Lets the warm-up and the slices in flight finish, then stops the threads: a thread is never
   * terminated in the middle of loading or of a task (Node 24 can abort the whole process then,
   * "Check failed: (location_) != nullptr", nodejs/node#60755).
   */
  async close(): Promise<void> {
    await this.#warming?.catch(() => {});
    await this.#pool?.close();
  }
}
