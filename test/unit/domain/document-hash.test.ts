import { keccak256, toUtf8Bytes } from "ethers";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../../services/domain/canonical-json.ts";
import { computeDocumentHash, documentHash, fieldDigest, makeSalts } from "../../../services/domain/document-hash.ts";
import { prepareDocument } from "../../../services/domain/issue-document.ts";
import type { DocumentHeader, Hex, JsonValue } from "../../../services/domain/types.ts";
import { isEProofError } from "../../../services/errors.ts";
import { hex, ISSUED_AT, seededRandom, typicalLicence } from "./fixtures.ts";

const SALT_A = "00112233445566778899aabbccddeeff";
const SALT_B = "ffeeddccbbaa99887766554433221100";

function preparedLicence(seed: string) {
  const random = seededRandom(seed);
  const data = typicalLicence();
  return prepareDocument({ type: "licence", data, issuer: "DEMO", issuedAt: ISSUED_AT, id: hex(random(16)), salts: makeSalts(Object.keys(data), random) });
}

function expectInvalidDocument(run: () => unknown, because: string): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(isEProofError(thrown, "INVALID_DOCUMENT"), `${because}: expected INVALID_DOCUMENT, got ${String(thrown)}`).toBe(true);
}

describe("field digests", () => {
  it("equals keccak256 of canonicalJson({ n, s, v }) for any name and value (names and strings normalised to NFC, keys sorted)", () => {
    const values: JsonValue[] = [
      "FFL",
      "Cafe\u0301 陳大文",
      42,
      -0.5,
      true,
      null,
      [],
      {},
      { zh: "貨車", en: "Truck", a: [1, { b: "e\u0301" }] },
      ["x", 1, null],
    ];
    for (const name of ["documentNumber", "cafe\u0301", "名稱", "__proto__"]) {
      for (const value of values) {
        expect(fieldDigest(name, value, SALT_A)).toBe(keccak256(toUtf8Bytes(canonicalJson({ n: name, s: SALT_A, v: value }))));
      }
    }
    const header: DocumentHeader = { id: "0".repeat(32), type: "licence", typeVersion: 1, issuer: "DEMO", issuedAt: ISSUED_AT };
    const digests = { b: `0x${"1".repeat(64)}`, a: `0x${"2".repeat(64)}` } as Record<string, Hex>;
    expect(documentHash(header, digests)).toBe(keccak256(toUtf8Bytes(canonicalJson({ header: { ...header }, fields: digests }))));
  });

  it("is keccak256 of the canonical JSON of {n, s, v}", () => {
    const text = `{"n":"documentNumber","s":"${SALT_A}","v":"FFL-2026-004217"}`;
    expect(fieldDigest("documentNumber", "FFL-2026-004217", SALT_A)).toBe(keccak256(toUtf8Bytes(text)));
  });

  it("changes with the salt, the value and the field name, and not otherwise", () => {
    const digest = fieldDigest("documentNumber", "FFL-2026-004217", SALT_A);
    expect(fieldDigest("documentNumber", "FFL-2026-004217", SALT_A)).toBe(digest);
    expect(fieldDigest("documentNumber", "FFL-2026-004217", SALT_B)).not.toBe(digest);
    expect(fieldDigest("documentNumber", "FFL-2026-004218", SALT_A)).not.toBe(digest);
    expect(fieldDigest("title", "FFL-2026-004217", SALT_A)).not.toBe(digest);
  });

  it("does not depend on the key order of an object value", () => {
    expect(fieldDigest("title", { en: "Licence", "zh-HK": "牌照" }, SALT_A)).toBe(fieldDigest("title", { "zh-HK": "牌照", en: "Licence" }, SALT_A));
  });
});

describe("document hash", () => {
  it("covers every header field", () => {
    const prepared = preparedLicence("header");
    const digests = Object.fromEntries(Object.entries(prepared.data).map(([n, v]) => [n, fieldDigest(n, v, prepared.salts[n] as string)]));
    expect(documentHash(prepared.header, digests)).toBe(prepared.documentHash);
    const changes: Partial<DocumentHeader>[] = [
      { id: "0".repeat(32) },
      { type: "permit" },
      { typeVersion: 2 },
      { issuer: "OTHER" },
      { issuedAt: "2026-11-22T10:00:01Z" },
    ];
    for (const change of changes) expect(documentHash({ ...prepared.header, ...change }, digests), JSON.stringify(change)).not.toBe(prepared.documentHash);
  });

  it("changes when any field's value or salt changes", () => {
    const prepared = preparedLicence("fields");
    for (const name of Object.keys(prepared.data)) {
      const data = { ...prepared.data, [name]: "changed" };
      expect(computeDocumentHash({ header: prepared.header, data, salts: prepared.salts }), name).not.toBe(prepared.documentHash);
      const salts = { ...prepared.salts, [name]: SALT_B };
      expect(computeDocumentHash({ header: prepared.header, data: prepared.data, salts }), name).not.toBe(prepared.documentHash);
    }
  });

  it("is the same when a field is withheld and its digest stands in for it", () => {
    const prepared = preparedLicence("hidden");
    const { premises, ...data } = prepared.data;
    const { premises: salt, ...salts } = prepared.salts;
    const hidden = { premises: fieldDigest("premises", premises as JsonValue, salt as string) };
    expect(computeDocumentHash({ header: prepared.header, data, salts, hidden })).toBe(prepared.documentHash);
  });

  it("hashes composed and decomposed text the same once prepared (NFC at issuance)", () => {
    const random = () => seededRandom("nfc");
    const prepare = (name: string) => {
      const r = random();
      const data = { ...typicalLicence(), holder: { name: { en: name, "zh-HK": "陳大文" }, idMasked: "A123***(4)" } };
      return prepareDocument({ type: "licence", data, issuer: "DEMO", issuedAt: ISSUED_AT, id: hex(r(16)), salts: makeSalts(Object.keys(data), r) });
    };
    const composed = prepare("Ren\u00e9e CHAN");
    const decomposed = prepare("Rene\u0301e CHAN");
    expect(decomposed.documentHash).toBe(composed.documentHash);
    expect((decomposed.data.holder as { name: { en: string } }).name.en).toBe("Ren\u00e9e CHAN");
  });

  it("refuses a document missing a salt, or with a malformed salt, as INVALID_DOCUMENT", () => {
    const { header, data, salts } = preparedLicence("salts");
    const { holder: _omitted, ...withoutHolderSalt } = salts;
    expectInvalidDocument(() => computeDocumentHash({ header, data, salts: withoutHolderSalt }), "missing salt");
    for (const bad of ["", "00112233", SALT_A.toUpperCase(), `${SALT_A}00`, "zz112233445566778899aabbccddeeff", 42, null]) {
      expectInvalidDocument(() => computeDocumentHash({ header, data, salts: { ...salts, holder: bad as string } }), `salt ${String(bad)}`);
    }
  });

  it("refuses a field both disclosed and hidden, a malformed hidden digest and a salt without a field", () => {
    const { header, data, salts } = preparedLicence("both");
    const digest = fieldDigest("premises", data.premises as JsonValue, salts.premises as string);
    expectInvalidDocument(() => computeDocumentHash({ header, data, salts, hidden: { premises: digest } }), "disclosed and hidden");
    const { premises: _p, ...rest } = data;
    const { premises: _s, ...restSalts } = salts;
    for (const bad of ["0x1234", digest.toUpperCase(), digest.slice(2), 7]) {
      expectInvalidDocument(() => computeDocumentHash({ header, data: rest, salts: restSalts, hidden: { premises: bad as Hex } }), `digest ${String(bad)}`);
    }
    expectInvalidDocument(() => computeDocumentHash({ header, data: rest, salts }), "salt without its field");
  });

  it("counts a field named like an Object.prototype member (__proto__, toString) in the hash", () => {
    const { header, data, salts } = preparedLicence("proto");
    const original = computeDocumentHash({ header, data, salts });
    // A holder's file is parsed JSON, where "__proto__" is an ordinary own key.
    const withProto = JSON.parse(
      JSON.stringify({ data, salts })
        .replace('{"documentNumber"', '{"__proto__":"unsigned text","documentNumber"')
        .replace(`{"documentNumber":"${salts.documentNumber}"`, `{"__proto__":"${SALT_A}","documentNumber":"${salts.documentNumber}"`),
    ) as { data: Record<string, JsonValue>; salts: Record<string, string> };
    expect(Object.hasOwn(withProto.data, "__proto__") && Object.hasOwn(withProto.salts, "__proto__")).toBe(true);
    expect(computeDocumentHash({ header, ...withProto })).not.toBe(original);
    expectInvalidDocument(() => computeDocumentHash({ header, data, salts: { ...salts, toString: SALT_A } }), "salt named toString without a field");
  });
});

describe("salts", () => {
  it("gives each field 16 bytes of the random source as 32 lowercase hex characters", () => {
    const requested: number[] = [];
    const random = seededRandom("makeSalts");
    const salts = makeSalts(["a", "b", "c"], (length) => {
      requested.push(length);
      return random(length);
    });
    expect(Object.keys(salts)).toEqual(["a", "b", "c"]);
    expect(requested).toEqual([16, 16, 16]);
    for (const salt of Object.values(salts)) expect(salt).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(Object.values(salts)).size).toBe(3);
    expect(makeSalts(["a", "b", "c"], seededRandom("makeSalts"))).toEqual(salts);
  });
});
