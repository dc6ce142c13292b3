/**
 * /openapi.json against the routes the Express app really mounts, for every combination of roles,
 * and against an independent OpenAPI parser. The app is built with stand-ins for what its handlers
 * use (no handler runs here but GET /openapi.json's).
 */
import type { AddressInfo } from "node:net";
import { validate } from "@readme/openapi-parser";
import type { Express } from "express";
import { describe, expect, it } from "vitest";
import { ApiDescription, describedRoutes } from "../../../services/adapters/http/api-description.ts";
import { createApp, PUBLIC_SOURCES } from "../../../services/adapters/http/app.ts";
import type { HttpDeps } from "../../../services/adapters/http/http-deps.ts";
import { loadConfig } from "../../../services/config.ts";

interface Roles {
  officer: boolean;
  admin: boolean;
  webhooks: boolean;
  metricsToken: boolean;
}

const COMBINATIONS: Roles[] = [false, true].flatMap((officer) =>
  [false, true].flatMap((admin) => [false, true].flatMap((webhooks) => [false, true].map((metricsToken) => ({ officer, admin, webhooks, metricsToken })))),
);

function appWith(roles: Roles): Express {
  const unused = {} as never;
  const deps = {
    config: loadConfig(roles.metricsToken ? { EPROOF_METRICS_TOKEN: "t".repeat(32) } : {}, () => ""),
    rateLimitCounters: {
      get: async () => undefined,
      increment: async () => ({ hits: 1, resetAt: Date.now() + 60_000 }),
      decrement: async () => {},
      resetKey: async () => {},
    },
    metrics: { httpRequests: { inc: () => {} }, httpDuration: { observe: () => {} } },
    logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    store: unused,
    audit: unused,
    // Every instance serves the status lists; an officer instance also issues into wallets (services/main.ts).
    statusLists: unused,
    ...(roles.officer ? { officer: unused, wallet: unused } : {}),
    ...(roles.admin ? { admin: { administration: unused } } : {}),
    ...(roles.webhooks ? { webhooks: unused } : {}),
  } as unknown as HttpDeps;
  return createApp(deps);
}

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
  rawPath?: unknown;
  slash?: boolean;
}

/** "GET /api/v1/documents/{id}" for every route in the app's router stack, nested routers included. */
function mountedRoutes(app: Express): string[] {
  const found: string[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods)) {
          if (method !== "_all") found.push(`${method.toUpperCase()} ${(prefix + layer.route.path).replace(/:(\w+)/g, "{$1}")}`);
        }
      } else if (layer.handle.stack) {
        const mountedAt = layer.slash || layer.rawPath === undefined ? "" : String(layer.rawPath);
        walk(layer.handle.stack, prefix + mountedAt);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, "");
  return found;
}

function documentedRoutes(document: { paths: Record<string, Record<string, unknown>> }): string[] {
  return Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
}

async function openApiOf(app: Express): Promise<{ openapi: string; paths: Record<string, Record<string, unknown>> }> {
  const server = app.listen(0, "127.0.0.1");
  await new Promise((done) => server.once("listening", done));
  try {
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/openapi.json`);
    expect(response.status).toBe(200);
    return (await response.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
  } finally {
    server.close();
  }
}

const name = (roles: Roles) =>
  Object.entries(roles)
    .filter(([, on]) => on)
    .map(([role]) => role)
    .join("+") || "public only";

describe("/openapi.json and the mounted routes", () => {
  it.each(COMBINATIONS.map((roles) => [name(roles), roles] as const))("documents exactly the routes an instance with %s mounts", async (_name, roles) => {
    const app = appWith(roles);
    const pages = PUBLIC_SOURCES.filter((source) => !source.url.startsWith("/assets/")).map((source) => `GET ${source.url}`);
    const mounted = [...mountedRoutes(app), ...pages].sort();
    const documented = documentedRoutes(await openApiOf(app)).sort();
    expect(documented).toEqual(mounted);
    expect(mounted).toContain("POST /api/v1/verify");
    expect(mounted.some((route) => route.includes("/api/v1/admin/"))).toBe(roles.admin);
    expect(mounted.some((route) => route.startsWith("POST /api/v1/documents"))).toBe(roles.officer);
  });

  it("finds a route mounted without documentation", () => {
    const app = appWith({ officer: false, admin: false, webhooks: false, metricsToken: false });
    app.get("/undocumented", (_req, res) => res.end());
    expect(mountedRoutes(app)).toContain("GET /undocumented");
  });

  it.each([
    ["every role", { officer: true, admin: true, webhooks: true, metricsToken: true }],
    ["the public role", { officer: false, admin: false, webhooks: true, metricsToken: false }],
  ] as const)("generates, for %s, a document an independent OpenAPI 3.1 parser finds valid", async (_name, roles) => {
    const document = await openApiOf(appWith(roles));
    expect(document.openapi).toBe("3.1.0");
    const result = await validate(structuredClone(document) as never);
    expect(result.valid ? [] : result.errors).toEqual([]);
  });
});

describe("describedRoutes", () => {
  it("mounts a route and records its operation in one call, under the OpenAPI form of its path", () => {
    const api = new ApiDescription();
    const routes = describedRoutes(api);
    routes.get("/things/:id", { summary: "A thing", security: ["officerApiKey"], responses: { "200": { description: "ok" } } }, (_req, res) => res.end());
    expect(mountedRoutes({ router: routes.router } as unknown as Express)).toEqual(["GET /things/{id}"]);
    expect(api.paths()["/things/{id}"]?.get).toMatchObject({ summary: "A thing", security: [{ officerApiKey: [] }] });
  });

  it("refuses a route documented twice, and one documented after the document was generated", () => {
    const api = new ApiDescription();
    const routes = describedRoutes(api);
    const operation = { summary: "x", responses: { "200": { description: "ok" } } };
    routes.post("/x", operation, (_req, res) => res.end());
    expect(() => routes.post("/x", operation, (_req, res) => res.end())).toThrow(/documented twice/);
    api.paths();
    expect(() => routes.get("/late", operation, (_req, res) => res.end())).toThrow(/after \/openapi.json was generated/);
  });
});
