import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import express from "express";
import { describe, expect, it } from "vitest";
import { ApiDescription } from "../../../services/adapters/http/api-description.ts";
import type { HttpDeps } from "../../../services/adapters/http/http-deps.ts";
import { publicRoutes } from "../../../services/adapters/http/routes/public-routes.ts";
import { loadConfig } from "../../../services/config.ts";
import { type Instruction, parseDockerfile } from "./dockerfile.ts";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const read = (path: string): string => readFileSync(resolve(root, path), "utf8");

const dockerfile = read("Dockerfile");
const stages = parseDockerfile(dockerfile);
const preamble = stages[0] ?? [];
const runtime = stages.at(-1) ?? [];
const all = stages.flat();
const find = (stage: Instruction[], keyword: string) => stage.filter((i) => i.keyword === keyword);

/** ENV/ARG pairs of an instruction (`A=1 B=2` or the legacy `A 1`). */
function assignments(args: string): Array<[string, string]> {
  if (!args.includes("=")) {
    const [name = "", ...rest] = args.split(/\s+/);
    return [[name, rest.join(" ")]];
  }
  return [...args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)/g)].map((m) => [m[1] ?? "", m[2] ?? ""]);
}

describe("the Dockerfile", () => {
  it("builds on node:24-slim in several stages and installs only production dependencies in the last", () => {
    const baseArg = find(preamble, "ARG").find((i) => i.args.startsWith("NODE_IMAGE="));
    expect(baseArg?.args).toBe("NODE_IMAGE=node:24-slim");
    expect(stages.length).toBeGreaterThanOrEqual(3);
    for (const stage of stages.slice(1)) expect(stage[0]?.args).toMatch(/^\$\{NODE_IMAGE\}(\s|$)/);
    expect(find(runtime, "RUN").some((i) => /npm ci\b.*--omit=dev/.test(i.args))).toBe(true);
    expect(find(runtime, "RUN").some((i) => /npm (install|ci)\b(?!.*--omit=dev)/.test(i.args))).toBe(false);
  });

  it("runs the service as a non-root user, set before the command", () => {
    const users = find(runtime, "USER");
    expect(users.length).toBeGreaterThan(0);
    const user = users.at(-1)?.args ?? "";
    expect(user.split(":")[0]).not.toMatch(/^(root|0)$/);
    expect(runtime.findIndex((i) => i.keyword === "USER")).toBeLessThan(runtime.findIndex((i) => i.keyword === "CMD"));
  });

  it("starts services/main.ts with the image's node, not through npm start (whose prestart hook installs)", () => {
    const cmd = JSON.parse(find(runtime, "CMD").at(-1)?.args ?? "null") as string[];
    expect(cmd).toEqual(["node", "services/main.ts"]);
    expect(existsSync(resolve(root, "services/main.ts"))).toBe(true);
    expect(JSON.parse(read("package.json")).scripts.start).toBe("node services/main.ts");
  });

  it("ships the compiled contracts the service reads at run time", () => {
    expect(find(runtime, "COPY").some((i) => /--from=build\s+\/app\/artifacts\/contracts\s+\.\/artifacts\/contracts/.test(i.args))).toBe(true);
    expect(read("services/adapters/chain/contract-artifacts.ts")).toContain("artifacts/contracts/");
  });

  it("bakes in no secret: no ENV or ARG named like a key, secret or password, no key or credentialled URL anywhere", () => {
    for (const instruction of all.filter((i) => i.keyword === "ENV" || i.keyword === "ARG")) {
      for (const [name, value] of assignments(instruction.args)) {
        expect(name, `${instruction.keyword} ${name}`).not.toMatch(/KEY|SECRET|PASSWORD|TOKEN|DATABASE_URL/i);
        expect(value).not.toMatch(/0x[0-9a-fA-F]{64}|:\/\/[^/\s]*:[^/\s]*@/);
      }
    }
    expect(dockerfile).not.toMatch(/0x[0-9a-fA-F]{64}/);
    for (const copy of find(runtime, "COPY")) expect(copy.args).not.toMatch(/\bdata\b|\.env|secrets/);
  });

  it("has a HEALTHCHECK on /healthz/live that passes against the app's real route and fails without it", async () => {
    const healthcheck = find(runtime, "HEALTHCHECK").at(-1)?.args ?? "";
    const command = JSON.parse(healthcheck.slice(healthcheck.indexOf("CMD") + 3).trim()) as string[];
    expect(command.join(" ")).toContain("/healthz/live");
    const [program, ...args] = command;
    expect(program).toBe("node");

    const deps = { config: loadConfig({}, () => "") } as unknown as HttpDeps;
    const withRoute = express().use(publicRoutes(deps, new ApiDescription(), () => ({})));
    const withoutRoute = express();
    const run = promisify(execFile);
    for (const [app, expected] of [
      [withRoute, 0],
      [withoutRoute, 1],
    ] as const) {
      const server = app.listen(0, "127.0.0.1");
      await new Promise((done) => server.once("listening", done));
      const { port } = server.address() as AddressInfo;
      try {
        const exit = await run(process.execPath, args, { env: { PORT: String(port) }, timeout: 10_000 }).then(
          () => 0,
          (error: { code?: number }) => error.code ?? -1,
        );
        expect(exit).toBe(expected);
      } finally {
        server.close();
      }
    }
  });
});

describe(".dockerignore", () => {
  it("keeps local data, dependencies, test output, build output, env files and git out of the build context", () => {
    const ignored = read(".dockerignore")
      .split("\n")
      .map((line) => line.trim().replace(/\/$/, ""))
      .filter((line) => line && !line.startsWith("#"));
    for (const entry of ["data", "node_modules", "test-output", ".git", "artifacts", ".env"]) expect(ignored).toContain(entry);
  });
});

describe("deploy/besu/docker-compose.yml and the image", () => {
  const compose = read("deploy/besu/docker-compose.yml");

  it("builds the services from the repository's Dockerfile", () => {
    const context = /^\s+build:\s*(\S+)\s*$/m.exec(compose)?.[1] ?? "";
    expect(existsSync(resolve(root, "deploy/besu", context, "Dockerfile"))).toBe(true);
    expect(compose).toMatch(/image: \$\{EPROOF_IMAGE:-eproof:latest\}/);
  });

  it("passes the database URL as a secret file setting to every instance, with no shell entrypoint reading it", () => {
    expect(compose).not.toMatch(/^\s+entrypoint:/m);
    const instances = compose.match(/<<: \*eproof\n/g)?.length ?? 0;
    expect(instances).toBe(4);
    // Set once in the settings every instance merges, and mounted as a secret by each.
    expect(compose.match(/EPROOF_DATABASE_URL_FILE: \/run\/secrets\/database_url/g)?.length).toBe(1);
    expect(compose.match(/<<: \*eproof-env\n/g)?.length).toBe(instances);
    expect(compose.match(/^ {4}secrets: \[.*\bdatabase_url\b.*\]$/gm)?.length).toBe(instances);
    expect(compose).not.toMatch(/EPROOF_DATABASE_URL:/);
  });

  it("mounts no key folder into the image's data folder: signing keys and anchoring accounts are in the database", () => {
    expect(compose).toMatch(/EPROOF_DATA_DIR: \/data\n/);
    expect(compose).not.toMatch(/\/data\/keys/);
  });
});
