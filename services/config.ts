/**
 * Configuration, read from the environment once at start and validated. Nothing else reads
 * process.env. Every setting has a safe embedded default so `npm start` needs none.
 */
import { resolve } from "node:path";
import { EProofError } from "./errors.ts";

/** What an instance serves (EPROOF_ROLES): `public` holds no private key; `officer` holds the departments' keys; `admin` the administrator's chain key. */
export type Role = "public" | "officer" | "admin";

export const ROLES: readonly Role[] = ["public", "officer", "admin"];

/** A DocumentRegistry a verifier trusts, with the period in which its anchorings count (ISO 8601; null = open). */
export interface TrustedRegistry {
  registry: `0x${string}`;
  issuerRegistry: `0x${string}`;
  from: string | null;
  until: string | null;
}

export interface Config {
  /** The roles this instance serves (EPROOF_ROLES; default all three). */
  roles: ReadonlySet<Role>;
  /**
   * The key-encryption key of the shared key custody (EPROOF_CUSTODY_KEY or _FILE): 64 hex digits or
   * base64 of 32 bytes. Unset: data/custody.key, made on first start (one instance on SQLite only).
   */
  custodyKey?: string;
  port: number;
  /** Base URL printed into QR codes and links, e.g. https://eproof.example.gov.hk */
  publicUrl: string;
  dataDir: string;
  logLevel: string;
  /** Largest request body accepted, bytes. */
  bodyLimitBytes: number;
  /** Largest number of items in one POST /api/v1/batches. */
  maxBatchItems: number;
  /** Abuse protection: rate limits, timeouts and which proxies to trust for the client address. */
  abuse: AbuseConfig;
  /** PostgreSQL URL (EPROOF_DATABASE_URL or EPROOF_DATABASE_URL_FILE): several instances may share it. Null = embedded SQLite in dataDir. */
  databaseUrl: string | null;
  anchoring: {
    /** Most documents anchored in one Merkle root. */
    batchSize: number;
    /** Longest a document waits in the outbox before its batch is cut, ms. */
    maxWaitMs: number;
    /** How often the newest anchored batch is re-checked on chain (a chain restarted from older state), ms; 0 = off. */
    watchMs: number;
  };
  /** Chain follower (status events → history, notifications) and webhook retries. */
  subscriptions: {
    followPollMs: number;
    /** Events younger than this wait one more poll (the route that sent them records them first). */
    followGraceMs: number;
    /** First block read when the follower has no cursor yet. */
    followFromBlock: number;
    retryBaseMs: number;
    retryMaxDelayMs: number;
    maxAttempts: number;
    /** Deliver webhooks to loopback/private/link-local addresses and over plain http (tests, local development only). */
    allowPrivateWebhooks: boolean;
  };
  chain:
    | { kind: "embedded"; port: number; chainId: number }
    | {
        kind: "external";
        rpcUrls: string[];
        chainId: number;
        documentRegistry: `0x${string}`;
        issuerRegistry: `0x${string}`;
        /**
         * Anchoring accounts provisioned outside the service (EPROOF_ANCHOR_KEYS or _FILE: `DEPT=0x…`
         * per line or comma-separated): imported into the key custody at start. Departments onboarded
         * through the admin API get an account generated in custody instead.
         */
        anchorKeys: Record<string, string>;
        /**
         * Ether (wei) the administrator's account sends to each anchoring account it generates when
         * onboarding a department (EPROOF_ANCHOR_FUNDING_WEI; default 0: a free-gas network needs none).
         */
        anchorFundingWei: bigint;
        /** Registries trusted besides the current one (EPROOF_TRUSTED_REGISTRIES or _FILE: a JSON array), oldest first. */
        earlierRegistries: TrustedRegistry[];
        /** Private key of an IssuerRegistry REGISTRAR account: enables /api/v1/admin (optional). */
        governanceKey?: string;
        /**
         * A fixed gas price for every transaction, wei (EPROOF_GAS_PRICE; "0" on a free-gas QBFT
         * network, whose anchoring accounts hold no ether). Unset: the node's fee suggestion.
         */
        gasPrice?: bigint;
      };
}

export interface AbuseConfig {
  /** Express "trust proxy": false, a hop count, or a comma-separated list of addresses/subnets/names. */
  trustProxy: boolean | number | string;
  /** Verify requests per client per window; 0 turns the limit off. */
  verifyLimit: { max: number; windowMs: number };
  /** Failed authentications (401) per client per window before the client is refused; 0 turns it off. */
  authFailureLimit: { max: number; windowMs: number };
  /** Longest one verification may take before the caller gets a 503, ms. */
  verifyTimeoutMs: number;
  /** Node server limits: whole request, and headers alone, ms. */
  requestTimeoutMs: number;
  headersTimeoutMs: number;
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new EProofError("CONFIG_INVALID", `${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}

function address(env: Env, name: string): `0x${string}` {
  const raw = env[name];
  if (!raw || !/^0x[0-9a-fA-F]{40}$/.test(raw)) {
    throw new EProofError("CONFIG_INVALID", `${name} must be a contract address (0x + 40 hex digits) when EPROOF_RPC_URL is set`);
  }
  return raw as `0x${string}`;
}

/**
 * A secret setting, read from NAME or from the file named by NAME_FILE (a Docker/Kubernetes secret),
 * never both. The file's content is trimmed (secret files usually end with a newline). Undefined when
 * neither is set. Errors name the variable and the file, never the content.
 */
export function secret(env: Env, name: string, readFile: (path: string) => string): string | undefined {
  const direct = env[name]?.trim() || undefined;
  const path = env[`${name}_FILE`]?.trim() || undefined;
  if (direct && path) {
    throw new EProofError("CONFIG_INVALID", `${name} and ${name}_FILE are both set; set only one (${name}_FILE is the safer)`);
  }
  if (!path) return direct;
  let content: string;
  try {
    content = readFile(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException | undefined)?.code ?? "unreadable";
    throw new EProofError("CONFIG_INVALID", `${name}_FILE names a file that cannot be read (${path}: ${reason})`);
  }
  const value = content.trim();
  if (!value) throw new EProofError("CONFIG_INVALID", `${name}_FILE names an empty file (${path})`);
  return value;
}

function privateKey(env: Env, name: string, readFile: (path: string) => string): string {
  const raw = secret(env, name, readFile);
  if (!raw || !/^0x[0-9a-fA-F]{64}$/.test(raw)) {
    throw new EProofError("CONFIG_INVALID", `${name} (or ${name}_FILE) must hold a private key (0x + 64 hex digits) when EPROOF_RPC_URL is set`);
  }
  return raw;
}

const _DEPARTMENT = /^[A-Z0-9-]{2,31}$/;

/** EPROOF_ANCHOR_KEYS: `DEPT=0x<64 hex>` entries, one per line or comma-separated; errors never echo a key. */
function anchorKeys(env: Env, readFile: (path: string) => string): Record<string, string> {
  const raw = secret(env, "EPROOF_ANCHOR_KEYS", readFile);
  const keys: Record<string, string> = {};
  if (!raw) return keys;
  for (const [index, entry] of raw
    .split(/[\n,]/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"))
    .entries()) {
    const match = /^([A-Z0-9-]{2,31})\s*=\s*(0x[0-9a-fA-F]{64})$/.exec(entry);
    if (!match) {
      throw new EProofError(
        "CONFIG_INVALID",
        `EPROOF_ANCHOR_KEYS entry ${index + 1} must be DEPT=0x followed by 64 hex digits (a department code, then its anchoring account's private key)`,
      );
    }
    const [, department, key] = match as unknown as [string, string, string];
    if (keys[department]) throw new EProofError("CONFIG_INVALID", `EPROOF_ANCHOR_KEYS names department ${department} twice`);
    keys[department] = key;
  }
  return keys;
}

function isoOrNull(value: unknown, what: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new EProofError("CONFIG_INVALID", `EPROOF_TRUSTED_REGISTRIES: ${what} must be an ISO 8601 time (e.g. 2026-12-01T00:00:00Z) or null`);
  }
  return new Date(Date.parse(value)).toISOString();
}

/** EPROOF_TRUSTED_REGISTRIES: `[{"registry", "issuerRegistry", "from", "until"}]`, the registries this one succeeded. */
function earlierRegistries(env: Env, readFile: (path: string) => string): TrustedRegistry[] {
  const raw = secret(env, "EPROOF_TRUSTED_REGISTRIES", readFile);
  if (!raw) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new EProofError("CONFIG_INVALID", "EPROOF_TRUSTED_REGISTRIES must be a JSON array of {registry, issuerRegistry, from, until}");
  }
  if (!Array.isArray(parsed))
    throw new EProofError("CONFIG_INVALID", "EPROOF_TRUSTED_REGISTRIES must be a JSON array of {registry, issuerRegistry, from, until}");
  return parsed.map((entry: unknown, i) => {
    const e = (entry ?? {}) as Record<string, unknown>;
    const hex = (value: unknown, name: string) => {
      if (typeof value !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(value)) {
        throw new EProofError("CONFIG_INVALID", `EPROOF_TRUSTED_REGISTRIES[${i}].${name} must be a contract address (0x + 40 hex digits)`);
      }
      return value.toLowerCase() as `0x${string}`;
    };
    const until = isoOrNull(e.until, `[${i}].until`);
    if (until === null) throw new EProofError("CONFIG_INVALID", `EPROOF_TRUSTED_REGISTRIES[${i}].until must be set: an earlier registry's period has ended`);
    const from = isoOrNull(e.from, `[${i}].from`);
    if (from !== null && from >= until) throw new EProofError("CONFIG_INVALID", `EPROOF_TRUSTED_REGISTRIES[${i}]: from must be before until`);
    return { registry: hex(e.registry, "registry"), issuerRegistry: hex(e.issuerRegistry, "issuerRegistry"), from, until };
  });
}

function roles(raw: string | undefined): ReadonlySet<Role> {
  const value = raw?.trim();
  if (!value) return new Set(ROLES);
  const chosen = new Set<Role>();
  for (const name of value.split(",").map((part) => part.trim().toLowerCase())) {
    if (!(ROLES as readonly string[]).includes(name)) {
      throw new EProofError("CONFIG_INVALID", `EPROOF_ROLES must be a comma-separated list of ${ROLES.join(", ")}, got "${value.slice(0, 60)}"`);
    }
    chosen.add(name as Role);
  }
  return chosen;
}

/** Private keys a public-only instance must not be given: it holds none. */
const KEY_SETTINGS = ["EPROOF_ANCHOR_KEYS", "EPROOF_GOVERNANCE_KEY", "EPROOF_CUSTODY_KEY"];

function wei(env: Env, name: string): bigint {
  const value = env[name]?.trim();
  if (!value) return 0n;
  if (!/^\d{1,30}$/.test(value))
    throw new EProofError("CONFIG_INVALID", `${name} must be a whole number of wei (e.g. 1000000000000000000), got "${value.slice(0, 40)}"`);
  return BigInt(value);
}

function gasPrice(raw: string | undefined): { gasPrice?: bigint } {
  const value = raw?.trim();
  if (!value) return {};
  if (!/^\d{1,30}$/.test(value))
    throw new EProofError("CONFIG_INVALID", `EPROOF_GAS_PRICE must be a whole number of wei (e.g. 0), got "${value.slice(0, 40)}"`);
  return { gasPrice: BigInt(value) };
}

function flag(env: Env, name: string): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === "" || raw === "false") return false;
  if (raw === "true") return true;
  throw new EProofError("CONFIG_INVALID", `${name} must be true or false, got "${env[name]}"`);
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

function logLevel(raw: string | undefined): string {
  const level = raw?.trim() || "info";
  if (!LOG_LEVELS.includes(level)) throw new EProofError("CONFIG_INVALID", `EPROOF_LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, got "${level}"`);
  return level;
}

/** "loopback" by default; `true` is refused because it would let any client choose its own address. */
function trustProxy(raw: string | undefined): AbuseConfig["trustProxy"] {
  const value = raw?.trim() || "loopback";
  if (value === "false" || value === "0") return false;
  if (/^[1-9]\d?$/.test(value)) return Number(value);
  if (value === "true" || value === "*" || !/^[\w.:/, -]+$/.test(value)) {
    throw new EProofError(
      "CONFIG_INVALID",
      `EPROOF_TRUST_PROXY must be false, a hop count (1-99) or a comma-separated list of proxy addresses/subnets (e.g. "loopback, 10.0.0.0/8"), got "${value}"`,
    );
  }
  return value;
}

function abuse(env: Env): AbuseConfig {
  const requestTimeoutMs = integer(env, "EPROOF_REQUEST_TIMEOUT_MS", 30_000, 1_000, 600_000);
  return {
    trustProxy: trustProxy(env.EPROOF_TRUST_PROXY),
    verifyLimit: {
      max: integer(env, "EPROOF_VERIFY_RATE_LIMIT", 120, 0, 1_000_000),
      windowMs: integer(env, "EPROOF_VERIFY_RATE_WINDOW_MS", 60_000, 1_000, 86_400_000),
    },
    authFailureLimit: {
      max: integer(env, "EPROOF_AUTH_FAILURE_LIMIT", 10, 0, 1_000_000),
      windowMs: integer(env, "EPROOF_AUTH_FAILURE_WINDOW_MS", 15 * 60_000, 1_000, 86_400_000),
    },
    verifyTimeoutMs: integer(env, "EPROOF_VERIFY_TIMEOUT_MS", 10_000, 1, 600_000),
    requestTimeoutMs,
    // Node needs headersTimeout <= requestTimeout.
    headersTimeoutMs: Math.min(integer(env, "EPROOF_HEADERS_TIMEOUT_MS", 10_000, 1_000, 600_000), requestTimeoutMs),
  };
}

function databaseUrl(env: Env, readFile: (path: string) => string): string | null {
  const url = secret(env, "EPROOF_DATABASE_URL", readFile);
  if (!url) return null;
  if (!/^postgres(ql)?:\/\//.test(url)) {
    // The URL may carry a password: name the setting, never echo the value.
    throw new EProofError("CONFIG_INVALID", "EPROOF_DATABASE_URL (or EPROOF_DATABASE_URL_FILE) must be a PostgreSQL URL (postgres://user@host:5432/database)");
  }
  return url;
}

export function loadConfig(env: Env, readFile: (path: string) => string): Config {
  const port = integer(env, "PORT", 8080, 0, 65535);
  const rpc = env.EPROOF_RPC_URL?.trim();
  if (env.EPROOF_ANCHOR_KEY?.trim() || env.EPROOF_ANCHOR_KEY_FILE?.trim()) {
    throw new EProofError(
      "CONFIG_INVALID",
      "EPROOF_ANCHOR_KEY is no longer used: each department anchors with its own account. Set EPROOF_ANCHOR_KEYS_FILE to a file of DEPT=0x… lines (e.g. DEMO=0x…), or let the administrator generate accounts when onboarding departments",
    );
  }
  const chosenRoles = roles(env.EPROOF_ROLES);
  if (!chosenRoles.has("officer") && !rpc) {
    throw new EProofError(
      "CONFIG_INVALID",
      "an instance without the officer role joins an existing deployment: set EPROOF_RPC_URL, EPROOF_DOCUMENT_REGISTRY and EPROOF_ISSUER_REGISTRY (the embedded chain is started by an officer instance)",
    );
  }
  if (!chosenRoles.has("officer") && !chosenRoles.has("admin")) {
    const given = KEY_SETTINGS.filter((name) => env[name]?.trim() || env[`${name}_FILE`]?.trim());
    if (given.length > 0) {
      throw new EProofError("CONFIG_INVALID", `a public instance holds no private key: unset ${given.join(", ")} (or their _FILE variants)`);
    }
  }
  if (chosenRoles.has("admin") && env.EPROOF_ROLES?.trim() && rpc && !(env.EPROOF_GOVERNANCE_KEY?.trim() || env.EPROOF_GOVERNANCE_KEY_FILE?.trim())) {
    throw new EProofError(
      "CONFIG_INVALID",
      "the admin role needs the administrator's chain key: set EPROOF_GOVERNANCE_KEY_FILE (an IssuerRegistry REGISTRAR account)",
    );
  }
  // Officer and admin instances both open the key custody (the admin generates department keys in it).
  const holdsKeys = chosenRoles.has("officer") || chosenRoles.has("admin");
  const custodyKey = holdsKeys ? secret(env, "EPROOF_CUSTODY_KEY", readFile) : undefined;
  const chainId = integer(env, "EPROOF_CHAIN_ID", 852, 1, 2 ** 48);
  const chain: Config["chain"] = rpc
    ? {
        kind: "external",
        rpcUrls: rpc
          .split(",")
          .map((url) => url.trim())
          .filter(Boolean),
        chainId,
        documentRegistry: address(env, "EPROOF_DOCUMENT_REGISTRY"),
        issuerRegistry: address(env, "EPROOF_ISSUER_REGISTRY"),
        anchorKeys: chosenRoles.has("officer") ? anchorKeys(env, readFile) : {},
        anchorFundingWei: wei(env, "EPROOF_ANCHOR_FUNDING_WEI"),
        earlierRegistries: earlierRegistries(env, readFile),
        ...(chosenRoles.has("admin") && (env.EPROOF_GOVERNANCE_KEY?.trim() || env.EPROOF_GOVERNANCE_KEY_FILE?.trim())
          ? { governanceKey: privateKey(env, "EPROOF_GOVERNANCE_KEY", readFile) }
          : {}),
        ...gasPrice(env.EPROOF_GAS_PRICE),
      }
    : { kind: "embedded", port: integer(env, "EPROOF_CHAIN_PORT", 8545, 1, 65535), chainId };
  const databaseUrlValue = databaseUrl(env, readFile);
  if (holdsKeys && databaseUrlValue && !custodyKey) {
    throw new EProofError(
      "CONFIG_INVALID",
      "officer and admin instances on PostgreSQL share the key custody: set EPROOF_CUSTODY_KEY_FILE (the same 32-byte key, 64 hex digits, on every officer and admin instance)",
    );
  }
  return {
    roles: chosenRoles,
    ...(custodyKey ? { custodyKey } : {}),
    port,
    publicUrl: (env.EPROOF_PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, ""),
    dataDir: resolve(env.EPROOF_DATA_DIR ?? "data"),
    logLevel: logLevel(env.EPROOF_LOG_LEVEL),
    bodyLimitBytes: integer(env, "EPROOF_BODY_LIMIT_BYTES", 2 * 1024 * 1024, 1024, 64 * 1024 * 1024),
    maxBatchItems: integer(env, "EPROOF_MAX_BATCH_ITEMS", 10_000, 1, 100_000),
    abuse: abuse(env),
    databaseUrl: databaseUrlValue,
    anchoring: {
      batchSize: integer(env, "EPROOF_BATCH_SIZE", 5_000, 1, 100_000),
      maxWaitMs: integer(env, "EPROOF_BATCH_MAX_WAIT_MS", 1_000, 0, 3_600_000),
      watchMs: integer(env, "EPROOF_CHAIN_WATCH_MS", 10_000, 0, 3_600_000),
    },
    subscriptions: {
      followPollMs: integer(env, "EPROOF_FOLLOW_POLL_MS", 1_000, 10, 600_000),
      followGraceMs: integer(env, "EPROOF_FOLLOW_GRACE_MS", 2_000, 0, 600_000),
      followFromBlock: integer(env, "EPROOF_FOLLOW_FROM_BLOCK", 0, 0, Number.MAX_SAFE_INTEGER),
      retryBaseMs: integer(env, "EPROOF_WEBHOOK_RETRY_BASE_MS", 2_000, 1, 3_600_000),
      retryMaxDelayMs: integer(env, "EPROOF_WEBHOOK_RETRY_MAX_MS", 3_600_000, 1, 86_400_000),
      maxAttempts: integer(env, "EPROOF_WEBHOOK_MAX_ATTEMPTS", 20, 1, 100),
      allowPrivateWebhooks: flag(env, "EPROOF_WEBHOOK_ALLOW_PRIVATE"),
    },
    chain,
  };
}
