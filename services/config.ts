/**
 * Configuration, read from the environment once at start and validated by one zod schema (ENV below: each
 * variable's coercion and check, then the rules between variables). Nothing else reads process.env. Every
 * setting has a safe embedded default so `npm start` needs none. Every error is CONFIG_INVALID and names the
 * variable; none echoes a secret.
 */
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { z } from "zod";
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
  /** EPROOF_METRICS_TOKEN (or _FILE): when set, GET /metrics needs `Authorization: Bearer <token>`. */
  metricsToken?: string;
  port: number;
  /** Base URL printed into QR codes and links, e.g. https://eproof.example.gov.hk */
  publicUrl: string;
  dataDir: string;
  logLevel: string;
  /** Largest request body accepted, bytes. */
  bodyLimitBytes: number;
  /** Largest number of items in one POST /api/v1/batches. */
  maxBatchItems: number;
  /**
   * How long the verify API takes a read of the chain head as current, ms (EPROOF_VERIFY_HEAD_MS):
   * answers read at that block are reused until then (adapters/chain/block-pinned-reads.ts). 0: every
   * verification reads the chain at "latest".
   */
  verifyHeadMs: number;
  /** Worker threads that validate, build and sign issued documents (0: on the event loop). */
  issuanceThreads: number;
  /** Worker threads that run the verify API's chain-free checks (hashes, claim, Merkle path, JWS; 0: on the event loop). */
  verifyThreads: number;
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
    /**
     * How long a download of a document's eproof.json or PDF (and its public proof) waits for the
     * document's batch to be anchored before answering 202 with Retry-After, ms (0: answer at once).
     */
    downloadWaitMs: number;
  };
  /** OpenID4VCI issuance into wallets (services/use-cases/issue-to-wallet.ts). */
  openid4vci: {
    /** How long a credential offer may be redeemed, seconds (EPROOF_OID4VCI_OFFER_TTL_SECONDS). */
    offerTtlSeconds: number;
    /** How long the access token a wallet gets works, seconds (EPROOF_OID4VCI_TOKEN_TTL_SECONDS). */
    tokenTtlSeconds: number;
    /** How long a c_nonce may be used, seconds (EPROOF_OID4VCI_NONCE_TTL_SECONDS); also the oldest proof accepted. */
    nonceTtlSeconds: number;
    /** Wrong transaction codes after which an offer is dead (EPROOF_OID4VCI_TX_CODE_MAX_TRIES). */
    txCodeMaxTries: number;
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
type ReadFile = (path: string) => string;

function invalid(message: string): never {
  throw new EProofError("CONFIG_INVALID", message);
}

/**
 * A secret setting, read from NAME or from the file named by NAME_FILE (a Docker/Kubernetes secret),
 * never both. The file's content is trimmed (secret files usually end with a newline). Undefined when
 * neither is set. Errors name the variable and the file, never the content.
 */
export function secret(env: Env, name: string, readFile: ReadFile): string | undefined {
  const direct = env[name]?.trim() || undefined;
  const path = env[`${name}_FILE`]?.trim() || undefined;
  if (direct && path) invalid(`${name} and ${name}_FILE are both set; set only one (${name}_FILE is the safer)`);
  if (!path) return direct;
  let content: string;
  try {
    content = readFile(path);
  } catch (error) {
    invalid(`${name}_FILE names a file that cannot be read (${path}: ${(error as NodeJS.ErrnoException | undefined)?.code ?? "unreadable"})`);
  }
  return content.trim() || invalid(`${name}_FILE names an empty file (${path})`);
}

/** Whether NAME or NAME_FILE is set, without reading the secret. */
const given = (env: Env, name: string): boolean => Boolean(env[name]?.trim() || env[`${name}_FILE`]?.trim());

// ---- One variable each ----

/** Unset or blank: `fallback`; else an integer in [min, max]. */
function integer(name: string, fallback: number, min: number, max: number) {
  return z
    .string()
    .optional()
    .refine((raw) => !raw?.trim() || (Number.isInteger(Number(raw)) && Number(raw) >= min && Number(raw) <= max), {
      error: (issue) => `${name} must be an integer between ${min} and ${max}, got "${String(issue.input)}"`,
    })
    .transform((raw) => (raw?.trim() ? Number(raw) : fallback));
}

/** Trimmed; blank is unset. */
const text = z
  .string()
  .optional()
  .transform((raw) => raw?.trim() || undefined);

/** A whole number of wei; `message` is told the value as given (at most 40 characters). */
function weiAmount(message: (value: string) => string) {
  return text
    .refine((value) => value === undefined || /^\d{1,30}$/.test(value), { error: (issue) => message(String(issue.input).trim().slice(0, 40)) })
    .transform((value) => (value === undefined ? undefined : BigInt(value)));
}

const roles = text.transform((value, ctx): ReadonlySet<Role> => {
  if (!value) return new Set(ROLES);
  const names = value.split(",").map((part) => part.trim().toLowerCase());
  if (names.every((name) => (ROLES as readonly string[]).includes(name))) return new Set(names as Role[]);
  ctx.addIssue({ code: "custom", message: `EPROOF_ROLES must be a comma-separated list of ${ROLES.join(", ")}, got "${value.slice(0, 60)}"` });
  return z.NEVER;
});

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const logLevel = text
  .transform((value) => value ?? "info")
  .pipe(z.enum(LOG_LEVELS, { error: (issue) => `EPROOF_LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, got "${String(issue.input)}"` }));

/** Off unless "true" (any case); anything but true or false is refused rather than guessed. */
function flag(name: string) {
  return z
    .string()
    .optional()
    .refine((raw) => ["", "true", "false"].includes(raw?.trim().toLowerCase() ?? ""), {
      error: (issue) => `${name} must be true or false, got "${String(issue.input)}"`,
    })
    .transform((raw) => raw?.trim().toLowerCase() === "true");
}

/** "loopback" by default; `true` is refused because it would let any client choose its own address. */
const trustProxy = text.transform((raw, ctx): AbuseConfig["trustProxy"] => {
  const value = raw ?? "loopback";
  if (value === "false" || value === "0") return false;
  if (/^[1-9]\d?$/.test(value)) return Number(value);
  if (value !== "true" && value !== "*" && /^[\w.:/, -]+$/.test(value)) return value;
  ctx.addIssue({
    code: "custom",
    message: `EPROOF_TRUST_PROXY must be false, a hop count (1-99) or a comma-separated list of proxy addresses/subnets (e.g. "loopback, 10.0.0.0/8"), got "${value}"`,
  });
  return z.NEVER;
});

/** Every variable the service reads, in the order their errors are reported. */
const ENV = z.object({
  PORT: integer("PORT", 8080, 0, 65535),
  EPROOF_ROLES: roles,
  EPROOF_RPC_URL: text,
  EPROOF_CHAIN_ID: integer("EPROOF_CHAIN_ID", 852, 1, 2 ** 48),
  EPROOF_CHAIN_PORT: integer("EPROOF_CHAIN_PORT", 8545, 1, 65535),
  EPROOF_DOCUMENT_REGISTRY: z.string().optional(),
  EPROOF_ISSUER_REGISTRY: z.string().optional(),
  EPROOF_ANCHOR_FUNDING_WEI: weiAmount((value) => `EPROOF_ANCHOR_FUNDING_WEI must be a whole number of wei (e.g. 1000000000000000000), got "${value}"`),
  EPROOF_GAS_PRICE: weiAmount((value) => `EPROOF_GAS_PRICE must be a whole number of wei (e.g. 0), got "${value}"`),
  EPROOF_PUBLIC_URL: z.string().optional(),
  EPROOF_DATA_DIR: z.string().optional(),
  EPROOF_LOG_LEVEL: logLevel,
  EPROOF_BODY_LIMIT_BYTES: integer("EPROOF_BODY_LIMIT_BYTES", 2 * 1024 * 1024, 1024, 64 * 1024 * 1024),
  EPROOF_MAX_BATCH_ITEMS: integer("EPROOF_MAX_BATCH_ITEMS", 10_000, 1, 100_000),
  EPROOF_ISSUANCE_THREADS: integer("EPROOF_ISSUANCE_THREADS", availableParallelism(), 0, 64),
  EPROOF_VERIFY_THREADS: integer("EPROOF_VERIFY_THREADS", Math.max(1, availableParallelism() - 1), 0, 64),
  EPROOF_TRUST_PROXY: trustProxy,
  EPROOF_VERIFY_RATE_LIMIT: integer("EPROOF_VERIFY_RATE_LIMIT", 120, 0, 1_000_000),
  EPROOF_VERIFY_RATE_WINDOW_MS: integer("EPROOF_VERIFY_RATE_WINDOW_MS", 60_000, 1_000, 86_400_000),
  EPROOF_AUTH_FAILURE_LIMIT: integer("EPROOF_AUTH_FAILURE_LIMIT", 10, 0, 1_000_000),
  EPROOF_AUTH_FAILURE_WINDOW_MS: integer("EPROOF_AUTH_FAILURE_WINDOW_MS", 15 * 60_000, 1_000, 86_400_000),
  EPROOF_VERIFY_TIMEOUT_MS: integer("EPROOF_VERIFY_TIMEOUT_MS", 10_000, 1, 600_000),
  EPROOF_VERIFY_HEAD_MS: integer("EPROOF_VERIFY_HEAD_MS", 50, 0, 1_000),
  EPROOF_REQUEST_TIMEOUT_MS: integer("EPROOF_REQUEST_TIMEOUT_MS", 30_000, 1_000, 600_000),
  EPROOF_HEADERS_TIMEOUT_MS: integer("EPROOF_HEADERS_TIMEOUT_MS", 10_000, 1_000, 600_000),
  EPROOF_BATCH_SIZE: integer("EPROOF_BATCH_SIZE", 5_000, 1, 100_000),
  EPROOF_BATCH_MAX_WAIT_MS: integer("EPROOF_BATCH_MAX_WAIT_MS", 1_000, 0, 3_600_000),
  EPROOF_CHAIN_WATCH_MS: integer("EPROOF_CHAIN_WATCH_MS", 10_000, 0, 3_600_000),
  EPROOF_DOWNLOAD_WAIT_MS: integer("EPROOF_DOWNLOAD_WAIT_MS", 3_000, 0, 60_000),
  EPROOF_FOLLOW_POLL_MS: integer("EPROOF_FOLLOW_POLL_MS", 1_000, 10, 600_000),
  EPROOF_FOLLOW_GRACE_MS: integer("EPROOF_FOLLOW_GRACE_MS", 2_000, 0, 600_000),
  EPROOF_FOLLOW_FROM_BLOCK: integer("EPROOF_FOLLOW_FROM_BLOCK", 0, 0, Number.MAX_SAFE_INTEGER),
  EPROOF_WEBHOOK_RETRY_BASE_MS: integer("EPROOF_WEBHOOK_RETRY_BASE_MS", 2_000, 1, 3_600_000),
  EPROOF_WEBHOOK_RETRY_MAX_MS: integer("EPROOF_WEBHOOK_RETRY_MAX_MS", 3_600_000, 1, 86_400_000),
  EPROOF_WEBHOOK_MAX_ATTEMPTS: integer("EPROOF_WEBHOOK_MAX_ATTEMPTS", 20, 1, 100),
  EPROOF_WEBHOOK_ALLOW_PRIVATE: flag("EPROOF_WEBHOOK_ALLOW_PRIVATE"),
  EPROOF_OID4VCI_OFFER_TTL_SECONDS: integer("EPROOF_OID4VCI_OFFER_TTL_SECONDS", 600, 30, 7 * 86_400),
  EPROOF_OID4VCI_TOKEN_TTL_SECONDS: integer("EPROOF_OID4VCI_TOKEN_TTL_SECONDS", 300, 10, 3_600),
  EPROOF_OID4VCI_NONCE_TTL_SECONDS: integer("EPROOF_OID4VCI_NONCE_TTL_SECONDS", 300, 10, 3_600),
  EPROOF_OID4VCI_TX_CODE_MAX_TRIES: integer("EPROOF_OID4VCI_TX_CODE_MAX_TRIES", 5, 1, 20),
});

// ---- The secrets' contents (read only once the rules between variables allow them) ----

const CONTRACT_ADDRESS = /^0x[0-9a-fA-F]{40}$/;

function address(value: string | undefined, name: string): `0x${string}` {
  if (value && CONTRACT_ADDRESS.test(value)) return value as `0x${string}`;
  return invalid(`${name} must be a contract address (0x + 40 hex digits) when EPROOF_RPC_URL is set`);
}

/** EPROOF_ANCHOR_KEYS: `DEPT=0x<64 hex>` entries, one per line or comma-separated; errors never echo a key. */
function anchorKeys(raw: string | undefined): Record<string, string> {
  const keys: Record<string, string> = {};
  const entries = (raw ?? "")
    .split(/[\n,]/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"));
  for (const [index, entry] of entries.entries()) {
    const [, department, key] =
      /^([A-Z0-9-]{2,31})\s*=\s*(0x[0-9a-fA-F]{64})$/.exec(entry) ??
      invalid(`EPROOF_ANCHOR_KEYS entry ${index + 1} must be DEPT=0x followed by 64 hex digits (a department code, then its anchoring account's private key)`);
    if (!department || !key) continue;
    if (keys[department]) invalid(`EPROOF_ANCHOR_KEYS names department ${department} twice`);
    keys[department] = key;
  }
  return keys;
}

function isoOrNull(what: string) {
  return z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}T/)
    .refine((value) => !Number.isNaN(Date.parse(value)))
    .transform((value) => new Date(Date.parse(value)).toISOString())
    .nullish()
    .transform((value) => value ?? null)
    .catch(() => invalid(`EPROOF_TRUSTED_REGISTRIES: ${what} must be an ISO 8601 time (e.g. 2026-12-01T00:00:00Z) or null`));
}

function contract(name: string) {
  return z
    .string()
    .regex(CONTRACT_ADDRESS)
    .transform((value) => value.toLowerCase() as `0x${string}`)
    .catch(() => invalid(`EPROOF_TRUSTED_REGISTRIES${name} must be a contract address (0x + 40 hex digits)`));
}

/** EPROOF_TRUSTED_REGISTRIES: `[{"registry", "issuerRegistry", "from", "until"}]`, the registries this one succeeded. */
function earlierRegistries(raw: string | undefined): TrustedRegistry[] {
  if (!raw) return [];
  const shape = "EPROOF_TRUSTED_REGISTRIES must be a JSON array of {registry, issuerRegistry, from, until}";
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    invalid(shape);
  }
  if (!Array.isArray(parsed)) invalid(shape);
  return parsed.map((entry: unknown, i) => {
    const e = (entry ?? {}) as Record<string, unknown>;
    // Checked in this order, so the first mistake of an entry is the one reported.
    const until =
      isoOrNull(`[${i}].until`).parse(e.until) ?? invalid(`EPROOF_TRUSTED_REGISTRIES[${i}].until must be set: an earlier registry's period has ended`);
    const from = isoOrNull(`[${i}].from`).parse(e.from);
    if (from !== null && from >= until) invalid(`EPROOF_TRUSTED_REGISTRIES[${i}]: from must be before until`);
    return { registry: contract(`[${i}].registry`).parse(e.registry), issuerRegistry: contract(`[${i}].issuerRegistry`).parse(e.issuerRegistry), from, until };
  });
}

function privateKey(raw: string | undefined, name: string): string {
  if (raw && /^0x[0-9a-fA-F]{64}$/.test(raw)) return raw;
  return invalid(`${name} (or ${name}_FILE) must hold a private key (0x + 64 hex digits) when EPROOF_RPC_URL is set`);
}

function databaseUrl(url: string | undefined): string | null {
  if (!url) return null;
  // The URL may carry a password: name the setting, never echo the value.
  if (!/^postgres(ql)?:\/\//.test(url))
    invalid("EPROOF_DATABASE_URL (or EPROOF_DATABASE_URL_FILE) must be a PostgreSQL URL (postgres://user@host:5432/database)");
  return url;
}

/** Private keys a public-only instance must not be given: it holds none. */
const KEY_SETTINGS = ["EPROOF_ANCHOR_KEYS", "EPROOF_GOVERNANCE_KEY", "EPROOF_CUSTODY_KEY"];

// ---- The rules between variables, then the Config ----

export function loadConfig(env: Env, readFile: ReadFile): Config {
  const parsed = ENV.safeParse(env);
  if (!parsed.success) invalid(parsed.error.issues[0]?.message ?? "invalid configuration");
  const e = parsed.data;
  const rpc = e.EPROOF_RPC_URL;
  if (given(env, "EPROOF_ANCHOR_KEY")) {
    invalid(
      "EPROOF_ANCHOR_KEY is no longer used: each department anchors with its own account. Set EPROOF_ANCHOR_KEYS_FILE to a file of DEPT=0x… lines (e.g. DEMO=0x…), or let the administrator generate accounts when onboarding departments",
    );
  }
  const officer = e.EPROOF_ROLES.has("officer");
  const admin = e.EPROOF_ROLES.has("admin");
  if (!officer && !rpc) {
    invalid(
      "an instance without the officer role joins an existing deployment: set EPROOF_RPC_URL, EPROOF_DOCUMENT_REGISTRY and EPROOF_ISSUER_REGISTRY (the embedded chain is started by an officer instance)",
    );
  }
  if (!officer && !admin) {
    const keys = KEY_SETTINGS.filter((name) => given(env, name));
    if (keys.length > 0) invalid(`a public instance holds no private key: unset ${keys.join(", ")} (or their _FILE variants)`);
  }
  const governance = admin && given(env, "EPROOF_GOVERNANCE_KEY");
  if (admin && env.EPROOF_ROLES?.trim() && rpc && !governance) {
    invalid("the admin role needs the administrator's chain key: set EPROOF_GOVERNANCE_KEY_FILE (an IssuerRegistry REGISTRAR account)");
  }
  // Officer and admin instances both open the key custody (the admin generates department keys in it).
  const holdsKeys = officer || admin;
  const custodyKey = holdsKeys ? secret(env, "EPROOF_CUSTODY_KEY", readFile) : undefined;
  const chainId = e.EPROOF_CHAIN_ID;
  const chain: Config["chain"] = rpc
    ? {
        kind: "external",
        rpcUrls: rpc
          .split(",")
          .map((url) => url.trim())
          .filter(Boolean),
        chainId,
        documentRegistry: address(e.EPROOF_DOCUMENT_REGISTRY, "EPROOF_DOCUMENT_REGISTRY"),
        issuerRegistry: address(e.EPROOF_ISSUER_REGISTRY, "EPROOF_ISSUER_REGISTRY"),
        anchorKeys: officer ? anchorKeys(secret(env, "EPROOF_ANCHOR_KEYS", readFile)) : {},
        anchorFundingWei: e.EPROOF_ANCHOR_FUNDING_WEI ?? 0n,
        earlierRegistries: earlierRegistries(secret(env, "EPROOF_TRUSTED_REGISTRIES", readFile)),
        ...(governance ? { governanceKey: privateKey(secret(env, "EPROOF_GOVERNANCE_KEY", readFile), "EPROOF_GOVERNANCE_KEY") } : {}),
        ...(e.EPROOF_GAS_PRICE === undefined ? {} : { gasPrice: e.EPROOF_GAS_PRICE }),
      }
    : { kind: "embedded", port: e.EPROOF_CHAIN_PORT, chainId };
  const database = databaseUrl(secret(env, "EPROOF_DATABASE_URL", readFile));
  const metricsToken = secret(env, "EPROOF_METRICS_TOKEN", readFile);
  if (metricsToken !== undefined && metricsToken.length < 16) {
    throw new EProofError("CONFIG_INVALID", "EPROOF_METRICS_TOKEN (or _FILE) must be at least 16 characters (e.g. openssl rand -hex 16)");
  }
  if (holdsKeys && database && !custodyKey) {
    invalid(
      "officer and admin instances on PostgreSQL share the key custody: set EPROOF_CUSTODY_KEY_FILE (the same 32-byte key, 64 hex digits, on every officer and admin instance)",
    );
  }
  return {
    roles: e.EPROOF_ROLES,
    ...(custodyKey ? { custodyKey } : {}),
    ...(metricsToken ? { metricsToken } : {}),
    port: e.PORT,
    publicUrl: (e.EPROOF_PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ""),
    dataDir: resolve(e.EPROOF_DATA_DIR ?? "data"),
    logLevel: e.EPROOF_LOG_LEVEL,
    bodyLimitBytes: e.EPROOF_BODY_LIMIT_BYTES,
    maxBatchItems: e.EPROOF_MAX_BATCH_ITEMS,
    verifyHeadMs: e.EPROOF_VERIFY_HEAD_MS,
    issuanceThreads: e.EPROOF_ISSUANCE_THREADS,
    verifyThreads: e.EPROOF_VERIFY_THREADS,
    abuse: {
      trustProxy: e.EPROOF_TRUST_PROXY,
      verifyLimit: { max: e.EPROOF_VERIFY_RATE_LIMIT, windowMs: e.EPROOF_VERIFY_RATE_WINDOW_MS },
      authFailureLimit: { max: e.EPROOF_AUTH_FAILURE_LIMIT, windowMs: e.EPROOF_AUTH_FAILURE_WINDOW_MS },
      verifyTimeoutMs: e.EPROOF_VERIFY_TIMEOUT_MS,
      requestTimeoutMs: e.EPROOF_REQUEST_TIMEOUT_MS,
      // Node needs headersTimeout <= requestTimeout.
      headersTimeoutMs: Math.min(e.EPROOF_HEADERS_TIMEOUT_MS, e.EPROOF_REQUEST_TIMEOUT_MS),
    },
    databaseUrl: database,
    anchoring: {
      batchSize: e.EPROOF_BATCH_SIZE,
      maxWaitMs: e.EPROOF_BATCH_MAX_WAIT_MS,
      watchMs: e.EPROOF_CHAIN_WATCH_MS,
      downloadWaitMs: e.EPROOF_DOWNLOAD_WAIT_MS,
    },
    openid4vci: {
      offerTtlSeconds: e.EPROOF_OID4VCI_OFFER_TTL_SECONDS,
      tokenTtlSeconds: e.EPROOF_OID4VCI_TOKEN_TTL_SECONDS,
      nonceTtlSeconds: e.EPROOF_OID4VCI_NONCE_TTL_SECONDS,
      txCodeMaxTries: e.EPROOF_OID4VCI_TX_CODE_MAX_TRIES,
    },
    subscriptions: {
      followPollMs: e.EPROOF_FOLLOW_POLL_MS,
      followGraceMs: e.EPROOF_FOLLOW_GRACE_MS,
      followFromBlock: e.EPROOF_FOLLOW_FROM_BLOCK,
      retryBaseMs: e.EPROOF_WEBHOOK_RETRY_BASE_MS,
      retryMaxDelayMs: e.EPROOF_WEBHOOK_RETRY_MAX_MS,
      maxAttempts: e.EPROOF_WEBHOOK_MAX_ATTEMPTS,
      allowPrivateWebhooks: e.EPROOF_WEBHOOK_ALLOW_PRIVATE,
    },
    chain,
  };
}
