/** The Express app: middleware, routes and the error responder. Routes are thin; use cases do the work. */
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import express, { type Express } from "express";
import { z } from "zod";
import { EProofError } from "../../errors.ts";
import { authFailureRateLimit, jsonDepthLimit, PUBLIC_CORS_PATHS, publicCors, securityHeaders, verifyRateLimit } from "./abuse-protection.ts";
import { ApiDescription, describedRoutes, type RouteOperation } from "./api-description.ts";
import { auditOfficerActions } from "./audit-officer-actions.ts";
import { compressJson, directorySources, prepareStaticFiles, type StaticSource, staticFiles } from "./compression.ts";
import { errorResponder } from "./error-status.ts";
import type { HttpDeps } from "./http-deps.ts";
import { buildOpenApi } from "./openapi.ts";
import { adminRoutes } from "./routes/admin-routes.ts";
import { bulkStatusRoutes } from "./routes/bulk-status-routes.ts";
import { credentialRoutes } from "./routes/credential-routes.ts";
import { officerRoutes } from "./routes/officer-routes.ts";
import { openid4vciRoutes } from "./routes/openid4vci-routes.ts";
import { publicRoutes } from "./routes/public-routes.ts";
import { publicStatusRoutes } from "./routes/public-status-routes.ts";
import { statusListRoutes } from "./routes/status-list-routes.ts";
import { subscriptionRoutes } from "./routes/subscription-routes.ts";

const PUBLIC_DIR = fileURLToPath(new URL("./public/", import.meta.url));
// The verify page's fallback QR decoder (where the browser has no BarcodeDetector), served from here: no CDN.
const JSQR_FILE = (() => {
  try {
    return createRequire(import.meta.url).resolve("jsqr");
  } catch {
    return null;
  }
})();

const page = (summary: string, mediaType: string): RouteOperation => ({
  summary,
  tags: ["page"],
  responses: {
    "200": { description: summary, content: { [mediaType]: { schema: z.string() } } },
    "304": { description: "Not modified (If-None-Match matched the ETag)" },
  },
});

/** The static files that are pages (documented in /openapi.json); the /assets are their scripts, styles and fonts. */
const PAGES: Array<StaticSource & { operation: RouteOperation }> = [
  {
    url: "/verify",
    file: `${PUBLIC_DIR}verify.html`,
    maxAgeSeconds: 0,
    operation: page("The verify page for citizens and inspectors (English, 繁體, 简体): scan, upload or paste, and read the verdict", "text/html"),
  },
  // The service's logo (public/logo.svg, the page's logo slot) is its favicon too.
  { url: "/favicon.ico", file: `${PUBLIC_DIR}logo.svg`, maxAgeSeconds: 86_400, operation: page("The service's logo as favicon", "image/svg+xml") },
];

/** Every static file served: the pages, then their assets. */
export const PUBLIC_SOURCES: StaticSource[] = [
  ...PAGES,
  ...directorySources(PUBLIC_DIR, "/assets", 3600),
  ...(JSQR_FILE ? [{ url: "/assets/vendor/jsQR.js", file: JSQR_FILE, maxAgeSeconds: 86_400 }] : []),
];
const COMPRESSED_JSON_PATHS = ["/api/v1/verify", "/api/v1/redact", "/api/v1/public", "/openapi.json"];

/**
 * The `route` label of a request: the declared route, the static file's (page or asset), or for a
 * request refused before any route (no key, too large, rate limited) what refused it. Never the
 * caller's path: that would let anyone create unbounded series.
 */
export function metricsRouteOf(declared: string | undefined, staticRoute: unknown, status: number): string {
  if (declared) return declared;
  if (typeof staticRoute === "string") return staticRoute;
  if (status === 401) return "refused:unauthenticated";
  if (status === 413) return "refused:too-large";
  if (status === 429) return "refused:rate-limited";
  return "unmatched";
}

export function createApp(deps: HttpDeps): Express {
  const app = express();
  // Every route records its documentation here as it is mounted; /openapi.json is generated from it once.
  const api = new ApiDescription();
  let openApi: unknown;
  const openApiDocument = () => {
    openApi ??= buildOpenApi(api, deps.config);
    return openApi;
  };
  app.disable("x-powered-by");
  app.set("trust proxy", deps.config.abuse.trustProxy);
  app.set("query parser", "simple");

  app.use((req, res, next) => {
    const incoming = req.get("x-request-id");
    const requestId = incoming && /^[\w.-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = requestId;
    res.set("X-Request-Id", requestId);
    const started = process.hrtime.bigint();
    res.on("finish", () => {
      // Only declared routes become labels: a path from the caller would let anyone create unbounded series.
      const route = metricsRouteOf(req.route?.path as string | undefined, res.locals.metricsRoute, res.statusCode);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      deps.metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      deps.metrics.httpDuration.observe({ method: req.method, route }, seconds);
      // Path and status only: never bodies, query strings or headers (they may carry personal data or keys).
      deps.logger.debug({ event: "http.request", requestId, method: req.method, route, status: res.statusCode, ms: Math.round(seconds * 1000) });
    });
    next();
  });
  app.use(securityHeaders());
  app.use(PUBLIC_CORS_PATHS[0] as string, publicCors(["POST"]));
  app.use(PUBLIC_CORS_PATHS[1] as string, publicCors(["GET", "HEAD"]));
  // Wallets and verifiers in a browser fetch status lists from any origin.
  app.use("/status-lists", publicCors(["GET", "HEAD"]));
  // A wallet in a browser redeems its offer and fetches its credential from another origin; the
  // access token is a bearer header, never a cookie, so no credentials mode is needed.
  if (deps.wallet) app.use("/api/v1/oid4vci", publicCors(["POST"], ["Authorization"]));
  // What the credential exports point to (type metadata, schemas, context): read by wallets in browsers too.
  app.use("/credentials", publicCors(["GET", "HEAD"]));
  // The public, unauthenticated routes that do work per request; each has its own allowance.
  // With shared counters (PostgreSQL) an allowance holds across every instance, else per process.
  const publicLimited = ["/api/v1/verify", "/api/v1/redact", "/api/v1/public", "/api/v1/oid4vci"];
  for (const path of publicLimited) {
    const limit = verifyRateLimit(deps.config.abuse.verifyLimit, { counters: deps.rateLimitCounters, name: path });
    if (limit) app.use(path, limit);
  }
  // Before every route: only 401 answers count, and public routes never give one (nor are looked up).
  const isPublicLimited = (path: string) => publicLimited.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
  const authLimit = authFailureRateLimit(deps.config.abuse.authFailureLimit, deps.rateLimitCounters, isPublicLimited);
  if (authLimit) app.use(authLimit);

  app.use(express.json({ limit: deps.config.bodyLimitBytes, type: ["application/json", "application/*+json"] }));
  app.use(jsonDepthLimit());

  // The verify page and its assets, compressed once (br and gzip) and revalidated by ETag.
  app.use(staticFiles(prepareStaticFiles(PUBLIC_SOURCES, { "/assets/vendor/jsQR.js": "text/javascript; charset=utf-8" }), ["/verify"]));
  for (const { url, operation } of PAGES) api.record("get", url, operation);
  // The service's address alone leads to the page a citizen wants.
  const root = describedRoutes(api);
  root.get(
    "/",
    {
      summary: "The service's address: leads to the verify page",
      tags: ["page"],
      responses: { "302": { description: "To /verify", headers: z.object({ Location: z.string().meta({ example: "/verify" }) }) } },
    },
    (_req, res) => res.redirect(302, "/verify"),
  );
  app.use(root.router);
  // Public JSON answers are compressed when large enough; they hold no secret beside caller-chosen text.
  app.use(COMPRESSED_JSON_PATHS, compressJson());
  app.use(publicRoutes(deps, api, openApiDocument));
  app.use(credentialRoutes(deps, api));
  if (deps.audit && (deps.officer || deps.admin)) app.use(auditOfficerActions(deps.audit));
  app.use(publicStatusRoutes(deps, api));
  if (deps.statusLists) app.use(statusListRoutes(deps.statusLists, api));
  // EPROOF_ROLES: a public instance mounts neither the officer nor the admin routes (they answer 404).
  // The wallet routes before the officer's: their offer route authenticates on its own.
  if (deps.wallet) app.use(openid4vciRoutes(deps, deps.wallet, api));
  if (deps.officer) {
    app.use(officerRoutes(deps, deps.officer, api));
    app.use(bulkStatusRoutes(deps, deps.officer, api));
  }
  if (deps.admin && deps.audit) {
    app.use(adminRoutes({ store: deps.store, administration: deps.admin.administration, audit: deps.audit }, api));
  }
  if (deps.webhooks) app.use(subscriptionRoutes(deps, deps.webhooks, api));
  // Generated now, while starting: a route that cannot be documented fails the start, not the first reader.
  openApiDocument();

  app.use((req, _res, next) => {
    next(new EProofError("NOT_FOUND", `no route ${req.method} ${req.path}; see /openapi.json`));
  });
  app.use(errorResponder(deps.logger));
  return app;
}
