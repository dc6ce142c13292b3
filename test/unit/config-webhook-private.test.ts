/** EPROOF_WEBHOOK_ALLOW_PRIVATE: off unless said "true"; anything else but true/false is a start-up error. */
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../services/config.ts";
import { isEProofError } from "../../services/errors.ts";

const load = (value?: string) => loadConfig(value === undefined ? {} : { EPROOF_WEBHOOK_ALLOW_PRIVATE: value }, () => "");

describe("EPROOF_WEBHOOK_ALLOW_PRIVATE", () => {
  it("is off by default, so the SSRF guard is on", () => {
    expect(load().subscriptions.allowPrivateWebhooks).toBe(false);
    expect(load("").subscriptions.allowPrivateWebhooks).toBe(false);
    expect(load("false").subscriptions.allowPrivateWebhooks).toBe(false);
  });

  it("is on only when set to true", () => {
    expect(load("true").subscriptions.allowPrivateWebhooks).toBe(true);
    expect(load("TRUE").subscriptions.allowPrivateWebhooks).toBe(true);
  });

  it("refuses any other value at start rather than guessing", () => {
    for (const value of ["yes", "1", "on"]) {
      let error: unknown;
      try {
        load(value);
      } catch (caught) {
        error = caught;
      }
      expect(isEProofError(error, "CONFIG_INVALID"), value).toBe(true);
    }
  });
});
