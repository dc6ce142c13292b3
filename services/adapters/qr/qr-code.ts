/**
 * The QR code itself: its rendering (PNG, SVG) at error-correction level Q. The verify URL it
 * carries is built in the domain (services/domain/qr-payload.ts, `qrUrl`).
 *
 * The URL is `<PUBLIC BASE URL, UPPER CASE>/VERIFY#<digits>`, cut into three QR segments so each part
 * uses the cheapest mode: alphanumeric for the upper-case URL, byte for `#` (not in QR's alphanumeric
 * set), numeric for the payload digits. Express matches `/verify` case-insensitively and host names
 * are case-insensitive, so the upper-case URL still opens the verify page.
 */

import type { QRCodeSegment } from "qrcode";
import QRCode from "qrcode";
import { EProofError } from "../../errors.ts";
import type { QrRenderer } from "../../ports.ts";

export const QR_ERROR_CORRECTION = "Q";
/** The largest QR code there is; a payload that needs more falls back to a short link. */
export const QR_MAX_VERSION = 40;

export interface QrPngOptions {
  /** Pixels per module (default 8). Ignored when `width` is given. */
  scale?: number;
  /** Image width in pixels, quiet zone included. */
  width?: number;
  /** Quiet zone in modules (default 4, the minimum the QR standard asks for). */
  margin?: number;
}

const ALPHANUMERIC = /^[0-9A-Z $%*+\-./:]*$/;
const NUMERIC = /^[0-9]*$/;

/**
 * The URL cut into segments for the `qrcode` package: the part before `#` in alphanumeric mode when it
 * fits that mode's character set (else byte), `#` in byte mode, the fragment in numeric mode when it is
 * all digits (else byte).
 */
export function qrSegments(url: string): QRCodeSegment[] {
  const hash = url.indexOf("#");
  const head = hash < 0 ? url : url.slice(0, hash);
  const segments: QRCodeSegment[] = [];
  if (head.length > 0) {
    segments.push(ALPHANUMERIC.test(head) ? { mode: "alphanumeric", data: head } : { mode: "byte", data: utf8(head) });
  }
  if (hash >= 0) {
    const fragment = url.slice(hash + 1);
    segments.push({ mode: "byte", data: utf8("#") });
    if (fragment.length > 0) {
      segments.push(NUMERIC.test(fragment) ? { mode: "numeric", data: fragment } : { mode: "byte", data: utf8(fragment) });
    }
  }
  return segments;
}

/** The QR version (1-40) that `url` needs at level Q. Throws INVALID_QR "too large" past 40-Q. */
export function qrVersion(url: string): number {
  return create(url).version;
}

/** The QR code as a PNG image (black on white, with a 4-module quiet zone by default). */
export async function renderQrPng(url: string, options: QrPngOptions = {}): Promise<Buffer> {
  const segments = checkedSegments(url);
  const size = options.width === undefined ? { scale: options.scale ?? 8 } : { width: options.width };
  return QRCode.toBuffer(segments, {
    type: "png",
    errorCorrectionLevel: QR_ERROR_CORRECTION,
    margin: options.margin ?? 4,
    ...size,
  });
}

/** The QR code as a standalone SVG document. */
export async function renderQrSvg(url: string): Promise<string> {
  const segments = checkedSegments(url);
  return QRCode.toString(segments, { type: "svg", errorCorrectionLevel: QR_ERROR_CORRECTION, margin: 4 });
}

/** The QrRenderer port: the officer routes' QR downloads and the PDF's QR image. */
export const qrRenderer: QrRenderer = {
  png: (url) => renderQrPng(url),
  svg: (url) => renderQrSvg(url),
};

/** Data capacity of version 40 at level Q: 1666 codewords. */
const MAX_DATA_BITS = 1666 * 8;

/** Bits the segments take in a version 27-40 symbol (mode indicator, length field, data). */
function segmentBits(segments: QRCodeSegment[]): number {
  let bits = 0;
  for (const segment of segments) {
    const length = segment.data.toString().length;
    if (segment.mode === "numeric") bits += 4 + 14 + Math.floor(length / 3) * 10 + (length % 3) * 3 + (length % 3 > 0 ? 1 : 0);
    else if (segment.mode === "alphanumeric") bits += 4 + 13 + Math.floor(length / 2) * 11 + (length % 2) * 6;
    else bits += 4 + 16 + 8 * (segment.data as Uint8Array).length;
  }
  return bits;
}

function utf8(text: string): Buffer {
  return Buffer.from(text, "utf8");
}

function checkedSegments(url: string): QRCodeSegment[] {
  create(url);
  return qrSegments(url);
}

function create(url: string): ReturnType<typeof QRCode.create> {
  if (url.length === 0) throw new EProofError("INVALID_QR", "the QR code needs a URL; got an empty string");
  const segments = qrSegments(url);
  try {
    // Past the largest symbol's capacity qrcode still tries every version first (about a second).
    if (segmentBits(segments) > MAX_DATA_BITS) throw new Error(`${segmentBits(segments)} bits > ${MAX_DATA_BITS}`);
    return QRCode.create(segments, { errorCorrectionLevel: QR_ERROR_CORRECTION });
  } catch (error) {
    // qrcode throws a plain Error when the data exceeds version 40 at this level.
    throw new EProofError("INVALID_QR", "too large: the document does not fit a QR code at error-correction level Q; use a short link", { cause: error });
  }
}
