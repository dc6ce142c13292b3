import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../services/config.ts";

const KEY = `0x${"ab".repeat(32)}`;
const base = {
  EPROOF_RPC_URL: "http://rpc-1:8545, http://rpc-2:8545 ,,http://rpc-3:8545",
  EPROOF_CHAIN_ID: "1337852",
  EPROOF_DOCUMENT_REGISTRY: `0x${"11".repeat(20)}`,
  EPROOF_ISSUER_REGISTRY: `0x${"22".repeat(20)}`,
  EPROOF_ANCHOR_KEYS: `DEMO=${KEY}`,
};
const noFiles = (path: string): string => {
  throw new Error(`unexpected read of ${path}`);
};

describe("chain settings of the production profile", () => {
  it("reads a comma-separated list of RPC endpoints, in order, ignoring blanks", () => {
    const config = loadConfig(base, noFiles);
    expect(config.chain.kind === "external" && config.chain.rpcUrls).toEqual(["http://rpc-1:8545", "http://rpc-2:8545", "http://rpc-3:8545"]);
  });

  it("takes a fixed gas price in wei (0 on a free-gas network), and none by default", () => {
    const zero = loadConfig({ ...base, EPROOF_GAS_PRICE: "0" }, noFiles);
    expect(zero.chain.kind === "external" && zero.chain.gasPrice).toBe(0n);
    const unset = loadConfig(base, noFiles);
    expect(unset.chain.kind === "external" && unset.chain.gasPrice).toBeUndefined();
  });

  it("refuses a gas price that is not a whole number of wei", () => {
    for (const bad of ["-1", "1.5", "1e9", "free"]) {
      expect(() => loadConfig({ ...base, EPROOF_GAS_PRICE: bad }, noFiles)).toThrow(/EPROOF_GAS_PRICE/);
    }
  });

  it("reads each department's anchoring key from a file when EPROOF_ANCHOR_KEYS_FILE is set", () => {
    const other = `0x${"cd".repeat(32)}`;
    const config = loadConfig({ ...base, EPROOF_ANCHOR_KEYS: "", EPROOF_ANCHOR_KEYS_FILE: "/run/secrets/anchor" }, (path) => {
      expect(path).toBe("/run/secrets/anchor");
      return `DEMO=${KEY}\nLANDSD=${other}\n`;
    });
    expect(config.chain.kind === "external" && config.chain.anchorKeys).toEqual({ DEMO: KEY, LANDSD: other });
  });

  it("refuses a department named twice in the anchoring keys", () => {
    expect(() => loadConfig({ ...base, EPROOF_ANCHOR_KEYS: `DEMO=${KEY},DEMO=${KEY}` }, noFiles)).toThrowError(
      expect.objectContaining({ code: "CONFIG_INVALID", message: expect.stringMatching(/names department DEMO twice/) }),
    );
  });

  it("reads the chain watch interval, 10 s by default", () => {
    expect(loadConfig(base, noFiles).anchoring.watchMs).toBe(10_000);
    expect(loadConfig({ ...base, EPROOF_CHAIN_WATCH_MS: "0" }, noFiles).anchoring.watchMs).toBe(0);
  });
});
