/**
 * Department names as the chain records them (IssuerRegistry), for the verify API, the public status
 * and PDF headings. Verification must stay one chain read, so names are never looked up on the
 * request path: the directory loads every department at start, again after a governance change, and
 * in the background when asked for a code it does not know (at most once per `refreshMinMs`).
 */
import type { Clock, IssuerGovernance } from "../ports.ts";

export type DepartmentName = { en: string; zhHK: string };

export class DepartmentDirectory {
  readonly #governance: Pick<IssuerGovernance, "departments">;
  readonly #names = new Map<string, DepartmentName>();
  readonly #refreshMinMs: number;
  readonly #onError: (error: unknown) => void;
  readonly #clock: Clock;
  #lastRefresh = Number.NEGATIVE_INFINITY;
  #refreshing: Promise<void> | null = null;

  constructor(
    governance: Pick<IssuerGovernance, "departments">,
    options: { clock: Clock; known?: Array<[string, DepartmentName]>; refreshMinMs?: number; onError?: (error: unknown) => void },
  ) {
    this.#governance = governance;
    this.#clock = options.clock;
    for (const [code, name] of options.known ?? []) this.#names.set(code, name);
    this.#refreshMinMs = options.refreshMinMs ?? 30_000;
    this.#onError = options.onError ?? (() => undefined);
  }

  /** The department's bilingual name, or its code in both languages until the chain has been read. */
  name(code: string): DepartmentName {
    const known = this.#names.get(code);
    if (known) return known;
    if (this.#clock.now() - this.#lastRefresh >= this.#refreshMinMs) void this.refresh();
    return { en: code, zhHK: code };
  }

  /** Records a name the caller has just read from the chain. */
  learn(code: string, name: DepartmentName): void {
    this.#names.set(code, name);
  }

  /** Reads every department from the chain; a failure keeps what is known (and is reported, not thrown). */
  refresh(): Promise<void> {
    this.#lastRefresh = this.#clock.now();
    this.#refreshing ??= this.#governance
      .departments()
      .then(
        (departments) => {
          for (const { code, name } of departments) this.#names.set(code, name);
        },
        (error: unknown) => this.#onError(error),
      )
      .finally(() => {
        this.#refreshing = null;
      });
    return this.#refreshing;
  }
}
