/**
 * Canonical JSON: RFC 8785 (JCS) after Unicode NFC of every string, keys and values alike, so that
 * "陳大文" typed on any keyboard hashes the same. JS's own number and string serialisation are
 * the ones JCS specifies; what is left is key order (UTF-16 code units) and refusing what JSON
 * cannot say.
 */
import { EProofError } from "./errors.ts";
import type { JsonValue } from "./types.ts";

/** ASCII is its own NFC and always well formed: most keys and many values skip the ICU call. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range starts at U+0000 on purpose.
const ASCII = /^[\x00-\x7f]*$/;

function nfc(text: string): string {
  if (ASCII.test(text)) return text;
  if (!text.isWellFormed()) throw new EProofError("INVALID_DOCUMENT", "a string holds a lone UTF-16 surrogate (RFC 8785 refuses it)");
  return text.normalize("NFC");
}

export function canonicalJson(value: JsonValue): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) throw new EProofError("INVALID_DOCUMENT", "numbers must be finite (no NaN or Infinity)");
      return JSON.stringify(value);
    case "string":
      return JSON.stringify(nfc(value));
    case "object": {
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
      const present = Object.keys(value).filter((key) => value[key] !== undefined);
      // Default sort compares UTF-16 code units, as JCS requires; keys that change under NFC take the slow path.
      const keys = present.some((key) => key !== nfc(key)) ? normalisedKeys(present) : present.sort();
      let out = "{";
      for (const key of keys) out += `${out.length > 1 ? "," : ""}${JSON.stringify(nfc(key))}:${canonicalJson(valueAt(value, key))}`;
      return `${out}}`;
    }
    default:
      throw new EProofError("INVALID_DOCUMENT", `a ${typeof value} cannot be part of a document`);
  }
}

/** Keys as written, refusing two that are the same after NFC. */
function normalisedKeys(keys: string[]): string[] {
  const seen = new Set<string>();
  for (const key of keys) {
    const normalised = nfc(key);
    if (seen.has(normalised)) throw new EProofError("INVALID_DOCUMENT", `two keys are the same after Unicode normalisation: "${normalised}"`);
    seen.add(normalised);
  }
  return keys.sort((a, b) => {
    const x = nfc(a);
    const y = nfc(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

function valueAt(value: { [key: string]: JsonValue }, key: string): JsonValue {
  return value[key] as JsonValue;
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
