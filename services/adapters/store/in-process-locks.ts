/**
 * Locks for a single instance (the embedded SQLite profile): one process owns the database file,
 * so mutual exclusion inside the process is all there is to coordinate.
 */
import type { Locks } from "../../ports.ts";

export class InProcessLocks implements Locks {
  readonly #tails = new Map<string, Promise<unknown>>();
  readonly #held = new Set<string>();

  async withLock<T>(name: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(name) ?? Promise.resolve();
    const run = async (): Promise<T> => {
      this.#held.add(name);
      try {
        return await work();
      } finally {
        this.#held.delete(name);
      }
    };
    const result = previous.then(run, run);
    const tail = result.catch(() => undefined);
    this.#tails.set(name, tail);
    void tail.then(() => {
      if (this.#tails.get(name) === tail) this.#tails.delete(name);
    });
    return result;
  }

  async tryWithLock<T>(name: string, work: () => Promise<T>): Promise<{ value: T } | null> {
    if (this.#held.has(name) || this.#tails.has(name)) return null;
    return { value: await this.withLock(name, work) };
  }
}
