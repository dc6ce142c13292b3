import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Contract, encodeBytes32String, Wallet } from "ethers";
import { compactVerify, createLocalJWKSet, decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadArtifact } from "../../services/adapters/chain/contract-artifacts.ts";
import { Governance } from "../../services/adapters/chain/governance.ts";
import { createRpcProvider } from "../../services/adapters/chain/rpc-provider.ts";
import { api, removeDataDir, startTestService, type TestService, TYPICAL_LICENCE } from "./test-service.ts";
import { payloadOf, type Received, Receiver } from "./webhook-receiver.ts";

let service: TestService;
const receiver = new Receiver();

beforeAll(async () => {
  await receiver.start();
  service = await startTestService({
    // The receiver is on this machine: private addresses (and plain http to localhost) allowed.
    env: { EPROOF_FOLLOW_POLL_MS: "100", EPROOF_FOLLOW_GRACE_MS: "200", EPROOF_WEBHOOK_RETRY_BASE_MS: "100", EPROOF_WEBHOOK_ALLOW_PRIVATE: "true" },
  });
});

afterAll(async () => {
  await service?.stop();
  if (service) removeDataDir(service.dataDir);
  await receiver.stop();
});

async function issueLicences(count: number): Promise<string[]> {
  const items = Array.from({ length: count }, (_, i) => ({ ...TYPICAL_LICENCE.data, documentNumber: `FFL-2026-${String(i).padStart(6, "0")}` }));
  const { status, body } = await api(service, "POST", "/api/v1/batches", { type: "licence", items });
  expect(status).toBe(202);
  return body.documents.map((d: { id: string }) => d.id);
}

async function subscribe(body: Record<string, unknown>): Promise<string> {
  const { status, body: created } = await api(service, "POST", "/api/v1/subscriptions", body);
  expect(status).toBe(201);
  return created.id;
}

describe("status subscriptions (webhooks)", () => {
  it("notifies a subscribed receiver exactly once for each of suspend, reinstate, revoke and supersede, signed with the published key", async () => {
    const [a, b] = await issueLicences(2);
    const subscriptionId = await subscribe({ url: `${receiver.url}/holder`, documentIds: [a, b] });
    expect((await api(service, "POST", `/api/v1/documents/${a}/suspend`, { reason: "inspection" })).status).toBe(200);
    expect((await api(service, "POST", `/api/v1/documents/${a}/reinstate`, { reason: "inspection passed" })).status).toBe(200);
    expect((await api(service, "POST", `/api/v1/documents/${a}/revoke`, { reason: "closed" })).status).toBe(200);
    const superseded = await api(service, "POST", `/api/v1/documents/${b}/supersede`, { data: { ...TYPICAL_LICENCE.data, validUntil: "2028-12-31" } });
    expect(superseded.status).toBe(201);

    const received = await receiver.waitFor("/holder", 4);
    // Some time for any duplicate to show up.
    await new Promise((r) => setTimeout(r, 1_500));
    const all = receiver.requests.filter((r) => r.path === "/holder");
    expect(all).toHaveLength(4);
    expect(new Set(all.map((r) => r.deliveryId)).size).toBe(4);

    const jwksResponse = await fetch(`${service.url}/.well-known/eproof-webhook-jwks.json`);
    const jwks = createLocalJWKSet(await jwksResponse.json());
    const events: Array<[number, number, unknown[]]> = [];
    for (const r of received) {
      expect(decodeProtectedHeader(r.body)).toMatchObject({ alg: "ES256", typ: "eproof-notification+jws" });
      const { payload } = await compactVerify(r.body, jwks);
      const claims = JSON.parse(new TextDecoder().decode(payload));
      expect(claims.jti).toBe(r.deliveryId);
      expect(claims.sub).toBe(subscriptionId);
      expect(claims.event).toMatchObject({ chainId: service.trust.chainId, contract: service.trust.registry, department: "DEMO", docType: "licence" });
      const [, logIndex] = String(claims.event.id).split(":");
      events.push([claims.event.blockNumber, Number(logIndex), [claims.event.documentId, claims.event.status, claims.event.successor]]);
    }
    // Deliveries run in parallel, so a receiver orders by block and log index, not by arrival.
    events.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    expect(events.map((e) => e[2])).toEqual([
      [a, "SUSPENDED", null],
      [a, "ACTIVE", null],
      [a, "REVOKED", null],
      [b, "SUPERSEDED", superseded.body.successor],
    ]);

    // A tampered notification does not verify.
    const [first] = received;
    const forged = `${first?.body.split(".")[0]}.${Buffer.from(JSON.stringify({ ...payloadOf(String(first?.body)), event: { status: "ACTIVE" } })).toString("base64url")}.${first?.body.split(".")[2]}`;
    await expect(compactVerify(forged, jwks)).rejects.toThrow();

    const log = await api(service, "GET", `/api/v1/subscriptions/${subscriptionId}/deliveries`);
    expect(log.status).toBe(200);
    expect(log.body.deliveries.map((d: { state: string; attempts: number }) => [d.state, d.attempts])).toEqual([
      ["DELIVERED", 1],
      ["DELIVERED", 1],
      ["DELIVERED", 1],
      ["DELIVERED", 1],
    ]);
    // The officer's own record is kept: the follower did not add a second entry per change.
    const doc = await api(service, "GET", `/api/v1/documents/${a}`);
    expect(doc.body.history.map((h: { reason: string }) => h.reason)).toEqual(["inspection", "inspection passed", "closed"]);
  });

  it("notifies, and shows in the history, a change sent straight to the contract by another anchoring account", async () => {
    const [c] = await issueLicences(1);
    const subscriptionId = await subscribe({ url: `${receiver.url}/by-type`, docType: "licence", department: "DEMO" });
    const deployment = JSON.parse(readFileSync(join(service.dataDir, "chain", "deployment.json"), "utf8")) as { adminKey: string };
    const provider = createRpcProvider(service.rpcUrl);
    try {
      // Another instance's account: registered as a DEMO anchorer, funded, and calling the contract itself.
      const other = Wallet.createRandom(provider);
      await provider.send("anvil_setBalance", [other.address, "0x3635C9ADC5DEA00000"]);
      await new Governance(new Wallet(deployment.adminKey, provider), service.issuerRegistry).addAnchorer("DEMO", other.address);
      const registry = new Contract(service.trust.registry, loadArtifact("DocumentRegistry").abi, other);
      const tx = await registry.getFunction("changeDocumentStatus")(encodeBytes32String("DEMO"), [`0x${c}`], 1);
      const receipt = await tx.wait();

      const deadline = Date.now() + 30_000;
      let mine: Received[] = [];
      while (Date.now() < deadline && mine.length === 0) {
        mine = receiver.accepted("/by-type").filter((r) => payloadOf(r.body).event.documentId === c);
        if (mine.length === 0) await new Promise((r) => setTimeout(r, 50));
      }
      expect(mine).toHaveLength(1);
      const notified = payloadOf(String(mine[0]?.body));
      expect(notified).toMatchObject({ sub: subscriptionId, event: { status: "SUSPENDED", txHash: receipt.hash } });
      // The chain holds no reason, so the notification carries none.
      expect(notified.event).not.toHaveProperty("reasonCode");

      const doc = await api(service, "GET", `/api/v1/documents/${c}`);
      expect(doc.body.status.status).toBe("SUSPENDED");
      expect(doc.body.history).toEqual([expect.objectContaining({ status: "SUSPENDED", actor: "chain", txHash: receipt.hash, reasonCode: 0 })]);
      // The service now knows it is suspended: an officer can reinstate it.
      expect((await api(service, "POST", `/api/v1/documents/${c}/reinstate`, { reason: "checked" })).status).toBe(200);
      expect((await api(service, "DELETE", `/api/v1/subscriptions/${subscriptionId}`)).status).toBe(204);
    } finally {
      provider.destroy();
    }
  });

  it("delivers to a receiver that fails the first three times, after retries with growing delays, with the same delivery id", async () => {
    const [d] = await issueLicences(1);
    receiver.failures.set("/flaky", 3);
    const subscriptionId = await subscribe({ url: `${receiver.url}/flaky`, documentIds: [d] });
    expect((await api(service, "POST", `/api/v1/documents/${d}/suspend`, { reason: "inspection" })).status).toBe(200);
    const [delivered] = await receiver.waitFor("/flaky", 1);
    await new Promise((r) => setTimeout(r, 1_000));
    const attempts = receiver.requests.filter((r) => r.path === "/flaky");
    expect(attempts.map((r) => [r.attempt, r.answered])).toEqual([
      [1, 503],
      [2, 503],
      [3, 503],
      [4, 204],
    ]);
    expect(new Set(attempts.map((r) => r.deliveryId))).toEqual(new Set([delivered?.deliveryId]));
    expect(new Set(attempts.map((r) => r.body)).size).toBe(1);
    const gaps = attempts.slice(1).map((r, i) => r.at - Number(attempts[i]?.at));
    // Base 100 ms, doubling: ≥ 100, ≥ 200, ≥ 400 ms (poll granularity may add, never subtract).
    expect(gaps[0]).toBeGreaterThanOrEqual(90);
    expect(gaps[1]).toBeGreaterThanOrEqual(190);
    expect(gaps[2]).toBeGreaterThanOrEqual(390);

    const log = await api(service, "GET", `/api/v1/subscriptions/${subscriptionId}/deliveries`);
    expect(log.body.deliveries).toHaveLength(1);
    expect(log.body.deliveries[0]).toMatchObject({ state: "DELIVERED", attempts: 4 });
    expect(log.body.deliveries[0].log.map((a: { httpStatus: number }) => a.httpStatus)).toEqual([503, 503, 503, 204]);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(Number(/eproof_webhook_attempts_total\{outcome="retry"\} (\d+)/.exec(metrics)?.[1])).toBeGreaterThanOrEqual(3);
    expect(metrics).toMatch(/eproof_chain_follower_block \d+/);
  });

  it("suspends 200 documents in one chain transaction, and refuses a bulk change with an unknown id without changing anything", async () => {
    const ids = await issueLicences(200);
    const unknown = "ffffffffffffffffffffffffffffffff";
    const refused = await api(service, "POST", "/api/v1/status-changes", { action: "suspend", ids: [...ids.slice(0, 5), unknown], reason: "audit" });
    expect(refused.status).toBe(404);
    expect(refused.body.error.problems).toEqual([{ path: "ids.5", message: expect.stringContaining(unknown) }]);
    expect((await api(service, "GET", `/api/v1/documents/${ids[0]}`)).body.status.status).toBe("ACTIVE");

    const { status, body } = await api(service, "POST", "/api/v1/status-changes", { action: "suspend", ids, reason: "department audit", reasonCode: 6 });
    expect(status).toBe(200);
    expect(body.changed).toHaveLength(200);
    expect(body.transactions).toHaveLength(1);

    const provider = createRpcProvider(service.rpcUrl);
    try {
      const registry = new Contract(service.trust.registry, loadArtifact("DocumentRegistry").abi, provider);
      const logs = await registry.queryFilter("DocumentStatusChanged", body.transactions[0].blockNumber, body.transactions[0].blockNumber);
      expect(logs).toHaveLength(200);
      expect(new Set(logs.map((l) => l.transactionHash))).toEqual(new Set([body.transactions[0].txHash]));
      const receipt = await provider.getTransactionReceipt(body.transactions[0].txHash);
      process.stdout.write(`gas for 200 suspensions in one transaction: ${receipt?.gasUsed}\n`);
      expect(Number(receipt?.gasUsed)).toBeLessThan(200 * 35_000);
    } finally {
      provider.destroy();
    }
    const last = await api(service, "GET", `/api/v1/documents/${ids[199]}`);
    expect(last.body.status.status).toBe("SUSPENDED");
    expect(last.body.history).toEqual([expect.objectContaining({ reason: "department audit", txHash: body.transactions[0].txHash })]);

    // Retrying the same request changes nothing more and costs no transaction.
    const again = await api(service, "POST", "/api/v1/status-changes", { action: "suspend", ids, reason: "department audit" });
    expect(again.body).toMatchObject({ changed: [], transactions: [] });
    expect(again.body.unchanged).toHaveLength(200);
  });

  it("lets a key list and delete its own subscriptions, and refuses bad ones with a clear 4xx", async () => {
    const id = await subscribe({ url: `${receiver.url}/listed`, docType: "permit" });
    const listed = await api(service, "GET", "/api/v1/subscriptions");
    expect(listed.body.subscriptions.map((s: { id: string }) => s.id)).toContain(id);
    expect(listed.body.subscriptions.find((s: { id: string }) => s.id === id)).toMatchObject({ department: "DEMO", docType: "permit", documentIds: [] });

    const bad = async (body: unknown) => (await api(service, "POST", "/api/v1/subscriptions", body)).status;
    expect(await bad({ url: "http://receiver.example/hook", docType: "licence" })).toBe(400);
    expect(await bad({ url: "not a url", docType: "licence" })).toBe(400);
    expect(await bad({ url: `${receiver.url}/x` })).toBe(400);
    expect(await bad({ url: `${receiver.url}/x`, docType: "licence", documentIds: ["0".repeat(32)] })).toBe(400);
    expect(await bad({ url: `${receiver.url}/x`, documentIds: ["NOT-AN-ID"] })).toBe(400);
    expect(await bad({ url: `${receiver.url}/x`, docType: "passport" })).toBe(404);
    expect((await api({ url: service.url, apiKey: "ep_not-a-real-key-at-all" }, "GET", "/api/v1/subscriptions")).status).toBe(401);

    expect((await api(service, "DELETE", `/api/v1/subscriptions/${id}`)).status).toBe(204);
    expect((await api(service, "DELETE", `/api/v1/subscriptions/${id}`)).status).toBe(404);
    expect((await api(service, "GET", `/api/v1/subscriptions/${id}/deliveries`)).status).toBe(404);

    const openapi = await api(service, "GET", "/openapi.json");
    expect(Object.keys(openapi.body.paths)).toEqual(
      expect.arrayContaining(["/api/v1/subscriptions", "/api/v1/subscriptions/{id}/deliveries", "/api/v1/status-changes"]),
    );
  });
});
