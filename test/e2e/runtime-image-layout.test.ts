/**
 * Docker is not available here, so this builds the runtime stage's file layout by hand, from the
 * Dockerfile itself: its runtime-stage COPY lines, and the production dependencies that
 * `npm ci --omit=dev` installs (package-lock.json entries not marked dev), hard-linked from
 * node_modules. Then it boots the service from that folder the way the image's CMD does, against
 * PostgreSQL named by EPROOF_DATABASE_URL_FILE, and runs the image's HEALTHCHECK command.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { cpSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { createTestSchema, type TestSchema } from "../integration/pg-test-db.ts";
import { parseDockerfile } from "../unit/deploy/dockerfile.ts";
import { freePort } from "./test-service.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "eproof-image-"));
const app = join(work, "app");
let service: ChildProcess | null = null;
let schema: TestSchema | null = null;

afterAll(async () => {
  service?.kill("SIGKILL");
  await schema?.drop();
  rmSync(work, { recursive: true, force: true });
});

/** Hard-links a tree (cheap, and unlike a symlink it does not let Node resolve back into the checkout). */
function linkTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) linkTree(source, target);
    else if (entry.isSymbolicLink()) cpSync(source, target, { verbatimSymlinks: true });
    else linkSync(source, target);
  }
}

function buildRuntimeLayout(): void {
  const runtime = parseDockerfile(readFileSync(join(root, "Dockerfile"), "utf8")).at(-1) ?? [];
  for (const copy of runtime.filter((i) => i.keyword === "COPY")) {
    const parts = copy.args.split(/\s+/);
    const fromBuild = parts[0]?.startsWith("--from=") ?? false;
    const sources = parts.slice(fromBuild ? 1 : 0, -1);
    const destination = parts.at(-1) ?? "./";
    for (const source of sources) {
      // The build stage's /app is the checkout after `hardhat build` (the tests' global setup compiles).
      const from = join(root, fromBuild ? source.replace(/^\/app\//, "") : source);
      const to = destination.endsWith("/") ? join(app, destination, basename(source)) : join(app, destination);
      mkdirSync(dirname(to), { recursive: true });
      cpSync(from, to, { recursive: true });
    }
  }
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as { packages: Record<string, { dev?: boolean }> };
  const topLevel = new Set(
    Object.entries(lock.packages)
      .filter(([path, entry]) => path.startsWith("node_modules/") && !entry.dev)
      .map(([path]) => /^node_modules\/(@[^/]+\/[^/]+|[^/@][^/]*)/.exec(path)?.[1] ?? ""),
  );
  for (const name of topLevel) {
    const from = join(root, "node_modules", name);
    if (existsSync(from)) linkTree(from, join(app, "node_modules", name));
  }
}

describe("the container image's runtime layout (production dependencies only)", () => {
  it("boots from the Dockerfile's files alone, reads the database URL from a file, and passes the HEALTHCHECK", async () => {
    buildRuntimeLayout();
    expect(existsSync(join(app, "services/main.ts"))).toBe(true);
    expect(existsSync(join(app, "artifacts/contracts/DocumentRegistry.sol/DocumentRegistry.json"))).toBe(true);
    expect(existsSync(join(app, "node_modules/express"))).toBe(true);
    expect(existsSync(join(app, "node_modules/hardhat"))).toBe(false);
    expect(existsSync(join(app, "node_modules/vitest"))).toBe(false);

    schema = await createTestSchema();
    const secrets = join(work, "secrets");
    mkdirSync(secrets, { mode: 0o700 });
    writeFileSync(join(secrets, "database_url"), `${schema.url}\n`, { mode: 0o600 });
    writeFileSync(join(secrets, "anchor_keys"), `DEMO=0x${"ab".repeat(32)}\n`, { mode: 0o600 });
    writeFileSync(join(secrets, "custody_key"), `${"cd".repeat(32)}\n`, { mode: 0o600 });
    const port = await freePort();
    const env = {
      PATH: process.env.PATH ?? "",
      NODE_ENV: "production",
      PORT: String(port),
      EPROOF_DATA_DIR: join(work, "data"),
      EPROOF_LOG_LEVEL: "warn",
      // A chain that does not answer: the service starts anyway and queues (as in a chain outage).
      EPROOF_RPC_URL: `http://127.0.0.1:${await freePort()}`,
      EPROOF_CHAIN_ID: "1337852",
      EPROOF_DOCUMENT_REGISTRY: `0x${"11".repeat(20)}`,
      EPROOF_ISSUER_REGISTRY: `0x${"22".repeat(20)}`,
      EPROOF_ANCHOR_KEYS_FILE: join(secrets, "anchor_keys"),
      EPROOF_CUSTODY_KEY_FILE: join(secrets, "custody_key"),
      EPROOF_DATABASE_URL_FILE: join(secrets, "database_url"),
      EPROOF_GAS_PRICE: "0",
    };
    const dockerfile = parseDockerfile(readFileSync(join(root, "Dockerfile"), "utf8")).at(-1) ?? [];
    const cmd = JSON.parse(dockerfile.find((i) => i.keyword === "CMD")?.args ?? "[]") as string[];
    expect(cmd[0]).toBe("node");
    const output: string[] = [];
    service = spawn(process.execPath, cmd.slice(1), { cwd: app, env, stdio: ["ignore", "pipe", "pipe"] });
    service.stdout?.on("data", (chunk) => output.push(String(chunk)));
    service.stderr?.on("data", (chunk) => output.push(String(chunk)));

    const deadline = Date.now() + 30_000;
    let live: Response | null = null;
    while (Date.now() < deadline && service.exitCode === null) {
      live = await fetch(`http://127.0.0.1:${port}/healthz/live`).catch(() => null);
      if (live?.ok) break;
      await new Promise((done) => setTimeout(done, 250));
    }
    expect(live?.status, output.join("")).toBe(200);
    const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { database: { reachable: boolean } };
    expect(health.database.reachable).toBe(true);

    const healthcheck = dockerfile.find((i) => i.keyword === "HEALTHCHECK")?.args ?? "";
    const [, ...args] = JSON.parse(healthcheck.slice(healthcheck.indexOf("CMD") + 3).trim()) as string[];
    await expect(promisify(execFile)(process.execPath, args, { env: { PORT: String(port) }, timeout: 10_000 })).resolves.toBeDefined();

    const exited = new Promise<number | null>((done) => service?.once("exit", (code) => done(code)));
    service.kill("SIGTERM");
    expect(await exited).toBe(0);
    service = null;
  }, 90_000);
});
