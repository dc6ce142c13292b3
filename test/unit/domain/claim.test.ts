import { encode } from "cbor-x";
import { describe, expect, it } from "vitest";
import { claimFromDocument, decodeClaim, encodeClaim, unixSeconds } from "../../../services/domain/claim.ts";
import { makeSalts } from "../../../services/domain/document-hash.ts";
import { prepareDocument } from "../../../services/domain/issue-document.ts";
import type { JsonValue } from "../../../services/domain/types.ts";
import { isEProofError } from "../../../services/errors.ts";
import { hex, ISSUED_AT, seededRandom, typicalLicence } from "./fixtures.ts";

function preparedLicence(seed: string, data: Record<string, JsonValue> = typicalLicence()) {
  const random = seededRandom(seed);
  return prepareDocument({ type: "licence", data, issuer: "DEMO", issuedAt: ISSUED_AT, id: hex(random(16)), salts: makeSalts(Object.keys(data), random) });
}

/** Either a well-formed claim or INVALID_CLAIM; any other outcome fails with the offending input. */
function decodeOrInvalid(bytes: Uint8Array): "decoded" | "refused" {
  try {
    const claim = decodeClaim(bytes);
    expect(claim.id).toMatch(/^[0-9a-f]{32}$/);
    expect(claim.documentHash).toMatch(/^0x[0-9a-f]{64}$/);
    return "decoded";
  } catch (error) {
    if (!isEProofError(error, "INVALID_CLAIM")) throw new Error(`non-INVALID_CLAIM error for ${hex(bytes).slice(0, 120)}: ${String(error)}`);
    return "refused";
  }
}

function expectInvalidClaim(bytes: Uint8Array, because: string): void {
  expect(decodeOrInvalid(bytes), because).toBe("refused");
}

describe("the signed claim", () => {
  it("round-trips the claim of the typical licence", () => {
    const prepared = preparedLicence("round-trip");
    expect(decodeClaim(prepared.claimBytes)).toEqual(prepared.claim);
    expect(decodeClaim(encodeClaim(prepared.claim))).toEqual(prepared.claim);
  });

  it("carries the header, the document hash and exactly the licence's key facts", () => {
    const prepared = preparedLicence("facts");
    const data = typicalLicence();
    expect(prepared.claim).toEqual({
      id: prepared.header.id,
      type: "licence",
      typeVersion: 1,
      issuer: "DEMO",
      issuedAt: unixSeconds(ISSUED_AT),
      documentHash: prepared.documentHash,
      facts: { documentNumber: data.documentNumber, holder: data.holder, validFrom: data.validFrom, validUntil: data.validUntil },
    });
  });

  it("takes a subsidy agreement's beneficiary, not a holder, as a key fact", () => {
    const header = { id: "ab".repeat(16), type: "subsidy-agreement", typeVersion: 1, issuer: "DEMO", issuedAt: ISSUED_AT };
    const beneficiary = { name: { en: "Wing Fat Trading Limited", "zh-HK": "榮發貿易有限公司" }, registrationNumber: "3124587" };
    const claim = claimFromDocument(
      header,
      { documentNumber: "SME-1", beneficiary, scheme: { en: "x", "zh-HK": "x" }, validFrom: "2026-01-01", validUntil: "2027-01-01" },
      `0x${"11".repeat(32)}`,
    );
    expect(claim.facts).toEqual({ documentNumber: "SME-1", beneficiary, validFrom: "2026-01-01", validUntil: "2027-01-01" });
  });

  it("round-trips facts with CJK, emoji and NFC text", () => {
    const data = { ...typicalLicence(), holder: { name: { en: "Rene\u0301e 😀", "zh-HK": "陳大文𠀀" }, idMasked: "A123***(4)" } };
    const prepared = preparedLicence("unicode", data);
    const decoded = decodeClaim(prepared.claimBytes);
    expect((decoded.facts.holder as { name: { en: string } }).name.en).toBe("Ren\u00e9e 😀");
    expect(decoded).toEqual(prepared.claim);
  });

  it("reads issuedAt as whole unix seconds", () => {
    expect(unixSeconds("2026-11-22T10:00:00Z")).toBe(1_795_341_600);
    expect(unixSeconds("2026-11-22T18:00:00.999+08:00")).toBe(1_795_341_600);
  });

  it("refuses claims of the wrong shape with INVALID_CLAIM", () => {
    const good = preparedLicence("shape").claim;
    const fields = [
      1,
      Buffer.from(good.id, "hex"),
      good.type,
      good.typeVersion,
      good.issuer,
      good.issuedAt,
      Buffer.from(good.documentHash.slice(2), "hex"),
      good.facts,
    ];
    const variant = (index: number, value: unknown) => encode(fields.map((f, i) => (i === index ? value : f)));
    expect(decodeOrInvalid(encode(fields))).toBe("decoded");
    const cases: [string, Uint8Array][] = [
      ["seven items", encode(fields.slice(0, 7))],
      ["nine items", encode([...fields, 0])],
      ["not an array", encode({ ...fields })],
      ["format 2", variant(0, 2)],
      ["format '1'", variant(0, "1")],
      ["15-byte id", variant(1, Buffer.alloc(15))],
      ["hex-string id", variant(1, good.id)],
      ["numeric type", variant(2, 1)],
      ["fractional typeVersion", variant(3, 1.5)],
      ["lowercase issuer", variant(4, "demo")],
      ["one-letter issuer", variant(4, "D")],
      ["negative issuedAt", variant(5, -1)],
      ["string issuedAt", variant(5, ISSUED_AT)],
      ["31-byte hash", variant(6, Buffer.alloc(31))],
      ["array facts", variant(7, [])],
      ["null facts", variant(7, null)],
      ["date in facts", variant(7, { validFrom: new Date(0) })],
      ["NaN in facts", variant(7, { n: Number.NaN })],
      ["too deeply nested facts", variant(7, { a: { b: { c: { d: { e: { f: { g: { h: { i: { j: 1 } } } } } } } } } })],
      ["empty input", new Uint8Array(0)],
    ];
    for (const [because, bytes] of cases) expectInvalidClaim(bytes, because);
  });

  it("refuses thousands of random, truncated and bit-flipped inputs with INVALID_CLAIM and nothing else", () => {
    const random = seededRandom("claim-fuzz");
    const claimBytes = preparedLicence("fuzz").claimBytes;
    const outcomes = { decoded: 0, refused: 0 };
    for (let i = 0; i < 2_000; i += 1) {
      const length = (random(1)[0] as number) % 96;
      outcomes[decodeOrInvalid(random(length))] += 1;
    }
    for (let length = 0; length < claimBytes.length; length += 1) expectInvalidClaim(claimBytes.subarray(0, length), `truncated to ${length} bytes`);
    for (let i = 0; i < 2_000; i += 1) {
      const mutated = Uint8Array.from(claimBytes);
      const at = ((random(2)[0] as number) * 256 + (random(1)[0] as number)) % mutated.length;
      mutated[at] = (mutated[at] as number) ^ (1 << ((random(1)[0] as number) % 8));
      outcomes[decodeOrInvalid(mutated)] += 1;
    }
    for (const prefix of [0x9f, 0xbf, 0xd9, 0xd8, 0xc0, 0xfb, 0x5b, 0x7b, 0x9b]) {
      for (let i = 0; i < 100; i += 1) outcomes[decodeOrInvalid(Uint8Array.from([prefix, ...random(i % 40)]))] += 1;
    }
    expect(outcomes.refused).toBeGreaterThan(3_000);
  });
});
