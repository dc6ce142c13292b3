/**
 * Personal data stays off the logs and off the chain. A realistic flow (issue singly and in a batch,
 * a refused issuance, verify as file, QR and PDF, a tampered copy, a redacted copy, revoke with a
 * careless free-text reason, downloads) runs with every log line captured at debug level; then the
 * logs and every transaction's input data and every event log on the chain are searched for the
 * holders' names, id numbers and addresses, as text and as UTF-8 / UTF-16 hex.
 */
import type { JsonRpcProvider } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRpcProvider } from "../../services/adapters/chain/rpc-provider.ts";
import { DEMO_DEPARTMENT } from "../../services/embedded/dev-bootstrap.ts";
import { api, downloadEProof, startTestService, stopTestService, type TestService, TYPICAL_LICENCE, waitUntilAnchored } from "./test-service.ts";

const PEOPLE = [
  { en: "QUENTIN Marvelloso-Prynne", zh: "龔翠蓮娜", id: "W913***(6)", address: "Flat Z, 77/F, Zanzibar Mansion, 3 Quokka Street" },
  { en: "ZEPHYRINE Oyelaran", zh: "歐陽靜雯", id: "X482***(1)", address: "Room 9, Pelican Court, 21 Aardvark Lane" },
  { en: "BARNABY Kwok-Thistlewood", zh: "司徒雅蕾", id: "M207***(5)", address: "Lot 5, Marmoset Terrace, Tai Wai" },
  { en: "OCTAVIA Nightingale-Fung", zh: "上官婉兒", id: "P338***(0)", address: "House 12, Ocelot Gardens, Sai Kung" },
];
/** Never issued: only ever typed into a tampered copy and a refused request. */
const INTRUDER = { en: "EVELINA Tamperfield", zh: "鍾離夢璃", id: "T555***(8)", address: "Shop 4, Wombat Arcade, Mong Kok" };

const NEEDLES = [...PEOPLE, INTRUDER].flatMap((p) => [p.en, p.zh, p.id, p.address, p.en.split(" ")[1] as string]);

function hexForms(text: string): string[] {
  const utf16be = Buffer.from(text, "utf16le").swap16().toString("hex");
  return [Buffer.from(text, "utf8").toString("hex"), Buffer.from(text, "utf16le").toString("hex"), utf16be];
}

function textForms(text: string): string[] {
  // As written, JSON-escaped (\uXXXX), and upper/lower case.
  const escaped = text.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return [text, escaped, text.toLowerCase(), text.toUpperCase()];
}

function licenceOf(p: (typeof PEOPLE)[number], n: number) {
  return {
    type: "licence",
    data: {
      ...TYPICAL_LICENCE.data,
      documentNumber: `FFL-2026-70000${n}`,
      holder: { name: { en: p.en, "zh-HK": p.zh }, idMasked: p.id },
      premises: { en: p.address, "zh-HK": p.address },
    },
  };
}

describe("privacy: no personal data in the logs or on the chain", () => {
  let service: TestService;
  let provider: JsonRpcProvider;
  const logLines: string[] = [];
  const ids: string[] = [];

  async function verifyUntil(body: unknown, verdict: string): Promise<void> {
    for (let i = 0; i < 100; i += 1) {
      const response = await api(service, "POST", "/api/v1/verify", body);
      if (response.body.verdict === verdict) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`never reached ${verdict}`);
  }

  beforeAll(async () => {
    service = await startTestService({ logLines, logLevel: "debug", env: { EPROOF_VERIFY_RATE_LIMIT: "0" } });
    provider = createRpcProvider(service.rpcUrl, service.trust.chainId);
    const [a, b, c, d] = PEOPLE as [(typeof PEOPLE)[number], (typeof PEOPLE)[number], (typeof PEOPLE)[number], (typeof PEOPLE)[number]];

    // Issue: two singly, two in a batch.
    for (const [n, person] of [a, b].entries()) {
      const issued = await api(service, "POST", "/api/v1/documents", licenceOf(person, n));
      expect(issued.status).toBe(202);
      ids.push(issued.body.id);
    }
    const batch = await api(service, "POST", "/api/v1/batches", { type: "licence", items: [licenceOf(c, 2).data, licenceOf(d, 3).data] });
    expect(batch.status).toBe(202);
    ids.push(...batch.body.documents.map((doc: { id: string }) => doc.id));
    // A refused issuance still carries personal data in its body.
    const refused = licenceOf(INTRUDER, 9);
    (refused.data as Record<string, unknown>).validUntil = "not a date";
    expect((await api(service, "POST", "/api/v1/documents", refused)).status).toBe(422);
    for (const id of ids) await waitUntilAnchored(service, id);

    // Verify as a file, as a QR text and as a PDF; a tampered copy; a redacted copy.
    const file = await downloadEProof(service, ids[0] as string);
    expect((await api(service, "POST", "/api/v1/verify", { document: file })).body.verdict).toBe("VALID");
    const details = await api(service, "GET", `/api/v1/documents/${ids[0]}`);
    expect((await api(service, "POST", "/api/v1/verify", { qr: details.body.verifyUrl })).body.verdict).toBe("VALID");
    const pdf = await api(service, "GET", `/api/v1/documents/${ids[2]}/pdf`);
    expect(pdf.status).toBe(200);
    const pdfVerified = await api(service, "POST", "/api/v1/verify", new Uint8Array(pdf.body as Buffer), { "content-type": "application/pdf" });
    expect(pdfVerified.body.verdict).toBe("VALID");
    const tampered = structuredClone(file);
    tampered.data.holder.name = { en: INTRUDER.en, "zh-HK": INTRUDER.zh };
    expect((await api(service, "POST", "/api/v1/verify", { document: tampered })).body.verdict).toBe("TAMPERED");
    const redacted = await api(service, "POST", "/api/v1/redact", { document: file, hide: ["premises"] });
    expect(redacted.status).toBe(200);
    expect((await api(service, "POST", "/api/v1/verify", { document: redacted.body })).body.verdict).toBe("VALID");
    expect((await api(service, "GET", `/api/v1/documents/${ids[3]}/qr.png`)).status).toBe(200);

    // Revoke and suspend, with the kind of free-text reason an officer might type.
    const revoke = await api(service, "POST", `/api/v1/documents/${ids[1]}/revoke`, { reason: `holder ${b.en} (${b.id}) moved to ${b.address}` });
    expect(revoke.status).toBeLessThan(300);
    const suspend = await api(service, "POST", `/api/v1/documents/${ids[3]}/suspend`, { reason: `complaint about ${d.en}, ${d.zh}` });
    expect(suspend.status).toBeLessThan(300);
    await verifyUntil({ document: await downloadEProof(service, ids[1] as string) }, "REVOKED");
    await verifyUntil({ document: await downloadEProof(service, ids[3] as string) }, "SUSPENDED");
  }, 120_000);

  afterAll(() => stopTestService(service, provider));

  it("writes none of the holders' names, id numbers or addresses to the service log", () => {
    // The capture works: it holds the flow's events, at debug level, with the document ids.
    const log = logLines.join("\n");
    expect(log).toContain('"event":"http.request"');
    expect(log).toContain('"route":"/api/v1/verify"');
    expect(logLines.length).toBeGreaterThan(20);
    const found = NEEDLES.flatMap((needle) =>
      textForms(needle)
        .filter((form) => log.includes(form))
        .map((form) => `${needle} as ${form}`),
    );
    expect(found).toEqual([]);
  });

  it("puts none of them in any transaction's input data or any event log on the chain", async () => {
    const latest = await provider.getBlockNumber();
    const chunks: string[] = [];
    for (let n = 0; n <= latest; n += 1) {
      const block = await provider.send("eth_getBlockByNumber", [`0x${n.toString(16)}`, true]);
      for (const tx of block.transactions as Array<{ input: string }>) chunks.push(tx.input.toLowerCase());
    }
    const logs = await provider.send("eth_getLogs", [{ fromBlock: "0x0", toBlock: "latest" }]);
    for (const log of logs as Array<{ data: string; topics: string[] }>) chunks.push(log.data.toLowerCase(), ...log.topics.map((t) => t.toLowerCase()));
    const chain = chunks.join("\n");

    // The scan sees real calldata: the status changes carry the document ids (bytes16), and the
    // department's registration its (public, non-personal) names as UTF-8 strings, Chinese included.
    expect(chunks.length).toBeGreaterThan(10);
    expect(chain).toContain((ids[1] as string).toLowerCase());
    expect(chain).toContain(hexForms(DEMO_DEPARTMENT.name.en)[0]);
    expect(chain).toContain(hexForms(DEMO_DEPARTMENT.name.zhHK)[0]);

    const found = NEEDLES.flatMap((needle) =>
      [needle, needle.toUpperCase(), needle.toLowerCase()].flatMap((form) =>
        hexForms(form)
          .filter((hex) => chain.includes(hex))
          .map((hex) => `${form} as ${hex}`),
      ),
    );
    expect(found).toEqual([]);
  });
});
