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

const CACHE_MS = 10_000;

export function requireOfficer(store: Store): RequestHandler {
  const cache = new Map<string, { key: ApiKeyRecord | null; until: number }>();
  return async (req, res, next) => {
    const header = req.get("authorization") ?? "";
    const match = /^Bearer\s+(\S{10,200})$/i.exec(header);
    if (!match) {
      next(new EProofError("UNAUTHORISED", "send your department's API key as 'Authorization: Bearer <apiKey>'"));
      return;
    }
    const hash = hashApiKey(String(match[1]));
    let entry = cache.get(hash);
    if (!entry || entry.until < Date.now()) {
      entry = { key: await store.findApiKey(hash), until: Date.now() + CACHE_MS };
      if (cache.size > 10_000) cache.clear();
      cache.set(hash, entry);
    }
    if (!entry.key || entry.key.revoked) {
      next(new EProofError("UNAUTHORISED", "this API key is not valid (unknown or revoked)"));
      return;
    }
    res.locals.officer = { keyId: entry.key.id, department: entry.key.department, types: entry.key.types } satisfies Officer;
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
