/**
 * Abuse protection for the HTTP app: security headers (helmet), CORS for the public verify API only,
 * rate limits per client address, and a deadline for one verification. Settings come from
 * Config.abuse (services/config.ts); every refusal is our usual problem JSON.
 */
import type { RequestHandler } from "express";
import { ipKeyGenerator, rateLimit } from "express-rate-limit";
import helmet from "helmet";
import type { AbuseConfig } from "../../config.ts";
import { EProofError } from "../../errors.ts";
import type { CounterStore } from "../../ports.ts";
import { withTimeout } from "../../with-timeout.ts";
import { CounterRateLimitStore } from "./counter-store.ts";

/**
 * The verify page's assets are all same-origin: no inline script or style, no third party.
 * `blob:` media and images are the page's camera preview and uploaded QR pictures.
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:", "blob:"],
        mediaSrc: ["'self'", "blob:"],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
      },
    },
    referrerPolicy: { policy: "no-referrer" },
    frameguard: { action: "deny" },
    // The public verify API is meant to be read by other origins (see publicCors); the rest stays same-origin.
    crossOriginResourcePolicy: { policy: "same-origin" },
  });
}

/** The paths any origin may call from a browser: the verify API and the trust configuration. */
export const PUBLIC_CORS_PATHS = ["/api/v1/verify", "/.well-known"];

/**
 * CORS for the public verify API, /.well-known and the OpenID4VCI wallet endpoints only: any origin,
 * no credentials (the API needs none; `extraHeaders` adds request headers a preflight may allow, e.g.
 * the wallet's bearer token). Officer routes send no CORS headers at all, so a browser on another
 * origin cannot read them.
 */
export function publicCors(methods: string[], extraHeaders: string[] = []): RequestHandler {
  const allowMethods = [...methods, "OPTIONS"].join(", ");
  const allowHeaders = ["Content-Type", "X-Request-Id", ...extraHeaders].join(", ");
  return (req, res, next) => {
    res.set("Access-Control-Allow-Origin", "*");
    res.set("Cross-Origin-Resource-Policy", "cross-origin");
    res.set("Access-Control-Expose-Headers", "Retry-After, X-Request-Id, RateLimit, RateLimit-Policy");
    if (req.method === "OPTIONS") {
      res.set("Access-Control-Allow-Methods", allowMethods);
      res.set("Access-Control-Allow-Headers", allowHeaders);
      res.set("Access-Control-Max-Age", "600");
      res.status(204).end();
      return;
    }
    next();
  };
}

function refuse(message: string): RequestHandler {
  // express-rate-limit has already set Retry-After (and the RateLimit headers) when this runs.
  return (_req, _res, next) => next(new EProofError("RATE_LIMITED", message));
}

/**
 * Public API requests (verify, redact) per client address (an IPv6 client by its /56, as express-rate-limit keys
 * it); a CORS preflight does not count. Null when turned off. With shared counters (PostgreSQL) the allowance is
 * one for all instances; `name` keeps the allowances of several limiters on one counter store apart.
 * express-rate-limit answers with the RateLimit (draft-8) and Retry-After headers; the counting is the store's.
 */
export function verifyRateLimit(limit: AbuseConfig["verifyLimit"], shared: { counters: CounterStore; name: string }): RequestHandler | null {
  if (limit.max === 0) return null;
  return rateLimit({
    store: new CounterRateLimitStore(shared.counters, `verify:${shared.name}:`),
    windowMs: limit.windowMs,
    limit: limit.max,
    standardHeaders: "draft-8",
    legacyHeaders: false,
    skip: (req) => req.method === "OPTIONS",
    handler: refuse("too many requests from your address; wait for the time in the Retry-After header and try again"),
  });
}

/**
 * Failed authentications (401: missing, unknown or revoked API key) per client address. Only a
 * finished 401 counts — never a request in flight, so many concurrent requests of an officer with a
 * valid key are never refused. Once a client has used up its allowance, every request it sends is
 * refused until its window ends, so a key cannot be guessed by brute force. (express-rate-limit's
 * skipSuccessfulRequests counts each request when it starts and takes it back at the end: concurrent
 * valid requests would be refused; hence this check of the count before, and a hit after a 401.)
 * Paths for which `skip` is true (the public routes, which never answer 401 and have their own
 * limit) are not looked up, so a limited public request costs one counter round trip, not two.
 */
export function authFailureRateLimit(
  limit: AbuseConfig["authFailureLimit"],
  counters: CounterStore,
  skip: (path: string) => boolean = () => false,
): RequestHandler | null {
  if (limit.max === 0) return null;
  const refuseLockedOut = refuse("too many failed authentications from your address; wait for the time in the Retry-After header and try again");
  return (req, res, next) => {
    if (skip(req.path)) {
      next();
      return;
    }
    // Keyed like the verify limit: an IPv6 client cannot step around it by changing the low bits of its address.
    const key = `auth:${ipKeyGenerator(req.ip ?? "unknown")}`;
    counters.get(key).then(
      (entry) => {
        if (entry && entry.hits >= limit.max) {
          res.setHeader("Retry-After", String(Math.max(1, Math.ceil((entry.resetAt - Date.now()) / 1000))));
          refuseLockedOut(req, res, next);
          return;
        }
        res.on("finish", () => {
          if (res.statusCode === 401) counters.increment(key, limit.windowMs).catch(() => undefined);
        });
        next();
      },
      // A failing counter store lets the request through (fail open): never a 500 for a counter.
      () => next(),
    );
  };
}

/** Runs `work` but gives up after `ms` with a 503 TIMEOUT, so one slow verification cannot hold a client forever. */
export function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  return withTimeout(work, ms, () => new EProofError("TIMEOUT", `the verification took longer than ${ms} ms; try again in a moment`));
}

/** Deeper than any e-Proof file or request we define (a document nests about five levels). */
export const MAX_JSON_DEPTH = 64;

/** The nesting depth of a parsed JSON value, measured without recursion (so it cannot overflow itself). */
export function jsonDepthExceeds(value: unknown, limit: number): boolean {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: node, depth } = stack.pop() as { value: unknown; depth: number };
    if (node === null || typeof node !== "object") continue;
    if (depth + 1 > limit) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (child !== null && typeof child === "object") stack.push({ value: child, depth: depth + 1 });
    }
  }
  return false;
}

/**
 * Refuses a JSON body nested deeper than MAX_JSON_DEPTH with 400: the recursive code behind the
 * routes (canonical JSON, hashing, redaction) would otherwise run out of stack on a body of a few
 * hundred kilobytes of brackets and answer 500.
 */
export function jsonDepthLimit(limit = MAX_JSON_DEPTH): RequestHandler {
  return (req, _res, next) => {
    if (req.body !== null && typeof req.body === "object" && !Buffer.isBuffer(req.body) && jsonDepthExceeds(req.body, limit)) {
      next(new EProofError("BAD_REQUEST", `the JSON body is nested more than ${limit} levels deep; no e-Proof request is`));
      return;
    }
    next();
  };
}
