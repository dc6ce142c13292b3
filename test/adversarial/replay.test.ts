/**
 * Replayed and reordered transactions and requests: an attacker who recorded DEMO's signed chain
 * transactions (they are public once broadcast) sends them again, later or elsewhere; the network
 * delivers two of them in the wrong order; a client (or a man in the middle) repeats an officer's
 * HTTP request. Nonces, EIP-155 chain ids and idempotency keys make each act count once.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { type JsonRpcProvider, Transaction, Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRpcProvider } from "../../services/adapters/chain/rpc-provider.ts";
import type { Hex } from "../../services/domain/types.ts";
import { api, onboardWithOfficer, startTestService, stopTestService, type TestService, TYPICAL_LICENCE, waitUntilAnchored } from "../e2e/test-service.ts";
import {
  b16,
  b32,
  documentRegistry,
  documentRegistryAbi,
  issueAnchored,
  ON_CHAIN,
  rpc,
  stealDemoAnchorKey,
  until,
  verdictByApi,
  verdictByCli,
} from "./adversary.ts";

/** What a node answers to a transaction whose nonce is spent (anvil: "nonce too low" / "nonce has already been used"). */
const NONCE_SPENT = /nonce too low|nonce has already been used|already known|already imported/i;

describe("replayed and reordered transactions and requests", () => {
  let service: TestService;
  let provider: JsonRpcProvider;
  let demoAnchorKey: string;

  beforeAll(async () => {
    service = await startTestService({ env: { EPROOF_VERIFY_RATE_LIMIT: "0" } });
    provider = createRpcProvider(service.rpcUrl, service.trust.chainId);
    demoAnchorKey = await stealDemoAnchorKey(service);
  });
  afterAll(() => stopTestService(service, provider));

  async function sendRawError(url: string, raw: string): Promise<string> {
    return rpc(url, "eth_sendRawTransaction", [raw]).then(
      (hash) => `accepted as ${String(hash)}`,
      (error: Error) => error.message,
    );
  }

  async function batchLogs(root: Hex) {
    const registry = documentRegistry(service.trust.registry, provider);
    return registry.queryFilter(registry.filters.BatchAnchored?.(b32("DEMO"), root) ?? "BatchAnchored", 0);
  }

  async function statusLogs(id: string) {
    const registry = documentRegistry(service.trust.registry, provider);
    return registry.queryFilter(registry.filters.DocumentStatusChanged?.(b32("DEMO"), b16(id)) ?? "DocumentStatusChanged", 0);
  }

  it("refuses a re-broadcast of DEMO's signed anchorBatch transaction (nonce spent) and records no second batch", async () => {
    const { file } = await issueAnchored(service);
    const raw = await rpc<string>(service.rpcUrl, "eth_getRawTransactionByHash", [file.anchor?.txHash]);
    expect(raw).toMatch(/^0x[0-9a-f]+$/);
    expect(await sendRawError(service.rpcUrl, raw)).toMatch(NONCE_SPENT);
    expect(await batchLogs(file.anchor?.root as Hex)).toHaveLength(1);
    expect((await verdictByApi(service, file)).verdict).toBe("VALID");
  });

  it("binds DEMO's signed transactions to the trusted chain id (EIP-155), so that a replay on another chain is invalid there", async () => {
    const { file } = await issueAnchored(service);
    const raw = await rpc<string>(service.rpcUrl, "eth_getRawTransactionByHash", [file.anchor?.txHash]);
    const signed = Transaction.from(raw);
    expect(signed.from).toBe(new Wallet(demoAnchorKey).address);
    expect(signed.chainId).toBe(BigInt(service.trust.chainId));
    // A legacy transaction is replay-protected only with an EIP-155 v (chainId * 2 + 35 or 36), never 27/28.
    if (signed.type === 0) expect([BigInt(service.trust.chainId) * 2n + 35n, BigInt(service.trust.chainId) * 2n + 36n]).toContain(signed.signature?.networkV);
    // Re-signed for another chain id, the signature no longer recovers DEMO's account: nobody but DEMO can make it.
    const moved = Transaction.from({ ...signed.toJSON(), chainId: BigInt(service.trust.chainId + 1), signature: signed.signature });
    expect(moved.from).not.toBe(signed.from);
  });

  it("refuses DEMO's signed suspension replayed after the document was reinstated (nonce spent): the document stays VALID", async () => {
    const { id, file } = await issueAnchored(service);
    const suspended = await api(service, "POST", `/api/v1/documents/${id}/suspend`, { reason: "under review" });
    expect(suspended.status).toBe(200);
    const reinstated = await api(service, "POST", `/api/v1/documents/${id}/reinstate`, { reason: "review closed" });
    expect(reinstated.status).toBe(200);
    expect((await verdictByApi(service, file)).verdict).toBe("VALID");

    const raw = await rpc<string>(service.rpcUrl, "eth_getRawTransactionByHash", [suspended.body.txHash]);
    expect(await sendRawError(service.rpcUrl, raw)).toMatch(NONCE_SPENT);
    expect(await statusLogs(id)).toHaveLength(2);
    const onChain = await documentRegistry(service.trust.registry, provider).getFunction("documentStatus").staticCall(b32("DEMO"), b16(id));
    expect(Number(onChain.status)).toBe(ON_CHAIN.Active);
    expect((await verdictByApi(service, file)).verdict).toBe("VALID");
    expect(await verdictByCli(file, service.rpcUrl, service.trust.registry)).toMatchObject({ exitCode: 0, verdict: "VALID" });
  });

  it("applies two of DEMO's signed transactions in nonce order when they arrive in reverse (suspend, then reinstate: VALID)", async () => {
    const { id, file } = await issueAnchored(service);
    // Nothing of the service's own is in flight on DEMO's account while the test uses it.
    await until("an empty outbox", async () => (await service.store.countUnanchored()) === 0);
    const account = new Wallet(demoAnchorKey, provider);
    const nonce = await provider.getTransactionCount(account.address, "pending");
    const gasPrice = (await provider.getFeeData()).gasPrice ?? 1_000_000_000n;
    const sign = (n: number, status: number) =>
      account.signTransaction({
        to: service.trust.registry,
        data: documentRegistryAbi.encodeFunctionData("changeDocumentStatus", [b32("DEMO"), [b16(id)], status]),
        nonce: n,
        gasLimit: 200_000,
        gasPrice,
        chainId: service.trust.chainId,
        type: 0,
      });
    const suspend = await sign(nonce, ON_CHAIN.Suspended);
    const reinstate = await sign(nonce + 1, ON_CHAIN.Active);

    // The later one first: the node holds it (a nonce gap) and mines nothing.
    const reinstateHash = await rpc<Hex>(service.rpcUrl, "eth_sendRawTransaction", [reinstate]);
    const pool = await rpc<{ queued: Record<string, Record<string, { hash: string }>> }>(service.rpcUrl, "txpool_content");
    expect(JSON.stringify(pool.queued).toLowerCase()).toContain(reinstateHash.toLowerCase());
    expect(await provider.getTransactionReceipt(reinstateHash)).toBeNull();
    const suspendHash = await rpc<Hex>(service.rpcUrl, "eth_sendRawTransaction", [suspend]);

    const [first, second] = await Promise.all(
      [suspendHash, reinstateHash].map((hash) => until(`the receipt of ${hash}`, () => provider.getTransactionReceipt(hash))),
    );
    expect(first?.status).toBe(1);
    expect(second?.status).toBe(1);
    const order = (r: typeof first) => (r?.blockNumber ?? 0) * 1_000_000 + (r?.index ?? 0);
    expect(order(first)).toBeLessThan(order(second));
    const events = (await statusLogs(id)).map((log) => Number(documentRegistryAbi.parseLog(log)?.args.status));
    expect(events).toEqual([ON_CHAIN.Suspended, ON_CHAIN.Active]);
    expect((await verdictByApi(service, file)).verdict).toBe("VALID");
  });

  it("answers a replayed officer issuance with the same idempotencyKey with the first document (200), and issues it once", async () => {
    const db = new DatabaseSync(join(service.dataDir, "eproof.sqlite"), { readOnly: true });
    const count = () => Number((db.prepare("SELECT COUNT(*) AS n FROM documents WHERE department = 'DEMO'").get() as { n: number }).n);
    try {
      const idempotencyKey = `renewal-${randomUUID()}`;
      const before = count();
      const first = await api(service, "POST", "/api/v1/documents", { ...TYPICAL_LICENCE, idempotencyKey });
      expect(first.status).toBe(202);
      // Replayed in a later second, one by one and then all at once.
      await until("a later second than the first issuance", async () => Date.now() >= Date.parse(first.body.issuedAt) + 1_000);
      const replay = await api(service, "POST", "/api/v1/documents", { ...TYPICAL_LICENCE, idempotencyKey });
      expect(replay.status).toBe(200);
      // The same document, QR link included (the replay's link comes from the stored file, the first's from the file as built).
      expect(typeof first.body.verifyUrl).toBe("string");
      expect(replay.body).toMatchObject({
        id: first.body.id,
        type: first.body.type,
        issuedAt: first.body.issuedAt,
        replayed: true,
        verifyUrl: first.body.verifyUrl,
      });
      const burst = await Promise.all(Array.from({ length: 8 }, () => api(service, "POST", "/api/v1/documents", { ...TYPICAL_LICENCE, idempotencyKey })));
      for (const answer of burst) {
        expect(answer.status).toBe(200);
        expect(answer.body.id).toBe(first.body.id);
      }
      // Even with other data: the key names the request, the first document is the answer.
      const altered = await api(service, "POST", "/api/v1/documents", {
        ...TYPICAL_LICENCE,
        data: { ...TYPICAL_LICENCE.data, documentNumber: "FFL-2026-999999" },
        idempotencyKey,
      });
      expect(altered.body.id).toBe(first.body.id);
      expect(count()).toBe(before + 1);

      await waitUntilAnchored(service, String(first.body.id), 30_000);
      expect(count()).toBe(before + 1);
      const looked = await api(service, "GET", `/api/v1/documents/${first.body.id}`);
      expect(looked.body.issuedAt).toBe(first.body.issuedAt);
    } finally {
      db.close();
    }
  });

  it("gives another department's officer replaying DEMO's idempotencyKey a document of its own, never DEMO's", async () => {
    const credentials = JSON.parse(readFileSync(join(service.dataDir, "dev-credentials.json"), "utf8")) as { adminApiKey: string };
    const admin = { url: service.url, apiKey: credentials.adminApiKey };
    const { apiKey } = await onboardWithOfficer(admin, "OTHER", { en: "Other Department", zhHK: "其他部門" }, "other officer");
    const other = { ...service, apiKey };

    const idempotencyKey = `shared-${randomUUID()}`;
    const demo = await api(service, "POST", "/api/v1/documents", { ...TYPICAL_LICENCE, idempotencyKey });
    expect(demo.status).toBe(202);
    const theirs = await api(other, "POST", "/api/v1/documents", { ...TYPICAL_LICENCE, idempotencyKey });
    expect(theirs.status).toBe(202);
    expect(theirs.body.id).not.toBe(demo.body.id);
    expect(theirs.body.replayed).toBe(false);
    expect((await api(other, "GET", `/api/v1/documents/${demo.body.id}`)).status).toBe(404);
    expect((await api(service, "POST", "/api/v1/documents", { ...TYPICAL_LICENCE, idempotencyKey })).body.id).toBe(demo.body.id);
    await waitUntilAnchored(service, String(demo.body.id), 30_000);
    await waitUntilAnchored(other, String(theirs.body.id), 30_000);
  });

  it("answers concurrent first requests with one idempotencyKey with one document (202 or 200, or 409 to retry), never two", async () => {
    const db = new DatabaseSync(join(service.dataDir, "eproof.sqlite"), { readOnly: true });
    try {
      const idempotencyKey = `race-${randomUUID()}`;
      const answers = await Promise.all(Array.from({ length: 6 }, () => api(service, "POST", "/api/v1/documents", { ...TYPICAL_LICENCE, idempotencyKey })));
      const statuses = answers.map((a) => a.status);
      expect(statuses.filter((s) => s === 202)).toHaveLength(1);
      expect(statuses.every((s) => s === 202 || s === 200 || s === 409)).toBe(true);
      const ids = new Set(answers.filter((a) => a.status !== 409).map((a) => a.body.id));
      expect(ids.size).toBe(1);
      const rows = db.prepare("SELECT id FROM documents WHERE department = 'DEMO' AND idempotency_key = ?").all(idempotencyKey) as Array<{ id: string }>;
      expect(rows.map((r) => r.id)).toEqual([...ids]);
      await waitUntilAnchored(service, String([...ids][0]), 30_000);
    } finally {
      db.close();
    }
  });
});
