import { type ChildProcess, spawn } from "node:child_process";

/** A `node` process a test started, with what it has written so far. */
export interface NodeProcess {
  child: ChildProcess;
  output: () => { stdout: string; stderr: string };
  /** Its exit code (null when a signal ended it). */
  exited: Promise<number | null>;
}

/** Runs `node <args>` (with `env`, else this process's environment), collecting its stdout and stderr as they come. */
export function spawnNode(args: string[], env?: NodeJS.ProcessEnv): NodeProcess {
  const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => ({ stdout, stderr }), exited };
}
