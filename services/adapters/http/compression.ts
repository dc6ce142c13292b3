/**
 * Response compression. The verify page's static files are compressed once, at start, at the highest levels (they
 * never change at runtime, and that is what keeps the page under its transfer budget: README "Verify page") and
 * served with a strong ETag per encoding; public JSON answers go through the `compression` middleware, which
 * compresses in zlib streams off the event loop. Every answer that could differ by encoding says
 * `Vary: Accept-Encoding`.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";
import compression from "compression";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import Negotiator from "negotiator";

export type Encoding = "br" | "gzip" | "identity";

const AVAILABLE: readonly Encoding[] = ["br", "gzip", "identity"];
// @types/negotiator describes 0.6, whose encoding() has no options; negotiator 1.x (the one Express's `accepts`
// uses) takes `preferred`, the server's order among encodings the client weighs equally.
type PreferringNegotiator = { encoding(available: readonly string[], options: { preferred: readonly string[] }): string | undefined };

/**
 * The best encoding the client accepts by its q-values (`gzip;q=0` refuses gzip; `*` counts), br before gzip when
 * it weighs them equally; identity when it accepts neither (we never answer 406). Not `req.acceptsEncodings()`:
 * that breaks ties by the order the client lists them in, and browsers list gzip before br.
 */
export function negotiateEncoding(req: { headers: Negotiator.Headers }): Encoding {
  const negotiator = new Negotiator(req) as unknown as PreferringNegotiator;
  return (negotiator.encoding(AVAILABLE, { preferred: ["br", "gzip"] }) as Encoding | undefined) ?? "identity";
}

// ---- Static files: compressed once ----

interface Representation {
  body: Buffer;
  etag: string;
}

export interface StaticFile {
  type: string;
  cacheControl: string;
  representations: Record<Encoding, Representation>;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
};

function typeOf(path: string): string {
  const dot = path.lastIndexOf(".");
  return TYPES[path.slice(dot)] ?? "application/octet-stream";
}

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/** Compresses one file's bytes at the highest levels (done once per process, off the event loop). */
export async function prepareStaticFile(bytes: Buffer, type: string, maxAgeSeconds: number): Promise<StaticFile> {
  const [gz, br] = await Promise.all([
    gzipAsync(bytes, { level: 9 }),
    brotliAsync(bytes, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      },
    }),
  ]);
  // Strong ETag of the content; each encoding is a different representation, so it has its own tag.
  const hash = createHash("sha256").update(bytes).digest("base64url").slice(0, 27);
  return {
    type,
    cacheControl: `public, max-age=${maxAgeSeconds}`,
    representations: {
      identity: { body: bytes, etag: `"${hash}"` },
      gzip: { body: gz, etag: `"${hash}-gz"` },
      br: { body: br, etag: `"${hash}-br"` },
    },
  };
}

/** Sends a prepared file in the encoding the client accepts, or 304 when its copy is current. */
export function sendStaticFile(req: Request, res: Response, file: StaticFile): void {
  const encoding = negotiateEncoding(req);
  const chosen = file.representations[encoding];
  res.vary("Accept-Encoding");
  res.set("Cache-Control", file.cacheControl);
  res.set("ETag", chosen.etag);
  // req.fresh compares If-None-Match with the ETag just set (weakly, as RFC 9110 asks) for a GET or HEAD.
  if (req.fresh) {
    res.status(304).end();
    return;
  }
  res.set("Content-Type", file.type);
  if (encoding !== "identity") res.set("Content-Encoding", encoding);
  res.set("Content-Length", String(chosen.body.length));
  res.end(req.method === "HEAD" ? undefined : chosen.body);
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? listFiles(path) : entry.isFile() ? [path] : [];
  });
}

export interface StaticSource {
  /** The URL path it is served at, e.g. /assets/verify.js. */
  url: string;
  file: string;
  maxAgeSeconds: number;
}

/** Every file of a directory, served under a URL prefix. */
export function directorySources(dir: string, urlPrefix: string, maxAgeSeconds: number): StaticSource[] {
  return listFiles(dir).map((file) => ({ url: `${urlPrefix}/${relative(dir, file).split(sep).join("/")}`, file, maxAgeSeconds }));
}

const prepared = new Map<string, Promise<StaticFile>>();

/** Reads and compresses each source once per process (the files never change at runtime). */
export function prepareStaticFiles(sources: StaticSource[], typeOverride: Record<string, string> = {}): Map<string, Promise<StaticFile>> {
  const files = new Map<string, Promise<StaticFile>>();
  for (const source of sources) {
    const key = `${source.file}|${source.maxAgeSeconds}`;
    let ready = prepared.get(key);
    if (!ready) {
      ready = prepareStaticFile(readFileSync(source.file), typeOverride[source.url] ?? typeOf(source.file), source.maxAgeSeconds);
      prepared.set(key, ready);
    }
    // A failure surfaces on the request (as a 500 through the error responder), not as an unhandled rejection.
    ready.catch(() => {});
    files.set(source.url, ready);
  }
  return files;
}

/**
 * Serves the prepared files by exact URL path (GET and HEAD); anything else falls through. Paths listed in
 * `caseInsensitive` also match in any case, as an Express route does: a QR code's alphanumeric mode makes the
 * verify link upper case (HTTP://HOST/VERIFY#...).
 */
export function staticFiles(files: Map<string, Promise<StaticFile>>, caseInsensitive: string[] = []): RequestHandler {
  const anyCase = new Set(caseInsensitive.map((path) => path.toLowerCase()));
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== "GET" && req.method !== "HEAD") return next();
    const lower = req.path.toLowerCase();
    const ready = files.get(req.path) ?? (anyCase.has(lower) ? files.get(lower) : undefined);
    if (!ready) return next();
    // A label for the request metrics: the page, or one of its assets (never the caller's own path).
    res.locals.metricsRoute = req.path.startsWith("/assets/") ? "/assets/*" : req.path.toLowerCase();
    ready.then((file) => sendStaticFile(req, res, file), next);
  };
}

// ---- JSON answers: compressed per response ----

/** Below this, compression saves less than the headers and the CPU cost. */
export const JSON_COMPRESSION_THRESHOLD_BYTES = 1024;

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;

/**
 * Compresses JSON answers of at least JSON_COMPRESSION_THRESHOLD_BYTES when the client accepts br or gzip (or
 * deflate), in zlib streams on the thread pool. Mount it only on public routes: their answers carry no secret next
 * to caller-controlled text (BREACH).
 */
export function compressJson(): RequestHandler {
  return compression({
    threshold: JSON_COMPRESSION_THRESHOLD_BYTES,
    filter: (_req, res) => JSON_TYPE.test(String(res.getHeader("Content-Type") ?? "")),
    brotli: { params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT } },
  });
}
