/**
 * The one background loop of the service's workers (anchoring, chain follower, webhook dispatcher):
 * runs `turn` again and again until stop(); `turn` answers how long to wait before the next one
 * (0: at once), and wake() cuts a wait short. stop() lets the turn in flight finish.
 */
export class BackgroundLoop {
  readonly #turn: () => Promise<number>;
  #running = false;
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;

  constructor(turn: () => Promise<number>) {
    this.#turn = turn;
  }

  get running(): boolean {
    return this.#running;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await this.#loop;
  }

  /** Ends the current wait now (e.g. new work arrived). */
  wake(): void {
    this.#wake?.();
  }

  async #run(): Promise<void> {
    while (this.#running) {
      const waitMs = await this.#turn();
      if (!this.#running) break;
      if (waitMs <= 0) continue;
      // A wake() during a turn is not remembered: the turn itself looks at the work there is, and a
      // worker backing off from a dead chain must not be hurried by every new issuance.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => resolve(), waitMs);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = null;
    }
  }
}

/**
 * A worker whose work is one `turn()` after another on a BackgroundLoop: start(), stop() and poke()
 * are the loop's, the same for every worker.
 */
export abstract class LoopWorker {
  readonly #loop = new BackgroundLoop(() => this.turn());

  /** Runs turns in the background until stop(). */
  start(): void {
    this.#loop.start();
  }

  /** Lets the turn in flight finish (nothing is lost if it cannot), then stops. */
  stop(): Promise<void> {
    return this.#loop.stop();
  }

  /** Nudges the worker to look at its work now (e.g. after an issuance) instead of at the end of its wait. */
  poke(): void {
    this.#loop.wake();
  }

  /** One turn; answers how long to wait before the next one (0: at once). */
  protected abstract turn(): Promise<number>;
}
