/**
 * A data folder made before contracts v2 (batches keyed by root alone, reason codes on chain) is not
 * silently reused: `npm start` stops with one line saying what to do, and no stack trace.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { freePort, removeDataDir } from "./test-service.ts";

describe("a data folder from before contracts v2", () => {
  it("stops the start with one line that says what to do, and no stack trace", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "eproof-v1-data-"));
    try {
      mkdirSync(join(dataDir, "chain"), { recursive: true });
      // What the first start of an earlier version wrote (no "version": contracts v1).
      writeFileSync(
        join(dataDir, "chain", "deployment.json"),
        JSON.stringify({
          chainId: 852,
          documentRegistry: `0x${"11".repeat(20)}`,
          issuerRegistry: `0x${"22".repeat(20)}`,
          adminKey: `0x${"33".repeat(32)}`,
          anchorKey: `0x${"44".repeat(32)}`,
        }),
      );
      const env = {
        ...process.env,
        PORT: String(await freePort()),
        EPROOF_DATA_DIR: dataDir,
        EPROOF_CHAIN_PORT: String(await freePort()),
        EPROOF_LOG_LEVEL: "silent",
      };
      const outcome = await promisify(execFile)(process.execPath, ["services/main.ts"], { env, timeout: 60_000 }).then(
        () => ({ code: 0, stderr: "" }),
        (error: { code?: number; stderr?: string }) => ({ code: error.code ?? -1, stderr: error.stderr ?? "" }),
      );
      expect(outcome.code).toBe(1);
      const lines = outcome.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^e-Proof cannot start: the data folder .* was made by an earlier e-Proof \(contracts v1/);
      expect(lines[0]).toMatch(/start again with an empty data folder/);
      expect(outcome.stderr).not.toMatch(/\n\s+at /);
    } finally {
      removeDataDir(dataDir);
    }
  });
});
