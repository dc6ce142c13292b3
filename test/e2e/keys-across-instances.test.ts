/**
 * Key custody across instances: two service processes A and B (default roles) on one PostgreSQL
 * schema and one anvil chain, with the same custody key and data folders of their own that start
 * empty, so every key either of them uses comes from the shared custody and nothing from files.
 * What one instance's administrator does to a key (rotate, mark compromised, onboard) must reach
 * the other within seconds, without a restart.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Contract, encodeBytes32String } from "ethers";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadArtifact } from "../../services/adapters/chain/contract-artifacts.ts";
import { createRpcProvider } from "../../services/adapters/chain/rpc-provider.ts";
import { PgStore } from "../../services/adapters/store/pg-store.ts";
import { type SharedDeployment, startSharedDeployment } from "./shared-deployment.ts";
import { api, downloadEProof, freePort, removeDataDir, stealFromCustody, type TestService, TYPICAL_LICENCE, waitUntilAnchored } from "./test-service.ts";

/** How soon a change made through one instance must be in force on the other. */
const PROPAGATION_MS = 5_000;

interface Client {
  url: string;
  apiKey: string;
}

interface Instance {
  name: string;
  url: string;
  dataDir: string;
  child: ChildProcess;
  /** The last lines the process wrote to stderr, for a failure message. */
  stderr: string[];
}

const spawned: ChildProcess[] = [];
const dataDirs: string[] = [];

async function startInstance(name: string, env: Record<string, string>): Promise<Instance> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), `eproof-keys-${name}-`));
  dataDirs.push(dataDir);
  const child = spawn(process.execPath, ["services/main.ts"], {
    env: { ...process.env, ...env, PORT: String(port), EPROOF_DATA_DIR: dataDir },
    stdio: ["ignore", "ignore", "pipe"],
  });
  spawned.push(child);
  const stderr: string[] = [];
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr.push(chunk);
    if (stderr.length > 20) stderr.shift();
  });
  const url = `http://127.0.0.1:${port}`;
  // Loading the service takes a node process a few seconds of CPU on a busy machine.
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`instance ${name} exited with ${child.exitCode} at start: ${stderr.join("")}`);
    const up = await fetch(`${url}/healthz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (up) return { name, url, dataDir, child, stderr };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  throw new Error(`instance ${name} did not start within 90 s: ${stderr.join("")}`);
}

async function stopInstance(instance: Instance): Promise<void> {
  const { child } = instance;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  await exited;
  clearTimeout(timer);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Calls `attempt` until it returns a value or `ms` have passed; returns the value and how long it took. */
async function within<T>(ms: number, what: () => string, attempt: () => Promise<T | undefined>): Promise<{ value: T; elapsedMs: number }> {
  const start = Date.now();
  for (;;) {
    const value = await attempt();
    const elapsedMs = Date.now() - start;
    if (value !== undefined) return { value, elapsedMs };
    if (elapsedMs > ms) throw new Error(`${what()}: not within ${ms} ms`);
    await sleep(50);
  }
}

/** The kid in the JWS protected header of an e-Proof file. */
function kidOf(eproof: { signature: { jws: string } }): string {
  return String(JSON.parse(Buffer.from(String(eproof.signature.jws.split(".")[0]), "base64url").toString("utf8")).kid);
}

const numberOf = (kid: string) => Number(kid.slice(kid.lastIndexOf("-") + 1));

// The helpers of test-service.ts take a TestService but read only its url and apiKey.
const asService = (client: Client) => client as TestService;

interface Issued {
  status: number;
  body: any;
  id?: string;
  kid?: string;
}

/** Issues a licence; an accepted one comes back with the kid it was signed with (the file has its JWS before anchoring). */
async function issue(client: Client): Promise<Issued> {
  const { status, body } = await api(client, "POST", "/api/v1/documents", TYPICAL_LICENCE);
  if (status !== 202) return { status, body };
  const id = String(body.id);
  return { status, body, id, kid: kidOf(await downloadEProof(asService(client), id)) };
}

describe("signing keys and anchoring accounts across two instances on PostgreSQL", () => {
  let shared: SharedDeployment;
  let env: Record<string, string>;
  let officerKey: string;
  let adminKey: string;
  let a: Instance | null = null;
  let b: Instance;

  /** Instance A, started again (with a fresh data folder) when a test stopped it. */
  async function instanceA(): Promise<Instance> {
    if (a && a.child.exitCode === null && a.child.signalCode === null) return a;
    a = await startInstance("a", env);
    return a;
  }

  const officer = (instance: Instance): Client => ({ url: instance.url, apiKey: officerKey });
  const admin = (instance: Instance): Client => ({ url: instance.url, apiKey: adminKey });

  async function describeDepartment(instance: Instance, code: string) {
    const described = await api(admin(instance), "GET", `/api/v1/admin/departments/${code}`);
    expect(described.status).toBe(200);
    return described.body as {
      signingKeys: Array<{ kid: string | null; thumbprint: string; validUntil: string | null; compromisedAt: string | null }>;
      anchorers: string[];
    };
  }

  /** DEMO's signing key: the newest on chain, rotated first if an earlier test left it compromised. */
  async function usableDemoKid(instance: Instance): Promise<string> {
    const newest = (await describeDepartment(instance, "DEMO")).signingKeys.at(-1);
    if (newest?.kid && newest.validUntil === null && newest.compromisedAt === null) return newest.kid;
    const rotated = await api(admin(instance), "POST", "/api/v1/admin/departments/DEMO/keys/rotate", {});
    expect(rotated.status).toBe(200);
    return String(rotated.body.current.kid);
  }

  /**
   * Issues through `instance` until a document is signed with `kid`, which must happen within
   * PROPAGATION_MS. Returns the issuances refused meanwhile, for the caller to judge.
   */
  async function issueUntilSignedWith(instance: Instance, kid: string): Promise<{ id: string; elapsedMs: number; refusals: Issued[] }> {
    const refusals: Issued[] = [];
    const what = () => `instance ${instance.name} signing with ${kid} (refused ${refusals.length} times, last: ${refusals.at(-1)?.body?.error?.message})`;
    const { value, elapsedMs } = await within(PROPAGATION_MS, what, async () => {
      const issued = await issue(officer(instance));
      if (issued.status !== 202) refusals.push(issued);
      return issued.kid === kid ? issued.id : undefined;
    });
    return { id: String(value), elapsedMs, refusals };
  }

  async function verdictOf(instance: Instance, id: string, owner: Client): Promise<string> {
    await waitUntilAnchored(asService(owner), id);
    const eproof = await downloadEProof(asService(owner), id);
    const { status, body } = await api(officer(instance), "POST", "/api/v1/verify", { document: eproof });
    expect(status).toBe(200);
    return String(body.verdict);
  }

  async function onChain<T>(work: (registry: Contract) => Promise<T>): Promise<T> {
    const provider = createRpcProvider(shared.chain.rpcUrl, 852);
    try {
      return await work(new Contract(shared.deployment.issuerRegistry, loadArtifact("IssuerRegistry").abi, provider));
    } finally {
      provider.destroy();
    }
  }

  beforeAll(async () => {
    shared = await startSharedDeployment();
    const credentials = JSON.parse(readFileSync(join(shared.dataDir, "dev-credentials.json"), "utf8")) as { apiKey: string; adminApiKey: string };
    officerKey = credentials.apiKey;
    adminKey = credentials.adminApiKey;
    env = {
      ...shared.env,
      EPROOF_GOVERNANCE_KEY: shared.deployment.adminKey,
      // The chain is anvil: the administrator's account pays each new anchoring account's gas.
      EPROOF_ANCHOR_FUNDING_WEI: "1000000000000000000",
    };
    [a, b] = await Promise.all([startInstance("a", env), startInstance("b", env)]);
  }, 240_000);
  afterAll(async () => {
    for (const child of spawned) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGKILL");
        await exited;
      }
    }
    await shared?.stop();
    for (const dir of dataDirs) removeDataDir(dir);
  });

  it("a key rotated through one instance signs on the other within seconds, without a restart", { timeout: 120_000 }, async () => {
    const first = await instanceA();
    const before = await usableDemoKid(first);
    // B has signed with the current key (and read the key mirror) just before the rotation.
    expect((await issue(officer(b))).kid).toBe(before);

    const rotated = await api(admin(first), "POST", "/api/v1/admin/departments/DEMO/keys/rotate", {});
    expect(rotated.status).toBe(200);
    const kid = String(rotated.body.current.kid);
    expect(numberOf(kid)).toBeGreaterThan(numberOf(before));

    const { id, refusals } = await issueUntilSignedWith(b, kid);
    expect(refusals.map((r) => [r.status, r.body?.error?.message])).toEqual([]);
    expect(await verdictOf(first, id, officer(b))).toBe("VALID");
  });

  it("a key marked compromised through one instance is no longer used by any instance", { timeout: 120_000 }, async () => {
    const first = await instanceA();
    const kid = await usableDemoKid(first);
    expect((await issue(officer(b))).kid).toBe(kid);

    const marked = await api(admin(first), "POST", `/api/v1/admin/departments/DEMO/keys/${kid}/compromised`, { at: new Date().toISOString() });
    expect(marked.status).toBe(200);
    const { value: refused } = await within(
      PROPAGATION_MS,
      () => `instance b refusing to sign with ${kid}`,
      async () => {
        const issued = await issue(officer(b));
        return issued.status === 202 ? undefined : issued;
      },
    );
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: "FORBIDDEN", message: expect.stringMatching(/compromised/) });

    // From the first refusal on, no instance signs anything with that key.
    const db = new pg.Client({ connectionString: shared.schema.url });
    await db.connect();
    try {
      const mark = Number((await db.query("SELECT coalesce(max(seq), 0) AS seq FROM documents")).rows[0].seq);
      for (let round = 0; round < 3; round++) {
        for (const instance of [b, first]) {
          const again = await issue(officer(instance));
          expect(again.status).toBe(403);
          expect(again.body.error.message).toMatch(/compromised/);
        }
      }

      const rotated = await api(admin(b), "POST", "/api/v1/admin/departments/DEMO/keys/rotate", {});
      expect(rotated.status).toBe(200);
      const renewed = String(rotated.body.current.kid);
      expect(renewed).not.toBe(kid);
      const onB = await issueUntilSignedWith(b, renewed);
      const onA = await issueUntilSignedWith(first, renewed);
      // Until it sees the new key, A may still refuse for the compromised one, and for nothing else.
      expect(onB.refusals).toEqual([]);
      for (const refusal of onA.refusals) expect([refusal.status, refusal.body?.error?.message]).toEqual([403, expect.stringMatching(/compromised/)]);
      expect(await verdictOf(first, onA.id, officer(first))).toBe("VALID");

      const files = await db.query("SELECT d.id, f.json FROM documents d JOIN document_files f ON f.seq = d.seq WHERE d.seq > $1", [mark]);
      expect(files.rows.length).toBeGreaterThan(0);
      const signedWithCompromised = files.rows.filter((row) => kidOf(JSON.parse(String(row.json))) === kid).map((row) => String(row.id));
      expect(signedWithCompromised).toEqual([]);
    } finally {
      await db.end();
    }
  });

  it("a key number is never reused, even after a lost key folder", { timeout: 120_000 }, async () => {
    const first = await instanceA();
    await usableDemoKid(first);
    // No instance keeps a signing key or an anchoring key in its data folder: they live in custody only.
    const store = await PgStore.open({ connectionString: shared.schema.url, maxConnections: 1 });
    let secrets: string[];
    try {
      const stolen = await stealFromCustody(store, shared.env.EPROOF_CUSTODY_KEY_FILE as string, "DEMO");
      const numbers = (await store.signingKeys()).filter((k) => k.department === "DEMO").map((k) => k.keyNumber);
      secrets = [
        ...numbers.map((n) => String((stolen.signingKey(n).export({ format: "jwk" }) as { d: string }).d)),
        ...stolen.anchoringKeys.map((key) => key.replace(/^0x/, "").toLowerCase()),
      ];
    } finally {
      await store.close();
    }
    for (const instance of [first, b]) {
      const files = filesUnder(instance.dataDir);
      expect(files.filter((f) => f.startsWith("keys/") || /^[A-Z0-9-]+-\d+\.private\.jwk\.json$/.test(f.split("/").at(-1) ?? ""))).toEqual([]);
      for (const file of files) {
        const text = readFileSync(join(instance.dataDir, file), "latin1").toLowerCase();
        expect(secrets.filter((s) => text.includes(s.toLowerCase())).length, `${instance.name}:${file}`).toBe(0);
      }
    }

    const jwksKids = async (instance: Instance) =>
      ((await api(officer(instance), "GET", "/.well-known/jwks.json")).body.keys as Array<{ kid: string; dept: string }>)
        .filter((k) => k.dept === "DEMO")
        .map((k) => k.kid);
    const earlier = await jwksKids(first);
    expect(earlier.length).toBeGreaterThan(0);

    // The key folder is lost with the whole data folder: A starts again on a fresh one.
    await stopInstance(first);
    removeDataDir(first.dataDir);
    const restarted = await instanceA();
    expect(restarted.dataDir).not.toBe(first.dataDir);

    const rotated = await api(admin(restarted), "POST", "/api/v1/admin/departments/DEMO/keys/rotate", {});
    expect(rotated.status).toBe(200);
    const kid = String(rotated.body.current.kid);
    expect(numberOf(kid)).toBeGreaterThan(Math.max(...earlier.map(numberOf)));
    const { refusals } = await issueUntilSignedWith(b, kid);
    expect(refusals.map((r) => [r.status, r.body?.error?.message])).toEqual([]);

    for (const instance of [restarted, b]) {
      const kids = await jwksKids(instance);
      expect(kids).toEqual(expect.arrayContaining([...earlier, kid]));
      expect(new Set(kids).size).toBe(kids.length);
      expect(new Set(kids.map(numberOf)).size).toBe(kids.length);
    }
    const fingerprints = await onChain(async (registry) => (await registry.getFunction("signingKeys")(encodeBytes32String("DEMO"))) as string[]);
    expect(fingerprints.length).toBe((await jwksKids(restarted)).length);
    expect(new Set(fingerprints.map((f) => f.toLowerCase())).size).toBe(fingerprints.length);
  });

  it("an anchoring account created through one instance anchors on the other", { timeout: 120_000 }, async () => {
    const first = await instanceA();
    const code = `NEW-${Date.now().toString(36).toUpperCase()}`;
    const onboarded = await api(admin(first), "POST", "/api/v1/admin/departments", {
      code,
      name: { en: "New Department", zhHK: "新部門" },
      types: ["licence"],
    });
    expect(onboarded.status).toBe(201);
    expect(onboarded.body.anchorers).toHaveLength(1);
    const account = String(onboarded.body.anchorers[0]).toLowerCase();
    const created = await api(admin(first), "POST", "/api/v1/admin/api-keys", { department: code, label: "licensing officer", types: ["licence"] });
    expect(created.status).toBe(201);
    const newOfficer: Client = { url: b.url, apiKey: String(created.body.apiKey) };
    const demoAnchorers = (await describeDepartment(b, "DEMO")).anchorers.map((address) => address.toLowerCase());
    expect(demoAnchorers).not.toContain(account);

    // Only B runs now, so B is the one that signs and anchors with what A created.
    await stopInstance(first);
    const issued = await issue(newOfficer);
    expect([issued.status, issued.body?.error?.message]).toEqual([202, undefined]);
    expect(issued.kid).toBe(`${code}-1`);
    const id = String(issued.id);
    await waitUntilAnchored(asService(newOfficer), id);
    const eproof = await downloadEProof(asService(newOfficer), id);
    const verdict = await api(newOfficer, "POST", "/api/v1/verify", { document: eproof });
    expect(verdict.body.verdict).toBe("VALID");

    const provider = createRpcProvider(shared.chain.rpcUrl, 852);
    try {
      const transaction = await provider.getTransaction(String(eproof.anchor.txHash));
      expect(transaction?.from.toLowerCase()).toBe(account);
      expect(demoAnchorers).not.toContain(transaction?.from.toLowerCase());
    } finally {
      provider.destroy();
    }
  });
});

/** Every file under `dir`, as paths relative to it with "/". */
function filesUnder(dir: string, prefix = ""): string[] {
  const found: string[] = [];
  for (const name of readdirSync(join(dir, prefix))) {
    const relative = prefix ? `${prefix}/${name}` : name;
    if (statSync(join(dir, relative)).isDirectory()) found.push(...filesUnder(dir, relative));
    else found.push(relative);
  }
  return found;
}
