import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeQrFragment, digitsForBytes, encodeQrFragment, qrUrl } from "../../../services/domain/qr-payload.ts";
import { isEProofError } from "../../../services/errors.ts";
import { propertyOptions } from "../../property-seed.ts";
import { BASE_URL, randomSignature, typicalClaimBytes } from "./typical-licence.ts";

function expectInvalidQr(text: string): void {
  let thrown: unknown;
  try {
    decodeQrFragment(text);
  } catch (error) {
    thrown = error;
  }
  if (!isEProofError(thrown, "INVALID_QR")) {
    throw new Error(`expected INVALID_QR for ${JSON.stringify(text.slice(0, 80))}, got ${String(thrown)}`);
  }
}

/** Decoding either fails with INVALID_QR or returns a payload; nothing else. */
function decodeOrInvalid(text: string): void {
  try {
    decodeQrFragment(text);
  } catch (error) {
    if (!isEProofError(error, "INVALID_QR")) throw new Error(`non-INVALID_QR error for ${JSON.stringify(text.slice(0, 80))}: ${String(error)}`);
  }
}

describe("QR payload", () => {
  it("round-trips the key number, claim bytes and signature of a typical licence", () => {
    const claimBytes = typicalClaimBytes();
    const signature = randomSignature();
    const fragment = encodeQrFragment({ keyNumber: 1, claimBytes, signature });
    expect(fragment).toMatch(/^1[0-9]+$/);
    expect(decodeQrFragment(fragment)).toEqual({ keyNumber: 1, claimBytes, signature });
  });

  it("reads the payload from a whole URL in any case, a bare fragment, with '#', or percent-encoded", () => {
    const payload = { keyNumber: 7, claimBytes: typicalClaimBytes(), signature: randomSignature() };
    const fragment = encodeQrFragment(payload);
    const url = qrUrl(BASE_URL, fragment);
    for (const text of [
      url,
      url.toLowerCase(),
      `https://eproof.example.gov.hk/verify#${fragment}`,
      fragment,
      `#${fragment}`,
      ` ${url}\n`,
      encodeURIComponent(url),
      encodeURIComponent(`#${fragment}`),
      `${BASE_URL}/verify%23${fragment}`,
    ]) {
      expect(decodeQrFragment(text)).toEqual(payload);
    }
  });

  it("round-trips random claims of many lengths, leading zero bytes and large key numbers", () => {
    const bytes = (length: number) => fc.uint8Array({ minLength: length, maxLength: length });
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 700 }),
        bytes(64),
        fc.oneof(fc.nat(1000), fc.integer({ min: 2 ** 31 - 1000, max: 2 ** 31 - 1 })),
        fc.boolean(),
        fc.boolean(),
        (claimBytes, signature, keyNumber, zeroClaimStart, zeroSignatureStart) => {
          if (zeroClaimStart) claimBytes[0] = 0;
          if (zeroSignatureStart) signature.fill(0, 0, 9);
          expect(decodeQrFragment(encodeQrFragment({ keyNumber, claimBytes, signature }))).toEqual({ keyNumber, claimBytes, signature });
        },
      ),
      propertyOptions({ numRuns: 300 }),
    );
  });

  it("maps a byte length to a digit count one to one", () => {
    for (let n = 1; n < 3000; n++) {
      expect(digitsForBytes(n)).toBeGreaterThan(digitsForBytes(n - 1));
      expect(digitsForBytes(n)).toBe(((1n << BigInt(8 * n)) - 1n).toString().length);
    }
    expect(digitsForBytes(7)).toBe(17);
  });

  it("refuses to encode a signature that is not 64 bytes or a bad key number", () => {
    const claimBytes = typicalClaimBytes();
    expect(() => encodeQrFragment({ keyNumber: 1, claimBytes, signature: new Uint8Array(63) })).toThrow(/64 bytes/);
    expect(() => encodeQrFragment({ keyNumber: -1, claimBytes, signature: randomSignature() })).toThrow(/keyNumber/);
    expect(() => encodeQrFragment({ keyNumber: 1.5, claimBytes, signature: randomSignature() })).toThrow(/keyNumber/);
  });

  it("reports INVALID_QR for malformed text", () => {
    const fragment = encodeQrFragment({ keyNumber: 1, claimBytes: typicalClaimBytes(), signature: randomSignature() });
    for (const text of [
      "",
      "#",
      `${BASE_URL}/VERIFY`,
      `${BASE_URL}/VERIFY#`,
      "hello world",
      `2${fragment.slice(1)}`,
      `${fragment}x`,
      `${fragment}0`,
      fragment.slice(0, -1),
      fragment.slice(0, 40),
      "1",
      "10",
      "%E0%A4%A",
      `1${"9".repeat(469)}`,
      "1".repeat(100_000),
    ]) {
      expectInvalidQr(text);
    }
  });

  it("never throws anything but INVALID_QR for random, truncated or mutated input (fuzz)", () => {
    const fragment = encodeQrFragment({ keyNumber: 1, claimBytes: typicalClaimBytes(), signature: randomSignature() });
    const url = qrUrl(BASE_URL, fragment);
    const alphabet = [..."0123456789#%/:.ABCxyz -_\u00e9\u4e00"];
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 600 }),
        fc.stringMatching(/^[0-9]{0,600}$/),
        fc.nat(url.length - 1),
        fc.integer({ min: 1, max: fragment.length - 1 }),
        fc.integer({ min: 1, max: 9 }),
        (random, digits, cut, at, shift) => {
          decodeOrInvalid(random);
          decodeOrInvalid(`1${digits}`);
          decodeOrInvalid(url.slice(0, cut));
          decodeOrInvalid(fragment.slice(0, at) + String((Number(fragment[at]) + shift) % 10) + fragment.slice(at + 1));
        },
      ),
      propertyOptions({ numRuns: 2000 }),
    );
  });
});
