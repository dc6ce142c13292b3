import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../services/config.ts";
import { noFiles } from "./config-inputs.ts";

/** Officer instances on PostgreSQL share the key custody, sealed with this key. */
const CUSTODY = { EPROOF_CUSTODY_KEY: "ab".repeat(32) };

describe("EPROOF_DATABASE_URL", () => {
  it("keeps the embedded SQLite store when it is unset or blank", () => {
    expect(loadConfig({}, noFiles).databaseUrl).toBeNull();
    expect(loadConfig({ EPROOF_DATABASE_URL: "  " }, noFiles).databaseUrl).toBeNull();
  });

  it("takes a postgres:// or postgresql:// URL as it is", () => {
    const url = "postgres://eproof@db.internal:5432/eproof?options=-c%20search_path%3Deproof";
    expect(loadConfig({ ...CUSTODY, EPROOF_DATABASE_URL: url }, noFiles).databaseUrl).toBe(url);
    expect(loadConfig({ ...CUSTODY, EPROOF_DATABASE_URL: "postgresql://db/eproof" }, noFiles).databaseUrl).toBe("postgresql://db/eproof");
  });

  it("refuses anything else with CONFIG_INVALID naming the variable", () => {
    expect(() => loadConfig({ EPROOF_DATABASE_URL: "mysql://db/eproof" }, noFiles)).toThrow(/EPROOF_DATABASE_URL/);
    expect(() => loadConfig({ EPROOF_DATABASE_URL: "data/eproof.sqlite" }, noFiles)).toThrowError(expect.objectContaining({ code: "CONFIG_INVALID" }));
  });
});
