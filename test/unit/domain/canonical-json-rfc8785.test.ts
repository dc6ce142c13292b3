/**
 * Field hashes use RFC 8785 after Unicode NFC (docs/standards.md). A stock RFC 8785 implementation
 * (canonicalize) agrees with ours on NFC text and gives other bytes, so another hash, for text that
 * is not NFC, e.g. a name typed with a CJK compatibility ideograph: a third party must normalise first.
 */
import canonicalizeModule from "canonicalize";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../../services/domain/canonical-json.ts";
import { fieldDigest } from "../../../services/domain/document-hash.ts";
import { keccak256 } from "../../../services/domain/keccak.ts";
import type { JsonValue } from "../../../services/domain/types.ts";

// A CommonJS module whose typings declare an ES default export: at run time the default import is the function itself.
const canonicalize = canonicalizeModule as unknown as (input: unknown) => string;

const SALT = "0123456789abcdef0123456789abcdef";

describe("RFC 8785 after NFC, against a stock RFC 8785 library", () => {
  it("agrees with canonicalize byte for byte on NFC text, so a field digest can be recomputed with it", () => {
    const value: JsonValue = { name: { en: "CHAN Tai Man", "zh-HK": "陳大文" }, idMasked: "A123***(4)", n: [1, 2.5, 1e21] };
    expect(canonicalJson(value)).toBe(canonicalize(value));
    expect(fieldDigest("holder", value, SALT)).toBe(keccak256(canonicalize({ n: "holder", s: SALT, v: value })));
  });

  it("differs from canonicalize for a CJK compatibility ideograph (U+F900), which NFC maps to U+8C48", () => {
    const typed: JsonValue = { "zh-HK": "\uf900大文" };
    expect(canonicalize(typed)).not.toBe(canonicalJson(typed));
    expect(canonicalize({ "zh-HK": "\uf900大文".normalize("NFC") })).toBe(canonicalJson(typed));
  });
});
