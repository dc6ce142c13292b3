/**
 * A chain the test owns (anvil in its own folder on a fixed port, as an external chain behind
 * EPROOF_RPC_URL would be), which the test stops, crashes and restarts from its state file; and the
 * state-file moves of a crash test: keep a dump, then put it back as the file a kill -9 left.
 */
import { copyFileSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type EmbeddedChain, startAnvil } from "../../services/embedded/anvil-process.ts";
import { createLogger } from "../../services/logger.ts";
import { freePort, removeDataDir } from "./test-service.ts";

/** Where anvil keeps its state under a data folder (services/embedded/anvil-process.ts). */
export const anvilStatePath = (dataDir: string): string => join(dataDir, "chain", "anvil-state.json");

function dumpedSince(statePath: string, since: number): boolean {
  try {
    if (statSync(statePath).mtimeMs <= since) return false;
    JSON.parse(readFileSync(statePath, "utf8")); // a whole dump, not one being written
    return true;
  } catch {
    return false;
  }
}

/**
 * Waits for anvil's next state dump (it dumps once a second, later on a busy machine) and keeps a
 * copy: a state that holds everything done before this call. Polls the file, so it waits exactly as
 * long as anvil takes.
 */
export async function keepStateDump(statePath: string, timeoutMs = 30_000): Promise<void> {
  const since = Date.now();
  const deadline = since + timeoutMs;
  while (!dumpedSince(statePath, since)) {
    if (Date.now() > deadline) throw new Error(`anvil wrote no state dump to ${statePath} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  copyFileSync(statePath, `${statePath}.before-crash`);
}

/** Puts back the dump keepStateDump kept, as if a kill -9 had come before any later dump. */
export function restoreStateDump(statePath: string): void {
  copyFileSync(`${statePath}.before-crash`, statePath);
}

export class OwnChain {
  readonly dir: string;
  readonly statePath: string;
  readonly #port: number;
  readonly #chainId: number;
  #chain: EmbeddedChain;

  private constructor(dir: string, port: number, chainId: number, chain: EmbeddedChain) {
    this.dir = dir;
    this.statePath = anvilStatePath(dir);
    this.#port = port;
    this.#chainId = chainId;
    this.#chain = chain;
  }

  static async start(options: { chainId: number; folderPrefix: string }): Promise<OwnChain> {
    const dir = mkdtempSync(join(tmpdir(), options.folderPrefix));
    const port = await freePort();
    return new OwnChain(dir, port, options.chainId, await OwnChain.#anvil(dir, port, options.chainId));
  }

  static #anvil(dir: string, port: number, chainId: number): Promise<EmbeddedChain> {
    return startAnvil({ dataDir: dir, port, chainId, logger: createLogger("silent") });
  }

  get rpcUrl(): string {
    return this.#chain.rpcUrl;
  }

  /** A graceful stop: anvil writes its state file. */
  stop(): Promise<void> {
    return this.#chain.stop();
  }

  /** Starts it again on the same port from its state file. */
  async restart(): Promise<void> {
    this.#chain = await OwnChain.#anvil(this.dir, this.#port, this.#chainId);
  }

  /** kill -9 after the kept dump (keepStateDump): the newer blocks are lost; then restarts. */
  async crashBackToKeptDump(): Promise<void> {
    await this.#chain.crash();
    restoreStateDump(this.statePath);
    await this.restart();
  }

  async remove(): Promise<void> {
    await this.#chain.stop();
    removeDataDir(this.dir);
  }
}
