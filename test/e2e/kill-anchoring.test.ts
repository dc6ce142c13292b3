/**
 * kill -9 of a service instance at random moments while it anchors, round after round, restarting it
 * on the same PostgreSQL schema and chain each time: every accepted (202) document must end up
 * anchored, each batch root exactly once on chain, none lost.
 *
 * Loading the service takes a node process 1-2 s of CPU, so the next instance is already starting
 * while the current one works: kills hit an instance alone or next to one still loading (or just
 * up), which is the "several instances" case as well as the "restart" one.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PgStore } from "../../services/adapters/store/pg-store.ts";
import { seededRandom } from "../property-seed.ts";
import { type SharedDeployment, startSharedDeployment, waitUntilNoneUnanchored } from "./shared-deployment.ts";
import { api, freePort, TYPICAL_LICENCE } from "./test-service.ts";

/** 20 by default; EPROOF_KILL_ROUNDS changes it for a quick local run. */
const ROUNDS = Number(process.env.EPROOF_KILL_ROUNDS ?? 20);

interface Child {
  process: ChildProcess;
  url: string;
}

const spawned: ChildProcess[] = [];

async function startChild(env: Record<string, string>): Promise<Child> {
  const port = await freePort();
  const child = spawn(process.execPath, ["services/main.ts"], { env: { ...process.env, ...env, PORT: String(port) }, stdio: "ignore" });
  spawned.push(child);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode} at start`);
    const up = await fetch(`${url}/healthz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (up) return { process: child, url };
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill("SIGKILL");
  throw new Error("the service did not start within 60 s");
}

async function kill9(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

describe("kill -9 during anchoring (PostgreSQL, external chain)", () => {
  let shared: SharedDeployment;

  beforeAll(async () => {
    shared = await startSharedDeployment();
  });
  afterAll(async () => {
    for (const child of spawned) await kill9(child);
    await shared?.stop();
  });

  it(`loses no accepted document and anchors each batch once across ${ROUNDS} killed instances`, { timeout: 300_000 }, async () => {
    const env = { ...shared.env, EPROOF_BATCH_MAX_WAIT_MS: "20", EPROOF_BATCH_SIZE: "3" };
    const accepted: string[] = [];
    let killedWithWork = 0;
    let killedMidSend = 0;
    const probe = await PgStore.open({ connectionString: shared.schema.url, maxConnections: 1 });
    const random = seededRandom();
    let next = startChild(env);
    next.catch(() => undefined);
    for (let round = 0; round < ROUNDS; round++) {
      const current = await next;
      next = startChild(env);
      next.catch(() => undefined); // awaited next round; an early failure must not go unhandled
      const client = { url: current.url, apiKey: shared.apiKey };
      // Documents keep arriving while the instance seals and anchors; it dies somewhere in there:
      // a random moment after the third acceptance, with later requests still in flight.
      let answered = 0;
      let third: () => void = () => undefined;
      const thirdAnswered = new Promise<void>((resolve) => {
        third = resolve;
      });
      const issuing = Array.from({ length: 6 }, async (_, i) => {
        await new Promise((r) => setTimeout(r, i * 30));
        const response = await api(client, "POST", "/api/v1/documents", TYPICAL_LICENCE).catch(() => null);
        if (response?.status === 202) accepted.push(String(response.body.id));
        if (++answered === 3) third();
      });
      await Promise.race([thirdAnswered, Promise.all(issuing)]);
      await new Promise((r) => setTimeout(r, Math.floor(random() * 150)));
      if ((await probe.countUnanchored()) > 0) killedWithWork++;
      if ((await probe.unfinishedBatches()).some((batch) => batch.state === "SENT")) killedMidSend++;
      await kill9(current.process);
      await Promise.all(issuing);
    }
    await probe.close();
    console.info(`kill -9 rounds: ${ROUNDS}, accepted: ${accepted.length}, killed with work queued: ${killedWithWork}, with a batch SENT: ${killedMidSend}`);
    expect(accepted.length).toBeGreaterThanOrEqual(ROUNDS * 3);
    // Most kills must have hit an instance with work in hand, or the test proves little.
    expect(killedWithWork).toBeGreaterThanOrEqual(ROUNDS / 2);

    await next;
    const store = await PgStore.open({ connectionString: shared.schema.url, maxConnections: 2 });
    try {
      await waitUntilNoneUnanchored(store);
      const roots = await shared.anchoredRoots();
      expect(new Set(roots).size).toBe(roots.length);
      const onChain = new Set(roots);
      for (const id of accepted) {
        const document = await store.getDocument(id);
        expect(document?.batch?.state, `document ${id}`).toBe("ANCHORED");
        expect(onChain.has(String(document?.batch?.root)), `root of ${id} on chain`).toBe(true);
      }
      const batches = await store.recentAnchoredBatches(10_000);
      expect(batches.map((b) => b.root).sort()).toEqual([...roots].sort());
    } finally {
      await store.close();
    }
  });
});
