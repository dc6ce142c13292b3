import { describe, expect, it } from "vitest";
import { canonicalJson, normaliseJson } from "../../../services/domain/canonical-json.ts";
import { fieldDigest } from "../../../services/domain/document-hash.ts";
import type { JsonValue } from "../../../services/domain/types.ts";
import { isEProofError } from "../../../services/errors.ts";
import { seededRandom } from "./fixtures.ts";

function expectInvalidDocument(run: () => unknown): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(isEProofError(thrown, "INVALID_DOCUMENT"), `expected INVALID_DOCUMENT, got ${String(thrown)}`).toBe(true);
}

function numberFromIeee(bits: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${bits}`));
  return view.getFloat64(0);
}

describe("canonical JSON (RFC 8785 after NFC)", () => {
  it("reproduces the RFC 8785 §3.2.2 example byte for byte", () => {
    const input = JSON.parse(String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`) as JsonValue;
    expect(canonicalJson(input)).toBe(
      String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`,
    );
  });

  it("sorts keys by UTF-16 code units as in RFC 8785 §3.2.3 (with U+FB01 standing in for U+FB33)", () => {
    const input = JSON.parse(
      String.raw`{"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb01":"Ligature fi","1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis"}`,
    ) as JsonValue;
    // Read the key order off the text: JSON.parse would move the integer-like key "1" to the front.
    const keys = [...canonicalJson(input).matchAll(/"((?:[^"\\]|\\.)*)":/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);
    expect(keys).toEqual(["\r", "1", "\u0080", "\u00f6", "\u20ac", "\ud83d\ude00", "\ufb01"]);
  });

  it("decomposes the RFC's own U+FB33 key under NFC, which moves it among the Hebrew letters", () => {
    // U+FB33 is a composition exclusion: NFC turns it into U+05D3 U+05BC, so it sorts before U+20AC.
    expect(canonicalJson({ "\u20ac": 1, "\ufb33": 2 })).toBe('{"\u05d3\u05bc":2,"\u20ac":1}');
  });

  it("orders CJK and supplementary-plane keys by code unit, not by code point", () => {
    // U+20000 is the surrogate pair D840 DC00, which sorts before U+FF01 in UTF-16 though after it by code point.
    const value = { "！": 1, 𠀀: 2, 陳: 3, 大: 4, 文: 5, a: 6, Z: 7 };
    expect(canonicalJson(value)).toBe('{"Z":7,"a":6,"大":4,"文":5,"陳":3,"𠀀":2,"！":1}');
  });

  it("writes numbers the way RFC 8785 Appendix B does", () => {
    const vectors: [string, string][] = [
      ["0000000000000000", "0"],
      ["8000000000000000", "0"],
      ["0000000000000001", "5e-324"],
      ["8000000000000001", "-5e-324"],
      ["7fefffffffffffff", "1.7976931348623157e+308"],
      ["ffefffffffffffff", "-1.7976931348623157e+308"],
      ["4340000000000000", "9007199254740992"],
      ["c340000000000000", "-9007199254740992"],
      ["4430000000000000", "295147905179352830000"],
      ["44b52d02c7e14af5", "9.999999999999997e+22"],
      ["44b52d02c7e14af6", "1e+23"],
      ["3eb0c6f7a0b5ed8d", "0.000001"],
      ["41b3de4355555555", "333333333.3333333"],
      ["444b1ae4d6e2ef50", "1e+21"],
      ["3e7ad7f29abcaf48", "1e-7"],
    ];
    for (const [bits, text] of vectors) expect(canonicalJson(numberFromIeee(bits)), bits).toBe(text);
  });

  it("writes 1e21, 1e-7, -0 and 0.1+0.2 as ECMAScript does", () => {
    expect(canonicalJson([1e21, 1e20, 1e-7, 1e-6, -0, 0.1 + 0.2, 4.5, 100, -1.5])).toBe(
      "[1e+21,100000000000000000000,1e-7,0.000001,0,0.30000000000000004,4.5,100,-1.5]",
    );
  });

  it("escapes only what JSON must: quote, backslash and control characters, lowercase hex", () => {
    const value = '"\\/\b\f\n\r\t\u0000\u001f\u007f\u2028é陳😀';
    expect(canonicalJson(value)).toBe(`${String.raw`"\"\\/\b\f\n\r\t\u0000\u001f`}\u007f\u2028é陳😀"`);
  });

  it("writes literals, empty containers and nested arrays without whitespace", () => {
    expect(canonicalJson({ b: [], a: {}, c: [null, true, false, [1, [2]]], d: "" })).toBe('{"a":{},"b":[],"c":[null,true,false,[1,[2]]],"d":""}');
  });

  it("leaves out object members whose value is undefined, as JSON.stringify does", () => {
    expect(canonicalJson({ a: 1, b: undefined } as unknown as JsonValue)).toBe('{"a":1}');
  });

  it("hashes a composed and a decomposed string the same (NFC), in values and in keys", () => {
    const composed = "Caf\u00e9 \u9673\u5927\u6587";
    const decomposed = "Cafe\u0301 \u9673\u5927\u6587";
    expect(composed).not.toBe(decomposed);
    expect(canonicalJson({ [composed]: composed })).toBe(canonicalJson({ [decomposed]: decomposed }));
    const salt = "00112233445566778899aabbccddeeff";
    expect(fieldDigest("title", { en: decomposed }, salt)).toBe(fieldDigest("title", { en: composed }, salt));
  });

  it("sorts keys by their NFC form, not as written", () => {
    // "e\u0301" sorts before "f" as written, but its NFC form "\u00e9" sorts after it.
    expect(canonicalJson({ f: 1, "e\u0301": 2, d: 3 })).toBe('{"d":3,"f":1,"\u00e9":2}');
    expect(canonicalJson({ "\u8c49": 1, "\uf900": 2, "\u8c47": 3 })).toBe('{"\u8c47":3,"\u8c48":2,"\u8c49":1}');
  });

  it("maps CJK compatibility ideographs to their unified form (U+F900 → U+8C48)", () => {
    expect(canonicalJson("\uf900")).toBe(canonicalJson("\u8c48"));
    expect(canonicalJson({ "\ufb01": 1 })).toBe('{"ﬁ":1}'); // NFC keeps compatibility ligatures (only NFKC folds them)
  });

  it("refuses NaN and ±Infinity anywhere in the value", () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expectInvalidDocument(() => canonicalJson(bad));
      expectInvalidDocument(() => canonicalJson({ a: [1, { b: bad }] }));
    }
  });

  it("refuses a lone UTF-16 surrogate in a value or a key, as RFC 8785 requires", () => {
    for (const value of ["\ud800", "a\udc00b", { "\ud83d": 1 }, ["ok", "\udfff"]] as JsonValue[]) {
      expect(() => canonicalJson(value)).toThrow(expect.objectContaining({ code: "INVALID_DOCUMENT" }));
    }
    expect(canonicalJson("\ud83d\ude00")).toBe('"😀"');
  });

  it("refuses two keys that are the same after Unicode normalisation", () => {
    expectInvalidDocument(() => canonicalJson({ "\u00e9": 1, "e\u0301": 2 }));
    expectInvalidDocument(() => canonicalJson({ nested: { "\u212b": 1, "\u00c5": 2 } })); // Angstrom sign vs Å
  });

  it("refuses values JSON cannot carry (bigint, function, symbol)", () => {
    for (const bad of [10n, () => 1, Symbol("s")]) expectInvalidDocument(() => canonicalJson({ a: bad } as unknown as JsonValue));
  });

  it("normaliseJson applies NFC to keys and values deeply and keeps the shape", () => {
    const value = { "e\u0301": ["Cafe\u0301", 1, null, { "A\u030a": true }] };
    expect(normaliseJson(value)).toEqual({ "\u00e9": ["Caf\u00e9", 1, null, { "\u00c5": true }] });
  });

  describe("properties over random JSON", () => {
    const alphabet = ["a", "b", "Z", "1", "é", "e\u0301", "陳", "大", "😀", "𠀀", "！", "\n", '"', "\\", "\u0000", " "];

    function randomJson(next: () => number, depth: number): JsonValue {
      const kind = Math.floor(next() * (depth > 3 ? 4 : 6));
      const str = () => Array.from({ length: Math.floor(next() * 5) }, () => alphabet[Math.floor(next() * alphabet.length)]).join("");
      switch (kind) {
        case 0:
          return null;
        case 1:
          return next() < 0.5;
        case 2: {
          const choices = [0, -0, 1, -1, 0.5, 1e21, 1e-7, 123456789.123, Number.MAX_SAFE_INTEGER, next() * 1e6 - 5e5, 5e-324];
          return choices[Math.floor(next() * choices.length)] as number;
        }
        case 3:
          return str();
        case 4:
          return Array.from({ length: Math.floor(next() * 4) }, () => randomJson(next, depth + 1));
        default: {
          const object: Record<string, JsonValue> = {};
          for (let i = Math.floor(next() * 5); i > 0; i -= 1) object[str().normalize("NFC")] = randomJson(next, depth + 1);
          return object;
        }
      }
    }

    function shuffledKeys(value: JsonValue, next: () => number): JsonValue {
      if (Array.isArray(value)) return value.map((v) => shuffledKeys(v, next));
      if (value === null || typeof value !== "object") return value;
      const entries = Object.entries(value).sort(() => next() - 0.5);
      return Object.fromEntries(entries.map(([k, v]) => [k, shuffledKeys(v, next)]));
    }

    it("is independent of key insertion order, parses back, and is a fixed point", () => {
      const bytes = seededRandom("canonical-json-properties");
      const next = () => (bytes(4).reduce((a, b) => a * 256 + b, 0) >>> 0) / 2 ** 32;
      for (let i = 0; i < 500; i += 1) {
        const value = randomJson(next, 0);
        const text = canonicalJson(value);
        expect(canonicalJson(shuffledKeys(value, next))).toBe(text);
        const parsed = JSON.parse(text) as JsonValue;
        expect(canonicalJson(parsed)).toBe(text);
        expect(parsed).toEqual(JSON.parse(JSON.stringify(normaliseJson(value))));
      }
    });
  });
});
