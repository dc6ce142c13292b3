/**
 * `npm run bench:load [-- --duration 20 --connections 16 --pool 64]`: the load test of issue 6.
 *
 * Two service instances (child processes) on one chain (anvil) and one fresh PostgreSQL schema
 * (EPROOF_TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test), as in
 * test/e2e/two-instances.test.ts. A pool of documents is issued and anchored first; then autocannon
 * drives both instances at once for a bounded time with a mix of ~80% POST /api/v1/verify (the pool's
 * e-Proof files and QR texts, every answer must be 200 VALID) and ~20% POST /api/v1/documents (new
 * documents with unique idempotency keys, every answer must be 202). Afterwards it waits until both
 * instances report an empty outbox and checks that every issued document is in a batch whose root is
 * on chain exactly once. Prints a table, then one line `BENCH_LOAD {json}` (reqPerS, p99Ms, errors,
 * instances); exits non-zero on any error, unexpected status or failed check.
 * The schema, the chain and both instances are removed at the end, also on Ctrl-C.
 */
import { type ChildProcess, spawn } from "node:child_process";
import type { EventEmitter } from "node:events";
import { availableParallelism, cpus } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import pg from "pg";
import { PgStore } from "../services/adapters/store/pg-store.ts";
import { type SharedDeployment, startSharedDeployment } from "../test/e2e/shared-deployment.ts";
import { freePort, TYPICAL_LICENCE } from "../test/e2e/test-service.ts";
import { waitFor } from "./bench/wait-for.ts";

const root = new URL("..", import.meta.url).pathname;
const { values: options } = parseArgs({
  options: {
    duration: { type: "string", default: "20" },
    connections: { type: "string", default: "16" },
    pool: { type: "string", default: "64" },
  },
});
const durationS = positive("duration", options.duration);
const connectionsPerInstance = positive("connections", options.connections);
const poolSize = positive("pool", options.pool);

function positive(name: string, raw: string | undefined): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${raw}`);
  return n;
}

// ---- cleanup, also on Ctrl-C -------------------------------------------------------------------
const cleanups: Array<() => Promise<void>> = [];
let cleaning: Promise<void> | undefined;
let stopping = false;
let interrupted = false;
let startup: Promise<SharedDeployment> | undefined;
/** The autocannon runs in progress, stopped first on Ctrl-C. */
const loads: Array<{ stop: () => void }> = [];
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    // Last started, first stopped; a step registered while cleaning up is run too.
    for (let step = cleanups.pop(); step; step = cleanups.pop()) {
      try {
        await step();
      } catch (error) {
        console.error(`cleanup: ${String(error)}`);
      }
    }
  })();
  return cleaning;
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the load, the instances, the chain and dropping the schema…`);
    stopping = true;
    interrupted = true;
    for (const load of loads) load.stop();
    // Wait for the chain + schema to exist (or fail) first, so that the schema is dropped too.
    void (startup ?? Promise.resolve())
      .catch(() => undefined)
      .then(cleanup)
      .then(() => process.exit(130));
  });
}

// ---- helpers ------------------------------------------------------------------------------------
function startInstance(shared: SharedDeployment, port: number, name: string): ChildProcess {
  if (cleaning) throw new Error("interrupted");
  // BENCH_SERVICE_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof": node flags for the instances only (profiling), as in bench.ts.
  const serviceArgs = (process.env.BENCH_SERVICE_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...serviceArgs, join(root, "services/main.ts")], {
    env: {
      ...process.env,
      ...shared.env,
      PORT: String(port),
      EPROOF_LOG_LEVEL: "warn",
      // One client (this script) on loopback drives all the verify traffic on purpose.
      EPROOF_VERIFY_RATE_LIMIT: "0",
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  child.once("exit", (code, signal) => {
    if (!stopping) console.error(`instance ${name} exited early (code ${code}, signal ${signal})`);
  });
  cleanups.push(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  });
  return child;
}
async function json(url: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(url, init);
  return { status: response.status, body: await response.json() };
}

/** "429 RATE_LIMITED": the status and the problem JSON's code (never the body, which may carry personal data). */
function describe(status: number, body: string): string {
  try {
    const code = (JSON.parse(body) as { error?: { code?: unknown } }).error?.code;
    return typeof code === "string" ? `${status} ${code}` : String(status);
  } catch {
    return String(status);
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return Number(line?.split(" ")[1] ?? Number.NaN);
}

// ---- the run ------------------------------------------------------------------------------------
type Kind = "verify (e-Proof JSON)" | "verify (QR text)" | "issue (POST /documents)";
interface KindStats {
  latencies: number[];
  ok: number;
  unexpected: Map<string, number>;
}

async function main(): Promise<number> {
  const failures: string[] = [];
  console.error("starting anvil, deploying the contracts, creating the PostgreSQL schema…");
  startup = startSharedDeployment();
  const shared = await startup;
  cleanups.push(() => shared.stop());
  if (cleaning) throw new Error("interrupted");
  console.error(`schema ${shared.schema.schema}; starting two instances…`);
  const urls: string[] = [];
  for (const name of ["A", "B"]) {
    const port = await freePort();
    startInstance(shared, port, name);
    urls.push(`http://127.0.0.1:${port}`);
  }
  for (const url of urls) await waitFor(`${url}/healthz/ready`, 60_000);
  if (cleaning) throw new Error("interrupted");
  const [urlA, urlB] = urls as [string, string];
  const officer = { authorization: `Bearer ${shared.apiKey}`, "content-type": "application/json" };

  // The pool: distinct documents issued through A, anchored, then read back through B (one database).
  console.error(`issuing and anchoring a pool of ${poolSize} documents…`);
  const batch = await json(`${urlA}/api/v1/batches`, {
    method: "POST",
    headers: officer,
    body: JSON.stringify({
      type: TYPICAL_LICENCE.type,
      items: Array.from({ length: poolSize }, (_, i) => ({ ...TYPICAL_LICENCE.data, documentNumber: `POOL-${String(i).padStart(6, "0")}` })),
    }),
  });
  if (batch.status !== 202) throw new Error(`pool issuance answered ${batch.status}`);
  const poolIds = (batch.body.documents as Array<{ id: string }>).map((d) => d.id);
  const verifyJsonBodies: string[] = [];
  const verifyQrBodies: string[] = [];
  for (const id of poolIds) {
    let view: any;
    const deadline = Date.now() + 60_000;
    for (;;) {
      view = (await json(`${urlB}/api/v1/documents/${id}`, { headers: officer })).body;
      if (view.anchoring === "ANCHORED") break;
      if (Date.now() > deadline) throw new Error(`pool document ${id} not anchored within 60 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const file = (await json(`${urlB}/api/v1/documents/${id}/eproof.json`, { headers: officer })).body;
    verifyJsonBodies.push(JSON.stringify({ document: file }));
    verifyQrBodies.push(JSON.stringify({ qr: view.verifyUrl }));
  }
  for (const url of urls) {
    for (const body of [verifyJsonBodies.at(-1), verifyQrBodies.at(-1)]) {
      const check = await json(`${url}/api/v1/verify`, { method: "POST", headers: { "content-type": "application/json" }, body });
      if (check.status !== 200 || check.body.verdict !== "VALID")
        throw new Error(`pool document verifies ${check.status} ${check.body.verdict}, not 200 VALID`);
    }
  }

  // The load.
  const stats = new Map<Kind, KindStats>();
  const statsOf = (kind: Kind): KindStats => {
    const known = stats.get(kind);
    if (known) return known;
    const fresh: KindStats = { latencies: [], ok: 0, unexpected: new Map() };
    stats.set(kind, fresh);
    return fresh;
  };
  const issuedIds: string[] = [];
  const runId = Date.now().toString(36);
  let counter = 0;
  // autocannon calls a request's onResponse and then, synchronously, emits "response" with its
  // latency (one request in flight per connection): `answered` carries the kind across.
  let answered: { kind: Kind; ok: boolean; why: string } | undefined;
  const pick = (bodies: string[]) => bodies[Math.floor(Math.random() * bodies.length)] as string;
  const verify = (kind: Kind, bodies: string[]): autocannon.Request => ({
    method: "POST",
    path: "/api/v1/verify",
    headers: { "content-type": "application/json" },
    setupRequest: (req) => ({ ...req, body: pick(bodies) }),
    onResponse: (status, body) => {
      const ok = status === 200 && body.includes('"verdict":"VALID"');
      answered = { kind, ok, why: status === 200 ? "200 not VALID" : describe(status, body) };
    },
  });
  const issue = (instance: string): autocannon.Request => ({
    method: "POST",
    path: "/api/v1/documents",
    headers: officer,
    setupRequest: (req) => {
      counter += 1;
      return {
        ...req,
        body: JSON.stringify({
          type: TYPICAL_LICENCE.type,
          data: { ...TYPICAL_LICENCE.data, documentNumber: `LOAD-${instance}-${String(counter).padStart(7, "0")}` },
          idempotencyKey: `bench-load-${runId}-${instance}-${counter}`,
        }),
      };
    },
    onResponse: (status, body) => {
      let ok = false;
      if (status === 202) {
        try {
          const id = (JSON.parse(body) as { id?: unknown }).id;
          if (typeof id === "string") {
            issuedIds.push(id);
            ok = true;
          }
        } catch {
          // counted below
        }
      }
      answered = { kind: "issue (POST /documents)", ok, why: status === 202 ? "202 without id" : describe(status, body) };
    },
  });
  const mix = (instance: string): autocannon.Request[] => [
    verify("verify (e-Proof JSON)", verifyJsonBodies),
    verify("verify (QR text)", verifyQrBodies),
    issue(instance),
    verify("verify (e-Proof JSON)", verifyJsonBodies),
    verify("verify (QR text)", verifyQrBodies),
  ];

  console.error(`load: ${durationS} s, ${connectionsPerInstance} connections on each of the 2 instances, 80% verify / 20% issue…`);
  const started = performance.now();
  const runs = urls.map((url, i) => {
    // Without a callback autocannon returns its tracker, an event emitter that is also the result's promise.
    const instance = autocannon({
      url,
      connections: connectionsPerInstance,
      duration: durationS,
      requests: mix(i === 0 ? "A" : "B"),
    }) as unknown as Promise<autocannon.Result> & EventEmitter & { stop: () => void };
    loads.push(instance);
    instance.on("response", (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
      if (!answered) return;
      const s = statsOf(answered.kind);
      s.latencies.push(responseTime);
      if (answered.ok) s.ok += 1;
      else s.unexpected.set(answered.why, (s.unexpected.get(answered.why) ?? 0) + 1);
      answered = undefined;
    });
    return instance;
  });
  const results = await Promise.all(runs);
  if (cleaning) throw new Error("interrupted");
  const elapsedS = (performance.now() - started) / 1000;
  const errors = results.reduce((a, r) => a + r.errors, 0);
  const timeouts = results.reduce((a, r) => a + r.timeouts, 0);
  const non2xx = results.reduce((a, r) => a + r.non2xx, 0);
  const perInstance = results.map((r) => r.requests.total);

  // After the load: every document anchored, each root on chain once.
  console.error(`load done (${issuedIds.length} documents issued); waiting for both outboxes to empty…`);
  const drainStart = performance.now();
  const drainDeadline = Date.now() + 180_000;
  let outboxes: number[] = [];
  for (;;) {
    outboxes = await Promise.all(urls.map(async (url) => Number((await json(`${url}/healthz`)).body?.outbox?.unanchored)));
    if (outboxes.every((n) => n === 0)) break;
    if (Date.now() > drainDeadline) {
      failures.push(`outbox not empty after 180 s: ${outboxes.join(", ")}`);
      break;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const drainS = (performance.now() - drainStart) / 1000;
  const chainRoots = await shared.anchoredRoots();
  if (new Set(chainRoots).size !== chainRoots.length)
    failures.push(`a root is anchored more than once (${chainRoots.length} events, ${new Set(chainRoots).size} roots)`);
  // Every document the load got a 202 for is in an anchored batch (through the store, as the service reads it)…
  const store = await PgStore.open({ connectionString: shared.schema.url, maxConnections: 4 });
  let notAnchored = 0;
  try {
    const answered = [...poolIds, ...issuedIds];
    for (let i = 0; i < answered.length; i += 32) {
      const documents = await Promise.all(answered.slice(i, i + 32).map((id) => store.getDocument(id)));
      notAnchored += documents.filter((d) => d?.batch?.state !== "ANCHORED" || !d.batch.root).length;
    }
  } finally {
    await store.close();
  }
  if (notAnchored > 0) failures.push(`${notAnchored} documents answered 202 are not in an anchored batch`);
  // …and so is every document in the database (also those whose answer autocannon cut off at the end),
  // and the batches of the database are exactly the roots on chain.
  const db = new pg.Client({ connectionString: shared.schema.url });
  await db.connect();
  let documentsInDb = 0;
  let batchRoots = new Set<string>();
  try {
    documentsInDb = Number((await db.query("SELECT count(*) AS n FROM documents")).rows[0]?.n);
    const unanchored = Number(
      (await db.query("SELECT count(*) AS n FROM documents d LEFT JOIN batches b ON b.id = d.batch_id WHERE b.state IS DISTINCT FROM 'ANCHORED'")).rows[0]?.n,
    );
    if (unanchored > 0) failures.push(`${unanchored} documents in the database are not in an anchored batch`);
    batchRoots = new Set((await db.query("SELECT root FROM batches")).rows.map((r: { root: string }) => r.root.toLowerCase()));
  } finally {
    await db.end();
  }
  if (documentsInDb < poolIds.length + issuedIds.length)
    failures.push(`${documentsInDb} documents in the database, fewer than the ${poolIds.length + issuedIds.length} answered`);
  const onChain = new Set(chainRoots.map((r) => r.toLowerCase()));
  const missing = [...batchRoots].filter((r) => !onChain.has(r)).length;
  const extra = [...onChain].filter((r) => !batchRoots.has(r)).length;
  if (missing > 0 || extra > 0) failures.push(`batch roots vs chain: ${missing} not on chain, ${extra} on chain but not a batch of ours`);
  const anchoredBy = await Promise.all(urls.map((url) => metric(url, "eproof_batches_anchored_total")));

  // The table.
  const rows: string[][] = [["kind", "requests", "req/s", "p50 ms", "p99 ms", "unexpected"]];
  const all: number[] = [];
  let unexpectedTotal = 0;
  for (const kind of ["verify (e-Proof JSON)", "verify (QR text)", "issue (POST /documents)"] as Kind[]) {
    const s = statsOf(kind);
    const sorted = [...s.latencies].sort((a, b) => a - b);
    all.push(...sorted);
    const unexpected = [...s.unexpected.values()].reduce((a, b) => a + b, 0);
    unexpectedTotal += unexpected;
    rows.push([
      kind,
      String(sorted.length),
      (sorted.length / elapsedS).toFixed(0),
      percentile(sorted, 50).toFixed(1),
      percentile(sorted, 99).toFixed(1),
      unexpected === 0 ? "0" : [...s.unexpected.entries()].map(([why, n]) => `${why} ×${n}`).join(", "),
    ]);
  }
  all.sort((a, b) => a - b);
  rows.push([
    "total",
    String(all.length),
    (all.length / elapsedS).toFixed(0),
    percentile(all, 50).toFixed(1),
    percentile(all, 99).toFixed(1),
    String(unexpectedTotal),
  ]);
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  const line = (r: string[]) => `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(" | ")} |`;
  const verifyShare = all.length ? (100 * (all.length - statsOf("issue (POST /documents)").latencies.length)) / all.length : 0;
  console.log(`\ne-Proof load test — ${new Date().toISOString()} — Node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? "?"})`);
  console.log(
    `2 instances on one PostgreSQL schema and one anvil chain, loopback; ${durationS} s, ${connectionsPerInstance} connections per instance; the load generator shares the machine.\n`,
  );
  console.log(line(rows[0] ?? []));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const r of rows.slice(1)) console.log(line(r));
  console.log(
    `\nmix: ${verifyShare.toFixed(1)}% verify; requests per instance: ${perInstance.join(" / ")}; autocannon errors ${errors}, timeouts ${timeouts}, non-2xx ${non2xx}`,
  );
  console.log(
    `after the load: ${documentsInDb} documents in the database (${poolIds.length} pool + ${issuedIds.length} answered 202 + ${documentsInDb - poolIds.length - issuedIds.length} cut off at the end) in ${batchRoots.size} batches, all anchored ${drainS.toFixed(1)} s after the load ended; ${chainRoots.length} BatchAnchored events, ${onChain.size} distinct roots; batches anchored by A / B: ${anchoredBy.join(" / ")}; outbox ${outboxes.join(" / ")}`,
  );
  if (errors > 0 || timeouts > 0) failures.push(`${errors} connection errors, ${timeouts} timeouts`);
  if (non2xx > 0) failures.push(`${non2xx} non-2xx answers`);
  if (unexpectedTotal > 0) failures.push(`${unexpectedTotal} answers not 200 VALID (verify) or 202 (issue)`);
  for (const f of failures) console.log(`FAILED: ${f}`);
  if (failures.length === 0) console.log("OK: no errors, every answer as expected, every document anchored, every root on chain once.");
  // The last line, for comparing runs: errors are the requests that failed or answered other than expected
  // (a non-2xx answer is one of those); a failed check after the load shows above and in the exit code.
  const benchLoad = {
    reqPerS: Math.round(all.length / elapsedS),
    p99Ms: Math.round(percentile(all, 99)),
    errors: errors + timeouts + unexpectedTotal,
    instances: urls.length,
  };
  console.log(`\nBENCH_LOAD ${JSON.stringify(benchLoad)}`);
  return failures.length === 0 ? 0 : 1;
}

let code = 1;
try {
  code = await main();
} catch (error) {
  if (!interrupted) console.error(`bench:load failed: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  stopping = true;
  await cleanup();
}
process.exit(interrupted ? 130 : code);
