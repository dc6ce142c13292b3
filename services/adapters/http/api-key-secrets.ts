/**
 * API-key secrets, written once: the HTTP adapter authenticates with `hash`, and the admin API, the
 * CLI and the development bootstrap create keys with `newSecret` (through the ApiKeys port where a
 * use case needs it). Keys are stored only as SHA-256 hashes.
 */
import { createHash, randomBytes } from "node:crypto";
import type { ApiKeys } from "../../ports.ts";

export const apiKeySecrets: ApiKeys = {
  newSecret: () => `ep_${randomBytes(32).toString("base64url")}`,
  hash: (secret) => createHash("sha256").update(secret, "utf8").digest("hex"),
};
