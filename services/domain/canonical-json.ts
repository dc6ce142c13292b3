/**
 * Canonical JSON: RFC 8785 (JCS) after Unicode NFC of every string, keys and values alike, so that
 * "陳大文" typed on any keyboard hashes the same. JS's own number and string serialisation are
 * the ones JCS specifies; what is left is key order (UTF-16 code units) and refusing what JSON
 * cannot say.
 */
import { EProofError } from "../errors.ts";
import type { JsonValue } from "./types.ts";

export function canonicalJson(value: JsonValue): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) throw new EProofError("INVALID_DOCUMENT", "numbers must be finite (no NaN or Infinity)");
      return JSON.stringify(value);
    case "string":
      return JSON.stringify(value.normalize("NFC"));
    case "object": {
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
      const entries = new Map<string, JsonValue>();
      for (const [key, item] of Object.entries(value)) {
        if (item === undefined) continue;
        const normalised = key.normalize("NFC");
        if (entries.has(normalised)) throw new EProofError("INVALID_DOCUMENT", `two keys are the same after Unicode normalisation: "${normalised}"`);
        entries.set(normalised, item);
      }
      const keys = [...entries.keys()].sort(); // default sort compares UTF-16 code units, as JCS requires
      return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(entries.get(key) as JsonValue)}`).join(",")}}`;
    }
    default:
      throw new EProofError("INVALID_DOCUMENT", `a ${typeof value} cannot be part of a document`);
  }
}

/** Deep NFC normalisation of a JSON value (what is stored is what is hashed). */
export function normaliseJson(value: JsonValue): JsonValue {
  if (typeof value === "string") return value.normalize("NFC");
  if (Array.isArray(value)) return value.map(normaliseJson);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.normalize("NFC"), normaliseJson(v)]));
  }
  return value;
}
