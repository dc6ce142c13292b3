/** The environment schema as a whole: blank is unset, and a malformed setting is refused even where it is not used. */
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../services/config.ts";

const read = (): string => {
  throw new Error("no files in this test");
};
const CHAIN = {
  EPROOF_RPC_URL: "http://127.0.0.1:8545",
  EPROOF_DOCUMENT_REGISTRY: `0x${"11".repeat(20)}`,
  EPROOF_ISSUER_REGISTRY: `0x${"22".repeat(20)}`,
};

describe("the environment schema", () => {
  it("takes a blank number as unset: the default, not 0", () => {
    expect(loadConfig({ PORT: " ", EPROOF_BATCH_SIZE: "" }, read)).toMatchObject({ port: 8080, anchoring: { batchSize: 5_000 } });
  });

  it("refuses a malformed setting even where this instance does not use it, naming it", () => {
    for (const [env, name] of [
      [{ ...CHAIN, EPROOF_CHAIN_PORT: "x" }, "EPROOF_CHAIN_PORT"],
      [{ EPROOF_GAS_PRICE: "cheap" }, "EPROOF_GAS_PRICE"],
      [{ EPROOF_ANCHOR_FUNDING_WEI: "1 ether" }, "EPROOF_ANCHOR_FUNDING_WEI"],
    ] as const) {
      expect(() => loadConfig(env, read), name).toThrowError(expect.objectContaining({ code: "CONFIG_INVALID", message: expect.stringContaining(name) }));
    }
  });

  it("reports the first malformed setting, with the value as given", () => {
    expect(() => loadConfig({ PORT: "eighty", EPROOF_LOG_LEVEL: "loud" }, read)).toThrow('PORT must be an integer between 0 and 65535, got "eighty"');
  });
});
