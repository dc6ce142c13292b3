/**
 * The embedded ledger: anvil (from the @foundry-rs/anvil npm package) on loopback, with its state
 * in the data folder. The service speaks only JSON-RPC to it, exactly as to any other EVM chain.
 * anvil dumps its state every second and on exit; a kill -9 can lose the last second, which the
 * anchoring worker's reconciliation heals by anchoring lost batches again.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { EProofError } from "../errors.ts";
import type { Logger } from "../logger.ts";

const require = createRequire(import.meta.url);

/** The platform binary when present (so signals reach anvil itself), else the npm shim. */
function anvilBinary(): string {
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  try {
    const pkg = require.resolve(`@foundry-rs/anvil-${process.platform}-${arch}/package.json`);
    const binary = join(dirname(pkg), "bin", "anvil");
    if (existsSync(binary)) return binary;
  } catch {
    // fall through to the shim
  }
  return require.resolve("@foundry-rs/anvil/bin.mjs");
}

async function rpcReady(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(1_000),
    });
    return response.ok;
  } catch {
    return false;
  }
}

export interface EmbeddedChain {
  rpcUrl: string;
  stop(): Promise<void>;
  /** kill -9, as a crash would: anvil does not write its state file (tests of crash recovery). */
  crash(): Promise<void>;
  /** Settles when this anvil process has exited, for whatever reason. */
  readonly exited: Promise<void>;
}

export interface AnvilOptions {
  dataDir: string;
  port: number;
  chainId: number;
  logger: Logger;
  /** Mine a block every this many seconds instead of one per transaction (e.g. 2, like a QBFT network). */
  blockTimeSeconds?: number;
  /** The EVM hardfork (default anvil's own); the contracts compile for cancun. */
  hardfork?: string;
}

export async function startAnvil(options: AnvilOptions): Promise<EmbeddedChain> {
  const rpcUrl = `http://127.0.0.1:${options.port}`;
  if (await rpcReady(rpcUrl)) {
    throw new EProofError(
      "CONFIG_INVALID",
      `something already answers JSON-RPC on ${rpcUrl}; stop it, or set EPROOF_CHAIN_PORT to a free port (or EPROOF_RPC_URL to use that chain)`,
    );
  }
  const chainDir = join(options.dataDir, "chain");
  mkdirSync(chainDir, { recursive: true });
  const args = [
    "--host",
    "127.0.0.1",
    "--port",
    String(options.port),
    "--chain-id",
    String(options.chainId),
    "--state",
    join(chainDir, "anvil-state.json"),
    "--state-interval",
    "1",
    "--accounts",
    "0",
    "--gas-price",
    "0",
    "--base-fee",
    "0",
    "--silent",
    ...(options.blockTimeSeconds === undefined ? [] : ["--block-time", String(options.blockTimeSeconds)]),
    ...(options.hardfork === undefined ? [] : ["--hardfork", options.hardfork]),
  ];
  const binary = anvilBinary();
  const child: ChildProcess = binary.endsWith(".mjs")
    ? spawn(process.execPath, [binary, ...args], { stdio: ["ignore", "ignore", "pipe"] })
    : spawn(binary, args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2_000);
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  // If this process ends without stop() (an uncaught error, process.exit), anvil must not outlive it.
  const killOnExit = () => child.kill("SIGTERM");
  process.once("exit", killOnExit);

  const deadline = Date.now() + 20_000;
  while (!(await rpcReady(rpcUrl))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new EProofError("CHAIN_UNAVAILABLE", `the embedded chain (anvil) did not start on ${rpcUrl}: ${stderr.trim() || "no output"}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  options.logger.info({ event: "chain.started", rpcUrl, chainId: options.chainId }, "embedded chain (anvil) is up");
  return {
    rpcUrl,
    exited: exited.then(() => undefined),
    async stop() {
      process.off("exit", killOnExit);
      if (child.exitCode !== null) return;
      child.kill("SIGTERM"); // anvil writes its state file on a graceful exit
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
    async crash() {
      process.off("exit", killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGKILL");
      await exited;
    },
  };
}

/**
 * The embedded chain kept running: when anvil dies unexpectedly (a crash, kill -9, the OOM killer)
 * it is started again on the same port from its state file. What the state file had not saved yet
 * is lost; the anchoring worker notices (EPROOF_CHAIN_WATCH_MS) and anchors those batches again.
 */
export async function startSupervisedAnvil(options: AnvilOptions & { restartDelayMs?: number }): Promise<EmbeddedChain> {
  const delay = options.restartDelayMs ?? 500;
  let current = await startAnvil(options);
  let stopping = false;
  let restarting: Promise<void> | null = null;

  const restart = async (): Promise<void> => {
    while (!stopping) {
      await new Promise((r) => setTimeout(r, delay));
      if (stopping) return;
      try {
        current = await startAnvil(options);
        options.logger.warn({ event: "chain.restarted", rpcUrl: current.rpcUrl }, "the embedded chain (anvil) died and was restarted from its state file");
        watch(current);
        return;
      } catch (error) {
        options.logger.error({ event: "chain.restart_failed", err: error }, "could not restart the embedded chain; retrying");
      }
    }
  };
  const watch = (chain: EmbeddedChain): void => {
    void chain.exited.then(() => {
      if (stopping || chain !== current) return;
      options.logger.error({ event: "chain.died", rpcUrl: chain.rpcUrl }, "the embedded chain (anvil) exited unexpectedly");
      restarting = restart().finally(() => {
        restarting = null;
      });
    });
  };
  watch(current);

  return {
    rpcUrl: current.rpcUrl,
    get exited() {
      return current.exited;
    },
    async stop() {
      stopping = true;
      await restarting;
      await current.stop();
    },
    crash() {
      return current.crash();
    },
  };
}
