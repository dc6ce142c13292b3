/**
 * The verify API's CPU work off the event loop: the chain-free checks of each submitted file (every
 * hash, the claim, the Merkle path, the JWS) run on a pool of worker threads (piscina), and the event
 * loop keeps HTTP, the store and the chain reads. Requests that arrive in the same turn of the event
 * loop travel to a thread as one batch: one message per batch rather than per request, which is what
 * makes the hop cheaper than the work it moves (measured: ~50 µs of CPU per single piscina task,
 * ~7 µs per item in batches of 8).
 *
 * Nothing is kept between verifications: each file is checked in full, every time. Should a thread
 * fail, or the pool be closing (a stop while requests are in flight), the batch is checked on the
 * event loop instead: a verification never fails for want of a thread.
 */
import { availableParallelism } from "node:os";
import { Piscina } from "piscina";
import { type ChainFreeVerdict, checkChainFree } from "../../use-cases/verify-document.ts";
import { es256 } from "./es256.ts";
import type { VerificationTask } from "./verification-worker.ts";

/** At most this many files per message. */
const MAX_BATCH = 32;

/** checkChainFree on this thread: before the threads are up, once they are closing, or for a batch whose thread failed. */
function onEventLoop(input: unknown, now: number): Promise<ChainFreeVerdict> {
  return checkChainFree(input, { signatures: es256, now: () => now });
}

interface Waiting {
  json: string;
  now: number;
  resolve: (verdict: ChainFreeVerdict) => void;
  reject: (error: unknown) => void;
}

export class VerificationWorkers {
  readonly #threads: number;
  #pool: Piscina<VerificationTask, ChainFreeVerdict[]> | null = null;
  #waiting: Waiting[] = [];
  #scheduled = false;
  #closed = false;
  #started = false;
  #starting: Promise<void> | null = null;
  #inFlight = 0;

  /** `threads`: worker threads (default one fewer than the cores, at least one: the event loop has the other). */
  constructor(threads = availableParallelism() - 1) {
    this.#threads = Math.max(1, threads);
  }

  #threadPool(): Piscina<VerificationTask, ChainFreeVerdict[]> {
    this.#pool ??= new Piscina({
      filename: new URL("./verification-worker.ts", import.meta.url).href,
      minThreads: this.#threads,
      maxThreads: this.#threads,
      idleTimeout: Number.POSITIVE_INFINITY,
      resourceLimits: { maxYoungGenerationSizeMb: 8 },
    });
    return this.#pool;
  }

  /**
   * Starts the threads and loads their modules; until they are up, verifications run on the event
   * loop, so that neither the start nor the first verification waits for them.
   */
  ready(): Promise<void> {
    this.#starting ??= (async () => {
      const pool = this.#threadPool();
      await Promise.all(Array.from({ length: this.#threads }, () => pool.run({ items: [] })));
      this.#started = true;
    })();
    return this.#starting;
  }

  /** The VerifyDeps.chainFree of the service: checkChainFree of `input`, judged at `now`, on a worker thread. */
  check(input: unknown, now: number): Promise<ChainFreeVerdict> {
    if (this.#closed || !this.#started) return onEventLoop(input, now);
    return new Promise((resolve, reject) => {
      // What was submitted is JSON already (a request body, a stored file): the text is its exact copy.
      this.#waiting.push({ json: JSON.stringify(input) ?? "null", now, resolve, reject });
      // Requests of the same turn of the event loop go together; with every thread busy, they wait for one.
      if (!this.#scheduled && this.#inFlight < this.#threads) {
        this.#scheduled = true;
        setImmediate(() => this.#dispatch());
      }
    });
  }

  /**
   * Sends what waits to the idle threads, at most one batch in flight per thread: while every thread
   * is busy, requests gather and go as one batch when a thread is free (fewer, larger messages the
   * busier the service is).
   */
  #dispatch(): void {
    this.#scheduled = false;
    const pool = this.#threadPool();
    while (this.#inFlight < this.#threads && this.#waiting.length > 0) {
      const idle = this.#threads - this.#inFlight;
      const batch = this.#waiting.splice(0, Math.min(MAX_BATCH, Math.ceil(this.#waiting.length / idle)));
      this.#inFlight += 1;
      pool
        .run({ items: batch.map(({ json, now }) => ({ json, now })) })
        .then(
          (verdicts) => {
            batch.forEach((job, i) => {
              job.resolve(verdicts[i] as ChainFreeVerdict);
            });
          },
          () => {
            for (const job of batch) {
              onEventLoop(JSON.parse(job.json), job.now).then(job.resolve, job.reject);
            }
          },
        )
        .finally(() => {
          this.#inFlight -= 1;
          this.#dispatch();
        });
    }
  }

  /**
   * New verifications run on the event loop from now on; the start and the batches in flight finish,
   * then the threads stop: a thread is never terminated in the middle of loading or of a batch (Node
   * 24 can abort the whole process then, "Check failed: (location_) != nullptr", nodejs/node#60755).
   */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#starting?.catch(() => {});
    await this.#pool?.close();
    this.#pool = null;
  }
}
