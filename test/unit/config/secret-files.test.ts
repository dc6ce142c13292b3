import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig, secret } from "../../../services/config.ts";

const dir = mkdtempSync(join(tmpdir(), "eproof-secret-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const readFile = (path: string): string => readFileSync(path, "utf8");
function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}

const KEY = `0x${"cd".repeat(32)}`;
const OTHER_KEY = `0x${"ef".repeat(32)}`;
/** Officer instances on PostgreSQL share the key custody, sealed with this key. */
const CUSTODY = { EPROOF_CUSTODY_KEY: "ab".repeat(32) };
const URL_WITH_PASSWORD = "postgres://eproof:s3cr3t-pw@db.internal:5432/eproof";
const chain = {
  EPROOF_RPC_URL: "http://rpc-1:8545",
  EPROOF_DOCUMENT_REGISTRY: `0x${"11".repeat(20)}`,
  EPROOF_ISSUER_REGISTRY: `0x${"22".repeat(20)}`,
};

function configError(run: () => unknown): Error & { code?: string } {
  try {
    run();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error("expected a CONFIG_INVALID error");
}

describe("secret(env, NAME): a secret from NAME or from the file named by NAME_FILE", () => {
  it("is undefined when neither NAME nor NAME_FILE is set (blank counts as unset)", () => {
    expect(secret({}, "EPROOF_X", readFile)).toBeUndefined();
    expect(secret({ EPROOF_X: " ", EPROOF_X_FILE: "" }, "EPROOF_X", readFile)).toBeUndefined();
  });

  it("takes NAME as it is set", () => {
    expect(secret({ EPROOF_X: "value" }, "EPROOF_X", readFile)).toBe("value");
  });

  it("reads NAME_FILE and trims the trailing newline and surrounding blanks", () => {
    const path = file("trimmed", "  value-from-file\r\n\n");
    expect(secret({ EPROOF_X_FILE: path }, "EPROOF_X", readFile)).toBe("value-from-file");
  });

  it("refuses NAME and NAME_FILE set together, without echoing the secret", () => {
    const path = file("both", "from-file\n");
    const error = configError(() => secret({ EPROOF_X: "inline-secret", EPROOF_X_FILE: path }, "EPROOF_X", readFile));
    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.message).toMatch(/EPROOF_X and EPROOF_X_FILE are both set/);
    expect(error.message).not.toMatch(/inline-secret|from-file/);
  });

  it("refuses a missing file naming the variable and the path", () => {
    const path = join(dir, "does-not-exist");
    const error = configError(() => secret({ EPROOF_X_FILE: path }, "EPROOF_X", readFile));
    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.message).toContain("EPROOF_X_FILE");
    expect(error.message).toContain(path);
    expect(error.message).toContain("ENOENT");
  });

  it("refuses an empty file instead of starting without the secret", () => {
    const path = file("empty", "\n");
    const error = configError(() => secret({ EPROOF_X_FILE: path }, "EPROOF_X", readFile));
    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.message).toContain(path);
  });
});

describe("the secret settings all go through secret()", () => {
  it("reads EPROOF_DATABASE_URL_FILE, trimmed", () => {
    const path = file("database_url", `${URL_WITH_PASSWORD}\n`);
    expect(loadConfig({ ...CUSTODY, EPROOF_DATABASE_URL_FILE: path }, readFile).databaseUrl).toBe(URL_WITH_PASSWORD);
  });

  it("refuses EPROOF_DATABASE_URL and EPROOF_DATABASE_URL_FILE together", () => {
    const path = file("database_url_both", URL_WITH_PASSWORD);
    const error = configError(() => loadConfig({ EPROOF_DATABASE_URL: URL_WITH_PASSWORD, EPROOF_DATABASE_URL_FILE: path }, readFile));
    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.message).not.toContain("s3cr3t-pw");
  });

  it("refuses a database URL file holding something else without echoing its content", () => {
    const path = file("database_url_bad", "mysql://eproof:s3cr3t-pw@db/eproof\n");
    const error = configError(() => loadConfig({ EPROOF_DATABASE_URL_FILE: path }, readFile));
    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.message).toMatch(/EPROOF_DATABASE_URL/);
    expect(error.message).not.toContain("s3cr3t-pw");
  });

  it("reads EPROOF_ANCHOR_KEYS_FILE (one account per department) and EPROOF_GOVERNANCE_KEY_FILE, trimmed", () => {
    const anchor = file("anchor_keys", `# one line per department\nDEMO=${KEY}\n  LANDSD = ${OTHER_KEY}  \n\n`);
    const governance = file("governance_key", `${OTHER_KEY}\n`);
    const config = loadConfig({ ...chain, EPROOF_ANCHOR_KEYS_FILE: anchor, EPROOF_GOVERNANCE_KEY_FILE: governance }, readFile);
    expect(config.chain.kind === "external" && config.chain.anchorKeys).toEqual({ DEMO: KEY, LANDSD: OTHER_KEY });
    expect(config.chain.kind === "external" && config.chain.governanceKey).toBe(OTHER_KEY);
  });

  it("refuses EPROOF_ANCHOR_KEYS and EPROOF_ANCHOR_KEYS_FILE together", () => {
    const anchor = file("anchor_keys_both", `DEMO=${KEY}`);
    const error = configError(() => loadConfig({ ...chain, EPROOF_ANCHOR_KEYS: `DEMO=${KEY}`, EPROOF_ANCHOR_KEYS_FILE: anchor }, readFile));
    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.message).toContain("EPROOF_ANCHOR_KEYS_FILE");
    expect(error.message).not.toContain(KEY.slice(2));
  });

  it("refuses an anchoring keys entry that is not DEPT=key, naming the entry without echoing any key", () => {
    const anchor = file("anchor_keys_bad", `DEMO=${KEY}\nLANDSD:${OTHER_KEY}\n`);
    const error = configError(() => loadConfig({ ...chain, EPROOF_ANCHOR_KEYS_FILE: anchor }, readFile));
    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.message).toMatch(/EPROOF_ANCHOR_KEYS entry 2/);
    expect(error.message).not.toContain(KEY.slice(2));
    expect(error.message).not.toContain(OTHER_KEY.slice(2));
  });

  it("refuses the retired single EPROOF_ANCHOR_KEY or its file, pointing to EPROOF_ANCHOR_KEYS_FILE, without echoing it", () => {
    for (const env of [{ EPROOF_ANCHOR_KEY: KEY }, { EPROOF_ANCHOR_KEY_FILE: file("anchor_key_old", KEY) }]) {
      const error = configError(() => loadConfig({ ...chain, ...env }, readFile));
      expect(error.code).toBe("CONFIG_INVALID");
      expect(error.message).toContain("EPROOF_ANCHOR_KEYS_FILE");
      expect(error.message).not.toContain(KEY.slice(2));
    }
  });

  it("refuses a governance key file that does not hold a private key, without echoing it", () => {
    const governance = file("governance_key_bad", "not-a-key-but-secret\n");
    const error = configError(() => loadConfig({ ...chain, EPROOF_ANCHOR_KEYS: `DEMO=${KEY}`, EPROOF_GOVERNANCE_KEY_FILE: governance }, readFile));
    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.message).toContain("EPROOF_GOVERNANCE_KEY");
    expect(error.message).not.toContain("not-a-key-but-secret");
  });
});
