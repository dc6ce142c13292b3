/**
 * API-key authentication: `Authorization: Bearer <apiKey>`. Keys are stored only as SHA-256 hashes.
 * An officer key is scoped to one department (and optionally to some document types); admin and
 * relying-party keys have no department ("*"). Each route family admits only some roles.
 */
import type { RequestHandler } from "express";
import { EProofError } from "../../errors.ts";
import type { ApiKeyRecord, ApiKeyRecords, ApiKeyRole, AuditLog } from "../../ports.ts";
import { apiKeySecrets } from "./api-key-secrets.ts";

/** The hash a key is stored and looked up under (api-key-secrets.ts). */
export const hashApiKey = apiKeySecrets.hash;
/** A new secret API key (api-key-secrets.ts). */
export const newApiKey = apiKeySecrets.newSecret;

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

/**
 * Who may subscribe to status changes: a relying party (any document it holds, any department's type)
 * or an officer (only within its department; see subscription-routes.ts).
 */
export interface Subscriber {
  keyId: string;
  role: "officer" | "relying-party";
  /** The officer's department; "*" for a relying party. */
  department: string;
}

/** Only officer keys; an admin or relying-party key gets 403 (recorded in `audit` when given), no key 401. */
export function requireOfficer(store: ApiKeyRecords, audit?: AuditLog): RequestHandler {
  return requireKey(store, ["officer"], audit);
}

/** Only API keys with role "admin": an officer or relying-party key gets 403, no key 401. */
export function requireAdmin(store: ApiKeyRecords, audit?: AuditLog): RequestHandler {
  return requireKey(store, ["admin"], audit);
}

/** Relying-party and officer keys (subscriptions); an admin key gets 403. */
export function requireSubscriber(store: ApiKeyRecords, audit?: AuditLog): RequestHandler {
  return requireKey(store, ["relying-party", "officer"], audit);
}

export function subscriberOf(locals: Record<string, unknown>): Subscriber {
  return locals.subscriber as Subscriber;
}

const REFUSAL: Record<ApiKeyRole, string> = {
  officer: "this API key is not an officer's; issuing and status changes need an officer's API key",
  admin: "this API key is not an admin's; administration needs an admin API key",
  "relying-party": "an admin API key cannot subscribe; use a relying party's or an officer's key",
};

export function adminOf(locals: Record<string, unknown>): Admin {
  return locals.admin as Admin;
}

const REFUSAL_RECORD_MS = 60_000;
const lastRefusalRecorded = new Map<string, number>();

/**
 * A valid key that keeps knocking on a route its role may not use is recorded once a minute per key,
 * method and route family: enough to see it, without letting one key fill the audit log (which is
 * append-only, so it could never be cleaned).
 */
function refusalWorthRecording(what: string): boolean {
  const now = Date.now();
  const last = lastRefusalRecorded.get(what);
  if (last !== undefined && now - last < REFUSAL_RECORD_MS) return false;
  if (lastRefusalRecorded.size > 10_000) lastRefusalRecorded.clear();
  lastRefusalRecorded.set(what, now);
  return true;
}

// A revoked key stops working within CACHE_MS (the cache spares a database read per request).
function requireKey(store: ApiKeyRecords, roles: readonly ApiKeyRole[], audit: AuditLog | undefined): RequestHandler {
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
    const key = entry.key;
    const keyRole = key.role ?? "officer";
    if (!roles.includes(keyRole)) {
      const refused = new EProofError("FORBIDDEN", REFUSAL[roles[0] ?? "officer"]);
      if (!audit) {
        next(refused);
        return;
      }
      // Only the route family is kept: a path may carry a document id, and that is all it needs.
      const details = { method: req.method, path: req.baseUrl || req.path.split("/").slice(0, 4).join("/") };
      if (!refusalWorthRecording(`${key.id} ${details.method} ${details.path}`)) {
        next(refused);
        return;
      }
      audit
        .append([
          { actor: key.id, role: keyRole, action: "access.refused", department: key.department === "*" ? null : key.department, documentId: null, details },
        ])
        .then(
          () => next(refused),
          (error: unknown) => next(error),
        );
      return;
    }
    if (keyRole === "admin") res.locals.admin = { keyId: key.id } satisfies Admin;
    else if (roles.includes("relying-party")) {
      res.locals.subscriber = { keyId: key.id, role: keyRole, department: key.department } satisfies Subscriber;
    } else res.locals.officer = { keyId: key.id, department: key.department, types: key.types } satisfies Officer;
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
