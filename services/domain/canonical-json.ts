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
      if (Array.isArray(value)) {
        let out = "[";
        for (let i = 0; i < value.length; i += 1) out += `${i > 0 ? "," : ""}${canonicalJson(value[i] as JsonValue)}`;
        return `${out}]`;
      }
      const keys = Object.keys(value);
      // Default sort compares UTF-16 code units, as JCS requires; keys that change under NFC take the slow path.
      let ascii = true;
      for (const key of keys) {
        if (!ASCII.test(key)) {
          ascii = false;
          break;
        }
      }
      const present = ascii ? keys : keys.filter((key) => value[key] !== undefined);
      const sorted = ascii || !present.some((key) => key !== nfc(key)) ? present.sort() : normalisedKeys(present);
      let out = "{";
      for (const key of sorted) {
        const member = valueAt(value, key);
        if (member === undefined) continue;
        out += `${out.length > 1 ? "," : ""}${JSON.stringify(ascii ? key : nfc(key))}:${canonicalJson(member)}`;
      }
      return `${out}}`;
    }
    default:
      throw new EProofError("INVALID_DOCUMENT", `a ${typeof value} cannot be part of a document`);
  }
}

/** canonicalJson({ n: name, s: salt, v: value }), written directly (the keys are fixed and sorted). */
export function canonicalFieldJson(name: string, salt: string, value: JsonValue): string {
  return `{"n":${JSON.stringify(nfc(name))},"s":${JSON.stringify(nfc(salt))},"v":${canonicalJson(value)}}`;
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

/** Deep NFC normalisation of a JSON value (what is stored is what is hashed); ASCII strings are their own NFC. */
export function normaliseJson(value: JsonValue): JsonValue {
  if (typeof value === "string") return ASCII.test(value) ? value : value.normalize("NFC");
  if (Array.isArray(value)) return value.map(normaliseJson);
  if (value !== null && typeof value === "object") {
    const out: { [key: string]: JsonValue } = {};
    for (const key of Object.keys(value)) {
      const normalised = ASCII.test(key) ? key : key.normalize("NFC");
      const member = normaliseJson(value[key] as JsonValue);
      // An own "__proto__" (parsed JSON may hold one) stays a plain property, as Object.fromEntries makes it.
      if (normalised === "__proto__") Object.defineProperty(out, normalised, { value: member, enumerable: true, writable: true, configurable: true });
      else out[normalised] = member;
    }
    return out;
  }
  return value;
}
