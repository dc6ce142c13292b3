import type { ApiKeyRole } from "../../ports.ts";

/** A stored role column as the port's union; anything unknown (never written by this code) is the least privileged officer. */
export function apiKeyRole(stored: unknown): ApiKeyRole {
  return stored === "admin" || stored === "relying-party" ? stored : "officer";
}
