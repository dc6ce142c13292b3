import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../services/config.ts";
import { EXTERNAL_CHAIN, noFiles } from "./config-inputs.ts";

const PG = { EPROOF_DATABASE_URL: "postgres://eproof@db/eproof" };
const KEY = `0x${"33".repeat(32)}`;
const CUSTODY = "ab".repeat(32);

describe("EPROOF_ROLES", () => {
  it("serves all three roles by default, and the ones named otherwise", () => {
    expect([...loadConfig({}, noFiles).roles].sort()).toEqual(["admin", "officer", "public"]);
    expect([...loadConfig({ ...EXTERNAL_CHAIN, EPROOF_ROLES: " Public , officer" }, noFiles).roles].sort()).toEqual(["officer", "public"]);
  });

  it("refuses an unknown role, naming the valid ones", () => {
    expect(() => loadConfig({ EPROOF_ROLES: "public,root" }, noFiles)).toThrow(/public, officer, admin/);
  });

  it("starts a public instance with no key at all, and refuses one that is given a key", () => {
    const config = loadConfig({ ...EXTERNAL_CHAIN, ...PG, EPROOF_ROLES: "public" }, noFiles);
    expect(config.custodyKey).toBeUndefined();
    expect(config.chain.kind === "external" && config.chain.anchorKeys).toEqual({});
    for (const given of [
      { EPROOF_GOVERNANCE_KEY: KEY },
      { EPROOF_ANCHOR_KEYS: `DEMO=${KEY}` },
      { EPROOF_CUSTODY_KEY: CUSTODY },
      { EPROOF_CUSTODY_KEY_FILE: "/run/secrets/k" },
    ]) {
      expect(() => loadConfig({ ...EXTERNAL_CHAIN, ...PG, EPROOF_ROLES: "public", ...given }, noFiles)).toThrow(
        /a public instance holds no private key: unset EPROOF_/,
      );
    }
  });

  it("needs an existing deployment (EPROOF_RPC_URL) for an instance without the officer role", () => {
    expect(() => loadConfig({ EPROOF_ROLES: "public" }, noFiles)).toThrow(/EPROOF_RPC_URL/);
  });

  it("gives an admin-only instance the shared custody key, and requires it on PostgreSQL", () => {
    const admin = { ...EXTERNAL_CHAIN, ...PG, EPROOF_ROLES: "admin", EPROOF_GOVERNANCE_KEY: KEY };
    expect(loadConfig({ ...admin, EPROOF_CUSTODY_KEY: CUSTODY }, noFiles).custodyKey).toBe(CUSTODY);
    expect(() => loadConfig(admin, noFiles)).toThrow(/EPROOF_CUSTODY_KEY_FILE/);
  });

  it("refuses an admin role named explicitly without the administrator's chain key", () => {
    expect(() => loadConfig({ ...EXTERNAL_CHAIN, EPROOF_ROLES: "admin" }, noFiles)).toThrow(/EPROOF_GOVERNANCE_KEY_FILE/);
  });

  it("reads per-department anchoring keys, and refuses a malformed entry without echoing it", () => {
    const config = loadConfig({ ...EXTERNAL_CHAIN, EPROOF_ANCHOR_KEYS: `DEMO=${KEY}\n# a comment\nFEHD = ${KEY.replace("33", "44")}` }, noFiles);
    expect(config.chain.kind === "external" && Object.keys(config.chain.anchorKeys)).toEqual(["DEMO", "FEHD"]);
    let message = "";
    try {
      loadConfig({ ...EXTERNAL_CHAIN, EPROOF_ANCHOR_KEYS: `DEMO:${KEY}` }, noFiles);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/entry 1 must be DEPT=0x/);
    expect(message).not.toContain(KEY.slice(2));
  });
});
