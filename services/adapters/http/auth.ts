/**
 * Officer authentication: `Authorization: Bearer <apiKey>`. Keys are stored only as SHA-256 hashes;
 * a key is scoped to one department (and optionally to some document types).
 */
import { createHash, randomBytes } from "node:crypto";
import type { RequestHandler } from "express";
import { EProofError } from "../../errors.ts";
import type { ApiKeyRecord, Store } from "../../ports.ts";

export function hashApiKey(apiKey: string): string {
  return createHash("sha256").update(apiKey, "utf8").digest("hex");
}

export function newApiKey(): string {
  return `ep_${randomBytes(32).toString("base64url")}`;
}

export interface Officer {
  keyId: string;
  department: string;
  types: string[];
}

/** The platform administrator, authenticated by an API key with role "admin". */
export interface Admin {
  keyId: string;
}

const CACHE_MS = 10_000;
let cacheGeneration = 0;

/** Forgets every cached key lookup (called when a key is revoked, so that it stops working at once). */
export function invalidateApiKeyCache(): void {
  cacheGeneration += 1;
}

export function requireOfficer(store: Store): RequestHandler {
  return requireKey(store, "officer");
}

/** Only API keys with role "admin": an officer key gets 403, no key 401. */
export function requireAdmin(store: Store): RequestHandler {
  return requireKey(store, "admin");
}

export function adminOf(locals: Record<string, unknown>): Admin {
  return locals.admin as Admin;
}

// A revoked key stops working within CACHE_MS (the cache spares a database read per request).
function requireKey(store: Store, role: "officer" | "admin"): RequestHandler {
  const cache = new Map<string, { key: ApiKeyRecord | null; until: number; generation: number }>();
  return async (req, res, next) => {
    const header = req.get("authorization") ?? "";
    const match = /^Bearer\s+(\S{10,200})$/i.exec(header);
    if (!match) {
      next(new EProofError("UNAUTHORISED", "send your department's API key as 'Authorization: Bearer <apiKey>'"));
      return;
    }
    const hash = hashApiKey(String(match[1]));
    let entry = cache.get(hash);
    if (!entry || entry.until < Date.now() || entry.generation !== cacheGeneration) {
      entry = { key: await store.findApiKey(hash), until: Date.now() + CACHE_MS, generation: cacheGeneration };
      if (cache.size > 10_000) cache.clear();
      cache.set(hash, entry);
    }
    if (!entry.key || entry.key.revoked) {
      next(new EProofError("UNAUTHORISED", "this API key is not valid (unknown or revoked)"));
      return;
    }
    const keyRole = entry.key.role ?? "officer";
    if (keyRole !== role) {
      next(
        new EProofError(
          "FORBIDDEN",
          role === "admin"
            ? "this API key is an officer's; administration needs an admin API key"
            : "an admin API key cannot act for a department; use an officer's key",
        ),
      );
      return;
    }
    if (role === "admin") res.locals.admin = { keyId: entry.key.id } satisfies Admin;
    else res.locals.officer = { keyId: entry.key.id, department: entry.key.department, types: entry.key.types } satisfies Officer;
    next();
  };
}

export function officerOf(locals: Record<string, unknown>): Officer {
  return locals.officer as Officer;
}

/** Refuses a document type the key is not scoped to (an empty scope means all of the department's types). */
export function assertTypeAllowed(officer: Officer, type: string): void {
  if (officer.types.length > 0 && !officer.types.includes(type)) {
    throw new EProofError("FORBIDDEN", `this API key may not issue ${type} documents`);
  }
}
