/**
 * Configuration, read from the environment once at start and validated. Nothing else reads
 * process.env. Every setting has a safe embedded default so `npm start` needs none.
 */
import { resolve } from "node:path";
import { EProofError } from "./errors.ts";

export interface Config {
  port: number;
  /** Base URL printed into QR codes and links, e.g. https://eproof.example.gov.hk */
  publicUrl: string;
  dataDir: string;
  logLevel: string;
  /** Largest request body accepted, bytes. */
  bodyLimitBytes: number;
  /** Largest number of items in one POST /api/v1/batches. */
  maxBatchItems: number;
  /** PostgreSQL URL (EPROOF_DATABASE_URL): several instances may share it. Null = embedded SQLite in dataDir. */
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
  };
  chain:
    | { kind: "embedded"; port: number; chainId: number }
    | {
        kind: "external";
        rpcUrls: string[];
        chainId: number;
        documentRegistry: `0x${string}`;
        issuerRegistry: `0x${string}`;
        /** Private key (0x hex) of the account that anchors batches. */
        anchorKey: string;
        /**
         * A fixed gas price for every transaction, wei (EPROOF_GAS_PRICE; "0" on a free-gas QBFT
         * network, whose anchoring accounts hold no ether). Unset: the node's fee suggestion.
         */
        gasPrice?: bigint;
      };
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

function secret(env: Env, name: string, readFile: (path: string) => string): string {
  const fromFile = env[`${name}_FILE`];
  const raw = fromFile ? readFile(fromFile).trim() : env[name];
  if (!raw || !/^0x[0-9a-fA-F]{64}$/.test(raw)) {
    throw new EProofError("CONFIG_INVALID", `${name} (or ${name}_FILE) must hold a private key (0x + 64 hex digits) when EPROOF_RPC_URL is set`);
  }
  return raw;
}

function gasPrice(raw: string | undefined): { gasPrice?: bigint } {
  const value = raw?.trim();
  if (!value) return {};
  if (!/^\d{1,30}$/.test(value))
    throw new EProofError("CONFIG_INVALID", `EPROOF_GAS_PRICE must be a whole number of wei (e.g. 0), got "${value.slice(0, 40)}"`);
  return { gasPrice: BigInt(value) };
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

function logLevel(raw: string | undefined): string {
  const level = raw?.trim() || "info";
  if (!LOG_LEVELS.includes(level)) throw new EProofError("CONFIG_INVALID", `EPROOF_LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, got "${level}"`);
  return level;
}

function databaseUrl(raw: string | undefined): string | null {
  const url = raw?.trim();
  if (!url) return null;
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new EProofError("CONFIG_INVALID", "EPROOF_DATABASE_URL must be a PostgreSQL URL (postgres://user@host:5432/database)");
  }
  return url;
}

export function loadConfig(env: Env, readFile: (path: string) => string): Config {
  const port = integer(env, "PORT", 8080, 0, 65535);
  const rpc = env.EPROOF_RPC_URL?.trim();
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
        anchorKey: secret(env, "EPROOF_ANCHOR_KEY", readFile),
        ...gasPrice(env.EPROOF_GAS_PRICE),
      }
    : { kind: "embedded", port: integer(env, "EPROOF_CHAIN_PORT", 8545, 1, 65535), chainId };
  return {
    port,
    publicUrl: (env.EPROOF_PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, ""),
    dataDir: resolve(env.EPROOF_DATA_DIR ?? "data"),
    logLevel: logLevel(env.EPROOF_LOG_LEVEL),
    bodyLimitBytes: integer(env, "EPROOF_BODY_LIMIT_BYTES", 2 * 1024 * 1024, 1024, 64 * 1024 * 1024),
    maxBatchItems: integer(env, "EPROOF_MAX_BATCH_ITEMS", 10_000, 1, 100_000),
    databaseUrl: databaseUrl(env.EPROOF_DATABASE_URL),
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
    },
    chain,
  };
}
