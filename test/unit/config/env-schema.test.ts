/** The environment schema as a whole: blank is unset, and a malformed setting is refused even where it is not used. */
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../services/config.ts";
import { EXTERNAL_CHAIN, noFiles } from "./config-inputs.ts";

describe("the environment schema", () => {
  it("takes a blank number as unset: the default, not 0", () => {
    expect(loadConfig({ PORT: " ", EPROOF_BATCH_SIZE: "" }, noFiles)).toMatchObject({ port: 8080, anchoring: { batchSize: 5_000 } });
  });

  it("refuses a malformed setting even where this instance does not use it, naming it", () => {
    for (const [env, name] of [
      [{ ...EXTERNAL_CHAIN, EPROOF_CHAIN_PORT: "x" }, "EPROOF_CHAIN_PORT"],
      [{ EPROOF_GAS_PRICE: "cheap" }, "EPROOF_GAS_PRICE"],
      [{ EPROOF_ANCHOR_FUNDING_WEI: "1 ether" }, "EPROOF_ANCHOR_FUNDING_WEI"],
    ] as const) {
      expect(() => loadConfig(env, noFiles), name).toThrowError(expect.objectContaining({ code: "CONFIG_INVALID", message: expect.stringContaining(name) }));
    }
  });

  it("reports the first malformed setting, with the value as given", () => {
    expect(() => loadConfig({ PORT: "eighty", EPROOF_LOG_LEVEL: "loud" }, noFiles)).toThrow('PORT must be an integer between 0 and 65535, got "eighty"');
  });
});

describe("the OpenID4VCI settings", () => {
  it("default to a 10-minute offer, 5-minute tokens and nonces, and 5 transaction-code tries", () => {
    expect(loadConfig({}, noFiles).openid4vci).toEqual({ offerTtlSeconds: 600, tokenTtlSeconds: 300, nonceTtlSeconds: 300, txCodeMaxTries: 5 });
  });

  it("take their values from the environment and refuse one out of range, naming it", () => {
    expect(loadConfig({ EPROOF_OID4VCI_OFFER_TTL_SECONDS: "120", EPROOF_OID4VCI_TX_CODE_MAX_TRIES: "3" }, noFiles).openid4vci).toMatchObject({
      offerTtlSeconds: 120,
      txCodeMaxTries: 3,
    });
    for (const name of [
      "EPROOF_OID4VCI_OFFER_TTL_SECONDS",
      "EPROOF_OID4VCI_TOKEN_TTL_SECONDS",
      "EPROOF_OID4VCI_NONCE_TTL_SECONDS",
      "EPROOF_OID4VCI_TX_CODE_MAX_TRIES",
    ]) {
      expect(() => loadConfig({ [name]: "0" }, noFiles), name).toThrowError(
        expect.objectContaining({ code: "CONFIG_INVALID", message: expect.stringContaining(name) }),
      );
    }
  });
});
