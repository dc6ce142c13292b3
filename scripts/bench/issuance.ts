/**
 * The in-process issuance measure of `npm run bench`, run in a process of its own per measurement
 * (`node scripts/bench/issuance.ts ours|oa <count>`), importing only what issuance needs, so that
 * its peak memory is issuance's alone. Prints one JSON line.
 *   ours: <count> licences validated, built and signed on the issuance worker threads (one per core,
 *         as the service runs them; started before the clock starts, as the service starts them),
 *         stored durably in SQLite and sealed into one Merkle batch; peak RSS of the whole process
 *         (worker threads included), sampled every 10 ms.
 *   oa:   OpenAttestation's wrapDocuments over the same licences, for the ratio.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pooledRandom } from "../../services/adapters/random/pooled-random.ts";
import { FileKeyRing } from "../../services/adapters/signing/file-key-ring.ts";
import { IssuanceWorkers } from "../../services/adapters/signing/issuance-workers.ts";
import { SqliteStore } from "../../services/adapters/store/sqlite-store.ts";
import { merkleTree } from "../../services/domain/merkle.ts";
import { issueDocuments } from "../../services/use-cases/issue-documents.ts";

export interface IssuanceFigure {
  perSecond: number;
  ms: number;
  rssMiB: number;
  /** CPU time per document, all threads of the process (user + system), µs: what a busy machine changes least. */
  cpuUsPerDoc: number;
}

const root = new URL("../..", import.meta.url).pathname;
const licence = JSON.parse(readFileSync(join(root, "docs/examples/licence.json"), "utf8")) as { data: Record<string, unknown> };

function licenceNumber(i: number): Record<string, unknown> {
  return { ...licence.data, documentNumber: `FFL-2026-${String(i).padStart(6, "0")}` };
}

function peakRss(): { stop: () => number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss());
    },
  };
}

async function ours(count: number): Promise<IssuanceFigure> {
  const dir = mkdtempSync(join(tmpdir(), "eproof-bench-"));
  const store = new SqliteStore(join(dir, "db.sqlite"));
  const keyRing = new FileKeyRing(join(dir, "keys"));
  keyRing.createKey("DEMO");
  const builder = new IssuanceWorkers({ keys: keyRing });
  await builder.ready();
  const items = Array.from({ length: count }, (_, i) => licenceNumber(i));
  global.gc?.();
  const memory = peakRss();
  const cpu = process.cpuUsage();
  const started = performance.now();
  await issueDocuments(
    { store, signer: keyRing, builder, clock: { now: () => Date.now() }, random: pooledRandom() },
    { department: "DEMO", type: "licence", items },
  );
  await store.sealBatch("DEMO", "licence", count, merkleTree);
  const ms = performance.now() - started;
  const { user, system } = process.cpuUsage(cpu);
  const rss = memory.stop();
  await builder.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return { perSecond: (count / ms) * 1000, ms, rssMiB: rss / 2 ** 20, cpuUsPerDoc: (user + system) / count };
}

function openAttestation(count: number): number {
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

if (import.meta.url === `file://${process.argv[1]}`) {
  const [which, count] = [process.argv[2], Number(process.argv[3])];
  console.log(JSON.stringify(which === "oa" ? openAttestation(count) : await ours(count)));
}
