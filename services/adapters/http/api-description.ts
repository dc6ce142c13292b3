/**
 * Routes and their documentation in one call. A route file mounts each route through
 * `describedRoutes(api)`: `routes.post(path, operation, handler)` mounts the Express route AND records
 * its OpenAPI operation (summary, tags, security, the zod schemas of its body / params / query — the
 * same objects the handler validates with — and every response). /openapi.json is generated from
 * what was recorded (openapi.ts), so an instance documents exactly what it mounts, and a route
 * mounted without documentation has no way in (test/unit/http/openapi-routes.test.ts walks the
 * Express router to make sure).
 */
import { type RequestHandler, Router } from "express";
import type { RouteParameters } from "express-serve-static-core";
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject } from "zod-openapi";

export type Method = "get" | "post" | "put" | "delete";

/** The bearer schemes of /openapi.json (`Authorization: Bearer <key>`), one per kind of key (auth.ts). */
export const SECURITY_SCHEMES = {
  officerApiKey: {
    type: "http",
    scheme: "bearer",
    description: "A department officer's API key (role \"officer\"): issues and manages its department's documents",
  },
  adminApiKey: { type: "http", scheme: "bearer", description: 'The platform administrator\'s API key (role "admin")' },
  relyingPartyApiKey: {
    type: "http",
    scheme: "bearer",
    description: 'A relying party\'s API key (role "relying-party", e.g. a bank): follows the status of documents it was shown',
  },
  metricsToken: { type: "http", scheme: "bearer", description: "The monitoring token (EPROOF_METRICS_TOKEN), only when the service sets one" },
  walletAccessToken: {
    type: "http",
    scheme: "bearer",
    description: "An OpenID4VCI access token: what a wallet got from the token endpoint for one credential offer (short-lived, one document)",
  },
} as const;

export type SecuritySchemeName = keyof typeof SECURITY_SCHEMES;

/** An operation as a route declares it: zod-openapi's operation, with the keys that may call it named. */
export type RouteOperation = Omit<ZodOpenApiOperationObject, "security"> & {
  /** Any one of these keys is accepted; absent: no authentication. */
  security?: SecuritySchemeName[];
};

/** Express's `/a/:id/b` as OpenAPI's `/a/{id}/b`. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:(\w+)/g, "{$1}");
}

/** What the routes of one instance recorded: one operation per method and path. */
export class ApiDescription {
  readonly #paths = new Map<string, Map<Method, RouteOperation>>();
  #sealed = false;

  record(method: Method, expressPath: string, operation: RouteOperation): void {
    if (this.#sealed) throw new Error(`route ${method.toUpperCase()} ${expressPath} documented after /openapi.json was generated`);
    const path = openApiPath(expressPath);
    const operations = this.#paths.get(path) ?? new Map<Method, RouteOperation>();
    if (operations.has(method)) throw new Error(`route ${method.toUpperCase()} ${path} documented twice`);
    operations.set(method, operation);
    this.#paths.set(path, operations);
  }

  /** The recorded operations as zod-openapi paths; no route may be recorded afterwards. */
  paths(): ZodOpenApiPathsObject {
    this.#sealed = true;
    const paths: ZodOpenApiPathsObject = {};
    for (const [path, operations] of this.#paths) {
      paths[path] = Object.fromEntries(
        [...operations].map(([method, { security, ...operation }]) => [
          method,
          { ...operation, ...(security ? { security: security.map((name) => ({ [name]: [] })) } : {}) },
        ]),
      );
    }
    return paths;
  }
}

/** Mounts one route (its handlers typed by the path's parameters, as Express's own) and records its operation. */
export type DescribedRoute = <P extends string>(path: P, operation: RouteOperation, ...handlers: RequestHandler<RouteParameters<P>>[]) => void;

export interface DescribedRoutes {
  /** The Express router the routes are mounted on (mount it with `app.use`); its middleware (auth) goes on it directly. */
  router: Router;
  get: DescribedRoute;
  post: DescribedRoute;
  put: DescribedRoute;
  delete: DescribedRoute;
}

/** A router whose every route is documented: the only way the route files mount a route. */
export function describedRoutes(api: ApiDescription): DescribedRoutes {
  const router = Router();
  const mount =
    (method: Method): DescribedRoute =>
    (path, operation, ...handlers) => {
      api.record(method, path, operation);
      router[method](path, ...(handlers as RequestHandler[]));
    };
  return { router, get: mount("get"), post: mount("post"), put: mount("put"), delete: mount("delete") };
}
