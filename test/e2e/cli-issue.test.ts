import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, removeDataDir, runEproof, startTestService, type TestService } from "./test-service.ts";

const HEADER =
  "documentNumber,title.en,title.zh-HK,holder.name.en,holder.name.zh-HK,holder.idMasked,premises.en,premises.zh-HK,conditions[],validFrom,validUntil";
function row(n: number, overrides: { validUntil?: string; idMasked?: string } = {}): string {
  return [
    `FFL-2026-${String(n).padStart(6, "0")}`,
    "Food Factory Licence",
    "食物製造廠牌照",
    `"CHAN, Tai Man ${n}"`,
    "陳大文",
    overrides.idMasked ?? "A123***(4)",
    "12 Wang Tai Road",
    "宏泰道12號",
    "Maximum 20 workers|Display this licence",
    "2026-01-01",
    overrides.validUntil ?? "2027-12-31",
  ].join(",");
}

describe("npx eproof issue", () => {
  let service: TestService;
  let env: Record<string, string>;
  beforeAll(async () => {
    service = await startTestService();
    env = { EPROOF_URL: service.url, EPROOF_API_KEY: service.apiKey };
  });
  afterAll(async () => {
    await service?.stop();
    if (service) removeDataDir(service.dataDir);
  });

  it("reports every bad row with its field and issues nothing", async () => {
    const file = join(service.dataDir, "bad.csv");
    writeFileSync(file, [HEADER, row(1), row(2, { validUntil: "2025-01-01" }), row(3, { idMasked: "A1234567" })].join("\n"));
    const result = await runEproof(["issue", "--type", "licence", "--input", file], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("row 2: validUntil");
    expect(result.stderr).toContain("row 3: holder.idMasked");
    expect(result.stderr).toContain("nothing was issued");
    expect(await service.store.countUnanchored()).toBe(0);
  });

  it("issues a CSV through the batch API, writes a results file, and never issues a row twice when re-run", async () => {
    const file = join(service.dataDir, "licences.csv");
    writeFileSync(file, [HEADER, ...Array.from({ length: 25 }, (_, i) => row(i + 1))].join("\r\n"));
    const first = await runEproof(["issue", "--type", "licence", "--input", file, "--chunk", "10"], env);
    expect(first.code).toBe(0);
    const results = readFileSync(`${file}.results.jsonl`, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(results).toHaveLength(25);
    expect(results[0]).toMatchObject({ row: 1, id: expect.stringMatching(/^[0-9a-f]{32}$/), pdf: expect.stringContaining("/pdf") });
    const looked = await api(service, "GET", `/api/v1/documents/${results[24].id}`);
    expect(looked.status).toBe(200);

    const again = await runEproof(["issue", "--type", "licence", "--input", file, "--chunk", "10"], env);
    expect(again.code).toBe(0);
    const second = readFileSync(`${file}.results.jsonl`, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(second.map((r) => r.id)).toEqual(results.map((r) => r.id));
  });

  it("with --skip-bad-rows issues the good rows, lists the skipped ones in the results, and a fixed re-run adds only the fixed rows", async () => {
    const file = join(service.dataDir, "partly-bad.csv");
    const rows = [row(101), row(102, { idMasked: "A1234567" }), row(103)];
    writeFileSync(file, [HEADER, ...rows].join("\n"));
    const first = await runEproof(["issue", "--type", "licence", "--input", file, "--skip-bad-rows"], env);
    expect(first.code).toBe(1);
    expect(first.stderr).toContain("row 2: holder.idMasked");
    const results = readFileSync(`${file}.results.jsonl`, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(results.find((r) => r.row === 2)).toMatchObject({ skipped: true, problems: [expect.objectContaining({ field: "holder.idMasked" })] });
    const issued = results.filter((r) => r.id).sort((a, b) => a.row - b.row);
    expect(issued.map((r) => r.row)).toEqual([1, 3]);

    // The officer fixes row 2 and re-runs: rows 1 and 3 keep their documents, row 2 is issued once.
    writeFileSync(file, [HEADER, row(101), row(102), row(103)].join("\n"));
    const second = await runEproof(["issue", "--type", "licence", "--input", file], env);
    expect(second.code).toBe(0);
    const after = readFileSync(`${file}.results.jsonl`, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line))
      .sort((a, b) => a.row - b.row);
    expect(after.map((r) => r.row)).toEqual([1, 2, 3]);
    expect([after[0].id, after[2].id]).toEqual(issued.map((r) => r.id));
    expect(new Set(after.map((r) => r.id)).size).toBe(3);
  });

  it("reads JSON lines too, and refuses a missing option with exit code 2", async () => {
    const file = join(service.dataDir, "one.jsonl");
    const licence = JSON.parse(readFileSync("docs/examples/licence.json", "utf8")).data;
    writeFileSync(file, `${JSON.stringify(licence)}\n`);
    expect((await runEproof(["issue", "--type", "licence", "--input", file], env)).code).toBe(0);
    const missing = await runEproof(["issue", "--input", file], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--type");
  });
});
