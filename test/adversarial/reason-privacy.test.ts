/**
 * Reading why a document was revoked off the public record: an observer of the chain (every
 * transaction and log of every block) and a member of the public (the verify API, the public status
 * lookup, the CLI verifier) look for the reason an officer gave, code 4 "fraud or misrepresentation"
 * with a free text naming a person. It is in the department's store only: the officer sees it.
 */
import { type JsonRpcProvider, type Log, toUtf8Bytes } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRpcProvider } from "../../services/adapters/chain/rpc-provider.ts";
import type { EProofDocument } from "../../services/domain/types.ts";
import { api, downloadEProof, startTestService, stopTestService, type TestService, TYPICAL_LICENCE, waitUntilAnchored } from "../e2e/test-service.ts";
import { b16, b32, documentRegistryAbi, issuerRegistryAbi, rpc, verdictByApi, verdictByCli } from "./adversary.ts";

const FRAUD = 4;
const REASONS = {
  revoke: "Fraud: forged tenancy agreement submitted by agent WONG Siu Ming 黃小明, case FR-2026-0042",
  suspend: "Suspected misrepresentation of premises by holder A123***(4), referred to police",
  bulk: "Bulk review: false declarations on application forms 虛假陳述",
  supersede: "Reissued after fraud investigation FR-2026-0043 cleared the new holder",
};
/** Words that give the reason away even out of context. */
const TELLTALES = ["fraud", "Fraud", "misrepresentation", "FR-2026-004", "黃小明", "虛假陳述", "欺詐"];

const hexOf = (text: string) => Buffer.from(toUtf8Bytes(text)).toString("hex");
const word = (n: number) => n.toString(16).padStart(64, "0");

/** Every key of every object in `value`, recursively. */
function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (value && typeof value === "object") return Object.entries(value).flatMap(([key, inner]) => [key, ...keysOf(inner)]);
  return [];
}

describe("the reason for a status change stays off the public record", () => {
  let service: TestService;
  let provider: JsonRpcProvider;
  const logLines: string[] = [];
  const ids: Record<"revoked" | "suspended" | "bulk" | "superseded", string> = { revoked: "", suspended: "", bulk: "", superseded: "" };
  let files: Record<keyof typeof ids, EProofDocument>;
  let successorId: string;

  beforeAll(async () => {
    service = await startTestService({ env: { EPROOF_VERIFY_RATE_LIMIT: "0", EPROOF_LOG_LEVEL: "debug" }, logLines, logLevel: "debug" });
    provider = createRpcProvider(service.rpcUrl, service.trust.chainId);
    const batch = await api(service, "POST", "/api/v1/batches", { type: "licence", items: [TYPICAL_LICENCE.data, TYPICAL_LICENCE.data, TYPICAL_LICENCE.data] });
    expect(batch.status).toBe(202);
    const [a, b, c] = batch.body.documents.map((d: { id: string }) => d.id) as string[];
    const single = await api(service, "POST", "/api/v1/documents", TYPICAL_LICENCE);
    Object.assign(ids, { revoked: a, suspended: b, bulk: c, superseded: single.body.id });
    for (const id of Object.values(ids)) await waitUntilAnchored(service, id, 30_000);
    files = Object.fromEntries(await Promise.all(Object.entries(ids).map(async ([k, id]) => [k, await downloadEProof(service, id)]))) as typeof files;

    const revoked = await api(service, "POST", `/api/v1/documents/${ids.revoked}/revoke`, { reason: REASONS.revoke, reasonCode: FRAUD });
    expect(revoked.status).toBe(200);
    const suspended = await api(service, "POST", `/api/v1/documents/${ids.suspended}/suspend`, { reason: REASONS.suspend, reasonCode: FRAUD });
    expect(suspended.status).toBe(200);
    const bulk = await api(service, "POST", "/api/v1/status-changes", { action: "suspend", ids: [ids.bulk], reason: REASONS.bulk, reasonCode: FRAUD });
    expect(bulk.status).toBe(200);
    const superseded = await api(service, "POST", `/api/v1/documents/${ids.superseded}/supersede`, {
      data: { ...TYPICAL_LICENCE.data, documentNumber: "FFL-2026-004218" },
      reason: REASONS.supersede,
      reasonCode: FRAUD,
    });
    expect(superseded.status).toBe(201);
    successorId = String(superseded.body.successor);
    await waitUntilAnchored(service, successorId, 30_000);
  });
  afterAll(() => stopTestService(service, provider));

  it("puts neither the reason code nor the reason text in any transaction's calldata, in any block", async () => {
    const latest = Number(await rpc<string>(service.rpcUrl, "eth_blockNumber"));
    const registry = service.trust.registry.toLowerCase();
    const statusChanges: string[] = [];
    let scanned = 0;
    for (let n = 0; n <= latest; n++) {
      const block = await rpc<{ transactions: Array<{ hash: string; to: string | null; input: string }> }>(service.rpcUrl, "eth_getBlockByNumber", [
        `0x${n.toString(16)}`,
        true,
      ]);
      for (const listed of block.transactions) {
        // Each transaction as the node gives it by hash, too (what an explorer shows).
        const tx = await rpc<{ input: string; to: string | null }>(service.rpcUrl, "eth_getTransactionByHash", [listed.hash]);
        scanned += 1;
        const input = tx.input.toLowerCase();
        for (const text of [...Object.values(REASONS), ...TELLTALES]) expect(input, `${listed.hash} carries "${text}"`).not.toContain(hexOf(text));
        if (tx.to?.toLowerCase() !== registry) continue;
        const parsed = documentRegistryAbi.parseTransaction({ data: tx.input });
        expect(parsed, `${listed.hash} is a DocumentRegistry call`).not.toBeNull();
        if (!parsed || parsed.name === "anchorBatch") continue;
        statusChanges.push(parsed.name);
        // The status-change functions take no reason: (department, ids|root|id, status|successor).
        expect(parsed.fragment.inputs.map((i) => i.name)).toEqual(
          parsed.name === "supersede"
            ? ["department", "documentId", "successorId"]
            : parsed.name === "changeBatchStatus"
              ? ["department", "root", "status"]
              : ["department", "ids", "status"],
        );
        // No ABI word of the calldata is the reason code.
        const words = input.slice(10).match(/.{64}/g) ?? [];
        expect(words, `${listed.hash} carries the word ${FRAUD}`).not.toContain(word(FRAUD));
      }
    }
    expect(scanned).toBeGreaterThan(10);
    expect(statusChanges.sort()).toEqual(["changeDocumentStatus", "changeDocumentStatus", "changeDocumentStatus", "supersede"]);
  });

  it("puts neither the reason code nor the text in any log, and DocumentStatusChanged carries only (department, documentId, status)", async () => {
    const logs = await rpc<Log[]>(service.rpcUrl, "eth_getLogs", [{ fromBlock: "0x0", toBlock: "latest" }]);
    expect(logs.length).toBeGreaterThan(10);
    for (const log of logs) {
      const raw = [log.data, ...log.topics].join("").toLowerCase();
      for (const text of [...Object.values(REASONS), ...TELLTALES]) expect(raw, `a log carries "${text}"`).not.toContain(hexOf(text));
    }
    const registryLogs = logs.filter((log) => log.address.toLowerCase() === service.trust.registry.toLowerCase());
    const statusEvents = registryLogs.map((log) => documentRegistryAbi.parseLog(log)).filter((e) => e?.name === "DocumentStatusChanged");
    expect(statusEvents).toHaveLength(3);
    for (const event of statusEvents) {
      expect(event?.fragment.inputs.map((i) => `${i.name}${i.indexed ? " indexed" : ""}`)).toEqual(["department indexed", "documentId indexed", "status"]);
      expect(event?.args.length).toBe(3);
      expect(event?.args.department).toBe(b32("DEMO"));
      expect([1n, 2n]).toContain(event?.args.status);
    }
    const byId = new Map(statusEvents.map((e) => [String(e?.args.documentId), Number(e?.args.status)]));
    expect(byId.get(b16(ids.revoked))).toBe(2);
    expect(byId.get(b16(ids.suspended))).toBe(1);
    expect(byId.get(b16(ids.bulk))).toBe(1);
    // The status events' data is the status alone: never the reason code (a batch's count may be anything).
    const statusNames = ["DocumentStatusChanged", "BatchStatusChanged", "DocumentSuperseded"];
    const statusLogs = registryLogs.filter((log) => statusNames.includes(String(documentRegistryAbi.parseLog(log)?.name)));
    expect(statusLogs).toHaveLength(4);
    for (const log of statusLogs) expect(log.data.slice(2).match(/.{64}/g) ?? []).not.toContain(word(FRAUD));
    // Nor is there any event of either registry that could carry a reason.
    for (const abi of [documentRegistryAbi, issuerRegistryAbi]) {
      abi.forEachEvent((event) => expect(event.inputs.map((i) => i.name.toLowerCase()).filter((n) => n.includes("reason"))).toEqual([]));
    }
  });

  it("shows no reason code or text in the public verify answer, the public status lookup or the CLI verifier", async () => {
    const expected: Record<keyof typeof ids, string> = { revoked: "REVOKED", suspended: "SUSPENDED", bulk: "SUSPENDED", superseded: "SUPERSEDED" };
    for (const [name, file] of Object.entries(files) as Array<[keyof typeof ids, EProofDocument]>) {
      const answer = await verdictByApi(service, file);
      expect(answer.verdict).toBe(expected[name]);
      expect(keysOf(answer)).not.toContain("reasonCode");
      expect(keysOf(answer).filter((k) => /reason(code|text)?$/i.test(k) && k !== "reason")).toEqual([]);
      const text = JSON.stringify(answer);
      for (const reason of [...Object.values(REASONS), ...TELLTALES]) expect(text).not.toContain(reason);
      expect(answer.statusChange).toBeDefined();
      expect(Object.keys(answer.statusChange as object).sort()).toEqual(["changedAt", "scope", "status"]);

      const lookup = await api({ url: service.url, apiKey: "" }, "GET", `/api/v1/public/documents/${ids[name]}/status`);
      expect(lookup.status).toBe(200);
      expect(keysOf(lookup.body)).not.toContain("reasonCode");
      for (const reason of [...Object.values(REASONS), ...TELLTALES]) expect(JSON.stringify(lookup.body)).not.toContain(reason);
    }
    const cli = await verdictByCli(files.revoked, service.rpcUrl, service.trust.registry);
    expect(cli).toMatchObject({ exitCode: 1, verdict: "REVOKED" });
    expect(cli.stdout).not.toContain("reasonCode");
    for (const reason of TELLTALES) expect(cli.stdout).not.toContain(reason);
  });

  it("shows the officer the reason code 4 and the text in the document's history", async () => {
    const cases: Array<[string, string, string]> = [
      [ids.revoked, "REVOKED", REASONS.revoke],
      [ids.suspended, "SUSPENDED", REASONS.suspend],
      [ids.bulk, "SUSPENDED", REASONS.bulk],
      [ids.superseded, "SUPERSEDED", REASONS.supersede],
    ];
    for (const [id, status, reason] of cases) {
      const looked = await api(service, "GET", `/api/v1/documents/${id}`);
      expect(looked.status).toBe(200);
      expect(looked.body.history).toEqual(expect.arrayContaining([expect.objectContaining({ status, reasonCode: FRAUD, reason })]));
    }
  });

  it("writes no reason text into the service's own logs", () => {
    expect(logLines.length).toBeGreaterThan(0);
    const all = logLines.join("\n");
    for (const reason of [...Object.values(REASONS), "黃小明", "FR-2026-004"]) expect(all).not.toContain(reason);
  });
});
