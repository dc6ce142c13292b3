/** Reads a QR code back from a PNG image, as a phone camera would (pngjs + jsQR). */
import { createRequire } from "node:module";

interface DecodedPng {
  width: number;
  height: number;
  data: Buffer;
}
const require = createRequire(import.meta.url);
// pngjs ships no types; this is the one call we use.
const { PNG } = require("pngjs") as { PNG: { sync: { read(png: Buffer): DecodedPng } } };
type JsQR = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
// jsqr is a webpack UMD bundle whose function sits on `default` when required.
const jsqrModule = require("jsqr") as { default?: JsQR };
const jsQR: JsQR = jsqrModule.default ?? (jsqrModule as unknown as JsQR);

/** The text of the first QR code found in the image, or undefined. */
export function readQrFromPng(png: Uint8Array): string | undefined {
  const image = PNG.sync.read(Buffer.from(png));
  const pixels = new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length);
  return jsQR(pixels, image.width, image.height)?.data;
}
