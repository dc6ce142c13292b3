/**
 * Response compression with node:zlib (no dependency): the verify page's static files are compressed once, at
 * start (they never change at runtime), and served with a strong ETag per encoding; public JSON answers above a
 * small size are compressed per response. The choice follows the client's Accept-Encoding: br, then gzip, else
 * identity; every answer that could differ by encoding says `Vary: Accept-Encoding`.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { promisify } from "node:util";
import { brotliCompress, brotliCompressSync, constants, gzip, gzipSync } from "node:zlib";
import type { NextFunction, Request, RequestHandler, Response } from "express";

export type Encoding = "br" | "gzip" | "identity";

/**
 * The best encoding the client accepts: br, then gzip, else identity. Honours q-values (`gzip;q=0` refuses gzip)
 * and `*`; identity is always acceptable here (we never answer 406).
 */
export function negotiateEncoding(acceptEncoding: string | undefined): Encoding {
  if (!acceptEncoding) return "identity";
  const q = new Map<string, number>();
  for (const part of acceptEncoding.split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    if (!name) continue;
    let weight = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p);
      if (m) weight = Number(m[1]);
    }
    q.set(name, Number.isFinite(weight) ? weight : 0);
  }
  const weightOf = (name: string): number => q.get(name) ?? q.get("*") ?? 0;
  const br = weightOf("br");
  const gz = Math.max(weightOf("gzip"), q.get("x-gzip") ?? 0);
  if (br > 0 && br >= gz) return "br";
  if (gz > 0) return "gzip";
  return "identity";
}

function addVary(res: Response): void {
  res.vary("Accept-Encoding");
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

function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  // Weak comparison, as RFC 9110 asks for If-None-Match.
  const bare = (tag: string) => tag.trim().replace(/^W\//, "");
  return header.split(",").some((tag) => bare(tag) === etag);
}

/** Sends a prepared file in the encoding the client accepts, or 304 when its copy is current. */
export function sendStaticFile(req: Request, res: Response, file: StaticFile): void {
  const encoding = negotiateEncoding(req.get("accept-encoding"));
  const chosen = file.representations[encoding];
  addVary(res);
  res.set("Cache-Control", file.cacheControl);
  res.set("ETag", chosen.etag);
  if (matchesIfNoneMatch(req.get("if-none-match"), chosen.etag)) {
    res.status(304).end();
    return;
  }
  res.set("Content-Type", file.type);
  if (encoding !== "identity") res.set("Content-Encoding", encoding);
  res.set("Content-Length", String(chosen.body.length));
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  res.end(chosen.body);
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
    ready.then((file) => sendStaticFile(req, res, file), next);
  };
}

// ---- JSON answers: compressed per response ----

/** Below this, compression saves less than the headers and the CPU cost. */
export const JSON_COMPRESSION_THRESHOLD_BYTES = 1024;

/**
 * Compresses JSON answers of at least JSON_COMPRESSION_THRESHOLD_BYTES when the client accepts br or gzip.
 * Mount it only on public routes: their answers carry no secret next to caller-controlled text (BREACH).
 */
export function compressJson(): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const encoding = negotiateEncoding(req.get("accept-encoding"));
    const send = res.send.bind(res);
    res.send = (body?: unknown) => {
      const type = String(res.get("Content-Type") ?? "");
      const isJson = /^application\/(?:[\w.+-]+\+)?json\b/i.test(type);
      if (isJson) addVary(res);
      if (
        encoding === "identity" ||
        !isJson ||
        res.get("Content-Encoding") ||
        res.statusCode === 204 ||
        res.statusCode === 304 ||
        (typeof body !== "string" && !Buffer.isBuffer(body))
      ) {
        return send(body);
      }
      const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
      if (bytes.length < JSON_COMPRESSION_THRESHOLD_BYTES) return send(body);
      const compressed =
        encoding === "br"
          ? brotliCompressSync(bytes, {
              params: {
                [constants.BROTLI_PARAM_QUALITY]: 5,
                [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
                [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
              },
            })
          : gzipSync(bytes, { level: 6 });
      res.set("Content-Encoding", encoding);
      return send(compressed);
    };
    next();
  };
}
