/**
 * `npm run bench`: the speed table of MISSION.md, measured on this machine in one run.
 *   1. Issuance: documents signed + Merkle-batched + stored durably (SQLite), for 1k and 10k licences,
 *      beside OpenAttestation's wrapDocuments on the same machine.
 *   2. Verification API: requests/s and p50/p99 latency at 64 in flight (autocannon) against the
 *      service running in its own process on the embedded chain.
 *   3. JSON-RPC calls per verification, counted by a proxy in front of the chain.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, request as httpRequest } from "node:http";
import { createRequire } from "node:module";
import { createServer as createNetServer } from "node:net";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { EthersLedger } from "../services/adapters/chain/ethers-ledger.ts";
import { createRpcProvider } from "../services/adapters/chain/rpc-provider.ts";
import { pooledRandom } from "../services/adapters/random/pooled-random.ts";
import { es256 } from "../services/adapters/signing/es256.ts";
import { FileKeyRing } from "../services/adapters/signing/file-key-ring.ts";
import { SqliteStore } from "../services/adapters/store/sqlite-store.ts";
import { buildMerkleTree } from "../services/domain/merkle.ts";
import type { Hex } from "../services/ports.ts";
import { issueDocuments } from "../services/use-cases/issue-documents.ts";
import { verifyDocument } from "../services/use-cases/verify-document.ts";

const root = new URL("..", import.meta.url).pathname;
const licence = JSON.parse(readFileSync(join(root, "docs/examples/licence.json"), "utf8")) as { type: string; data: Record<string, unknown> };

function licenceNumber(i: number): Record<string, unknown> {
  return { ...licence.data, documentNumber: `FFL-2026-${String(i).padStart(6, "0")}` };
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createNetServer();
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => resolve(typeof a === "object" && a ? a.port : 0));
    });
  });
}

function peakRss(): { stop: () => number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss());
    },
  };
}

async function benchIssuance(count: number): Promise<{ perSecond: number; ms: number; rssMiB: number }> {
  const dir = mkdtempSync(join(tmpdir(), "eproof-bench-"));
  const store = new SqliteStore(join(dir, "db.sqlite"));
  const keyRing = new FileKeyRing(join(dir, "keys"));
  keyRing.createKey("DEMO");
  const items = Array.from({ length: count }, (_, i) => licenceNumber(i));
  global.gc?.();
  const memory = peakRss();
  const started = performance.now();
  await issueDocuments({ store, signer: keyRing, clock: { now: () => Date.now() }, random: pooledRandom() }, { department: "DEMO", type: "licence", items });
  await store.sealBatch("DEMO", "licence", count, buildMerkleTree);
  const ms = performance.now() - started;
  const rss = memory.stop();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return { perSecond: (count / ms) * 1000, ms, rssMiB: rss / 2 ** 20 };
}

async function benchOpenAttestation(count: number): Promise<number> {
  const require = createRequire(import.meta.url);
  const oa = require("@govtechsg/open-attestation") as { wrapDocuments: (docs: unknown[]) => unknown };
  const docs = Array.from({ length: count }, (_, i) => ({
    $template: { name: "FFL", type: "EMBEDDED_RENDERER", url: "https://renderer.example" },
    issuers: [{ name: "DEMO", documentStore: "0x9178F546D3FF57D7A6352bD61B80cCCD46199C2d", identityProof: { type: "DNS-TXT", location: "example.gov.hk" } }],
    ...licenceNumber(i),
  }));
  const started = performance.now();
  oa.wrapDocuments(docs);
  return (count / (performance.now() - started)) * 1000;
}

async function waitFor(url: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not come up`);
}

/** A JSON-RPC proxy that counts calls by method. */
async function countingProxy(target: string): Promise<{ url: string; counts: Map<string, number>; close: () => void }> {
  const counts = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      try {
        const parsed = JSON.parse(body.toString()) as { method?: string } | Array<{ method?: string }>;
        for (const call of Array.isArray(parsed) ? parsed : [parsed]) counts.set(String(call.method), (counts.get(String(call.method)) ?? 0) + 1);
      } catch {
        // forward as is
      }
      const upstream = httpRequest(target, { method: "POST", headers: { "content-type": "application/json" } }, (up) => {
        res.writeHead(up.statusCode ?? 502, { "content-type": "application/json" });
        up.pipe(res);
      });
      upstream.end(body);
    });
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", () => r()));
  return { url: `http://127.0.0.1:${port}`, counts, close: () => server.close() };
}

function printTable(rows: string[][]): void {
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  console.log(`\ne-Proof bench — ${new Date().toISOString()} — Node ${process.version}, ${availableParallelism()} cores\n`);
  console.log(line(["measure", "result", "detail", "goal / notes"]));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const r of rows) console.log(line(r));
}

async function main(): Promise<void> {
  const rows: string[][] = [];
  console.error("issuance…");
  for (const count of [1_000, 10_000]) {
    // Each measurement in a fresh process, so that peak memory is this run's alone.
    const ours = JSON.parse(await inChild(["--issuance-child", String(count)])) as Awaited<ReturnType<typeof benchIssuance>>;
    const oa = Number(await inChild(["--oa-child", String(count)]));
    rows.push([
      `issuance, ${count.toLocaleString("en")} licences (signed + batched + stored)`,
      `${ours.perSecond.toFixed(0)} docs/s`,
      `OA wrapDocuments ${oa.toFixed(0)} docs/s → ${(ours.perSecond / oa).toFixed(1)}×`,
      `target ≥ 10,000/s; ${ours.ms.toFixed(0)} ms; peak RSS ${ours.rssMiB.toFixed(0)} MiB`,
    ]);
  }

  if (process.argv.includes("--issuance-only")) {
    printTable(rows);
    return;
  }
  console.error("starting the service…");
  const dataDir = mkdtempSync(join(tmpdir(), "eproof-bench-svc-"));
  const port = await freePort();
  const chainPort = await freePort();
  const child: ChildProcess = spawn(process.execPath, [join(root, "services/main.ts")], {
    env: {
      ...process.env,
      PORT: String(port),
      EPROOF_DATA_DIR: dataDir,
      EPROOF_CHAIN_PORT: String(chainPort),
      EPROOF_LOG_LEVEL: "warn",
      EPROOF_BATCH_MAX_WAIT_MS: "50",
      // The benchmark is one client hammering verify on purpose.
      EPROOF_VERIFY_RATE_LIMIT: "0",
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`${base}/healthz`, 60_000);
    const apiKey = (JSON.parse(readFileSync(join(dataDir, "dev-credentials.json"), "utf8")) as { apiKey: string }).apiKey;
    const auth = { authorization: `Bearer ${apiKey}`, "content-type": "application/json" };
    // Distinct documents, so that nothing about one document can be reused across requests.
    const distinct = 256;
    const batch = (await (
      await fetch(`${base}/api/v1/batches`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify({ type: "licence", items: Array.from({ length: distinct }, (_, i) => licenceNumber(i)) }),
      })
    ).json()) as { documents: Array<{ id: string }> };
    const files: Array<{ anchor?: unknown }> = [];
    for (const { id } of batch.documents) {
      let file: { anchor?: unknown } = {};
      for (let i = 0; i < 100 && !file.anchor; i += 1) {
        file = (await (await fetch(`${base}/api/v1/documents/${id}/eproof.json`, { headers: auth })).json()) as { anchor?: unknown };
        if (!file.anchor) await new Promise((r) => setTimeout(r, 100));
      }
      files.push(file);
    }
    const eproof = files[0] ?? {};
    const bodies = files.map((file) => JSON.stringify({ document: file }));
    const check = (await (
      await fetch(`${base}/api/v1/verify`, { method: "POST", headers: { "content-type": "application/json" }, body: bodies[distinct - 1] })
    ).json()) as { verdict: string };
    if (check.verdict !== "VALID") throw new Error(`bench document verifies ${check.verdict}, not VALID`);

    console.error("verify API under load (64 in flight, 10 s)…");
    const result = await autocannon({
      url: `${base}/api/v1/verify`,
      connections: 64,
      duration: 10,
      requests: bodies.map((body) => ({ method: "POST" as const, path: "/api/v1/verify", headers: { "content-type": "application/json" }, body })),
    });
    rows.push([
      "verify API, 64 in flight, 10 s, 256 distinct documents",
      `${result.requests.average.toFixed(0)} req/s`,
      `p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms`,
      `target ≥ 2,000/s, p99 < 50 ms; errors ${result.errors}, non-2xx ${result.non2xx}, timeouts ${result.timeouts}`,
    ]);

    const wellKnown = (await (await fetch(`${base}/.well-known/eproof.json`)).json()) as { chainId: number; registry: Hex };
    const proxy = await countingProxy(`http://127.0.0.1:${chainPort}`);
    const provider = createRpcProvider(proxy.url, wellKnown.chainId);
    const ledger = new EthersLedger({ provider, documentRegistry: wellKnown.registry, chainId: wellKnown.chainId });
    const runs = 100;
    for (let i = 0; i < runs; i += 1) {
      await verifyDocument(eproof, { ledger, signatures: es256, trust: wellKnown, now: () => Date.now() });
    }
    const calls = [...proxy.counts.values()].reduce((a, b) => a + b, 0);
    rows.push([
      "JSON-RPC calls per verification",
      `${(calls / runs).toFixed(2)}`,
      [...proxy.counts.entries()].map(([m, n]) => `${m} ×${n}`).join(", "),
      "target 1 (OpenAttestation's verifier: 7–14)",
    ]);
    provider.destroy();
    proxy.close();
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    rmSync(dataDir, { recursive: true, force: true });
  }

  printTable(rows);
}

async function inChild(args: string[]): Promise<string> {
  const child = spawn(process.execPath, [new URL(import.meta.url).pathname, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  const code = await new Promise((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`bench child ${args.join(" ")} failed (${code})`);
  return out.trim();
}

const childIndex = process.argv.findIndex((a) => a === "--issuance-child" || a === "--oa-child");
if (childIndex === -1) await main();
else {
  const count = Number(process.argv[childIndex + 1]);
  console.log(process.argv[childIndex] === "--oa-child" ? String(await benchOpenAttestation(count)) : JSON.stringify(await benchIssuance(count)));
}
