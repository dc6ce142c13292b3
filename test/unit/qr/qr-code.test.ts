import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { qrSegments, qrVersion, renderQrPng, renderQrSvg } from "../../../services/adapters/qr/qr-code.ts";
import { decodeQrFragment, encodeQrFragment, qrUrl } from "../../../services/domain/qr-payload.ts";
import { isEProofError } from "../../../services/errors.ts";
import { readQrFromPng } from "./read-qr-image.ts";
import { BASE_URL, randomSignature, typicalClaimBytes } from "./typical-licence.ts";

function typicalUrl(withLongFields = false): { url: string; claimBytes: Uint8Array; signature: Uint8Array } {
  const claimBytes = typicalClaimBytes(withLongFields);
  const signature = randomSignature();
  return { url: qrUrl(BASE_URL, encodeQrFragment({ keyNumber: 1, claimBytes, signature })), claimBytes, signature };
}

describe("QR code", () => {
  it("builds an upper-case verify URL with the payload in the fragment", () => {
    expect(qrUrl("http://localhost:8080/", "1234")).toBe("HTTP://LOCALHOST:8080/VERIFY#1234");
    expect(qrSegments("HTTP://LOCALHOST:8080/VERIFY#1234")).toEqual([
      { mode: "alphanumeric", data: "HTTP://LOCALHOST:8080/VERIFY" },
      { mode: "byte", data: Buffer.from("#") },
      { mode: "numeric", data: "1234" },
    ]);
    expect(qrSegments("https://x.example/verify#ab")[0]).toEqual({ mode: "byte", data: Buffer.from("https://x.example/verify") });
  });

  it("fits a typical bilingual licence in version 16 or less at level Q", () => {
    const short = qrVersion(typicalUrl().url);
    const withLongFields = qrVersion(typicalUrl(true).url);
    console.info(`typical licence QR: version ${short}-Q; with title, premises and conditions: ${withLongFields}-Q`);
    expect(short).toBeLessThanOrEqual(20);
    expect(short).toBeLessThanOrEqual(16);
  });

  it("round-trips through a PNG image read by a QR scanner", async () => {
    const { url, claimBytes, signature } = typicalUrl();
    const png = await renderQrPng(url);
    expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");
    const scanned = readQrFromPng(png);
    expect(scanned).toBe(url);
    expect(decodeQrFragment(scanned as string)).toEqual({ keyNumber: 1, claimBytes, signature });
  });

  it("renders an SVG of the same symbol", async () => {
    const { url } = typicalUrl();
    const svg = await renderQrSvg(url);
    expect(svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    const modules = 4 * qrVersion(url) + 17 + 2 * 4;
    expect(svg).toContain(`viewBox="0 0 ${modules} ${modules}"`);
  });

  it("reports INVALID_QR 'too large' for a payload beyond version 40-Q", async () => {
    const claimBytes = Uint8Array.from(randomBytes(4000));
    const url = qrUrl(BASE_URL, encodeQrFragment({ keyNumber: 1, claimBytes, signature: randomSignature() }));
    expect(() => qrVersion(url)).toThrow(/too large/);
    await expect(renderQrPng(url)).rejects.toSatisfy((error) => isEProofError(error, "INVALID_QR"));
    await expect(renderQrSvg(url)).rejects.toSatisfy((error) => isEProofError(error, "INVALID_QR"));
  });
});
