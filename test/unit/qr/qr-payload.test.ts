import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { qrUrl } from "../../../services/adapters/qr/qr-code.ts";
import { decodeQrFragment, digitsForBytes, encodeQrFragment } from "../../../services/adapters/qr/qr-payload.ts";
import { isEProofError } from "../../../services/errors.ts";
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
    for (let i = 0; i < 300; i++) {
      const claimBytes = Uint8Array.from(randomBytes(1 + (i % 97) * 7));
      if (i % 3 === 0) claimBytes[0] = 0;
      const signature = randomSignature();
      if (i % 5 === 0) signature.fill(0, 0, 9);
      const keyNumber = i % 4 === 0 ? 2 ** 31 - 1 - i : i;
      expect(decodeQrFragment(encodeQrFragment({ keyNumber, claimBytes, signature }))).toEqual({ keyNumber, claimBytes, signature });
    }
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
    const alphabet = "0123456789#%/:.ABCxyz -_\u00e9\u4e00";
    for (let i = 0; i < 2000; i++) {
      const length = Math.floor(Math.random() * 600);
      let random = "";
      for (let j = 0; j < length; j++) random += alphabet[Math.floor(Math.random() * alphabet.length)];
      decodeOrInvalid(random);
      decodeOrInvalid(`1${Array.from(randomBytes(length), (b) => b % 10).join("")}`);
      decodeOrInvalid(url.slice(0, Math.floor(Math.random() * url.length)));
      const at = 1 + Math.floor(Math.random() * (fragment.length - 1));
      const mutated = fragment.slice(0, at) + String((Number(fragment[at]) + 1 + (i % 9)) % 10) + fragment.slice(at + 1);
      decodeOrInvalid(mutated);
    }
  });
});
