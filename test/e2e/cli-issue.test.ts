import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DOCUMENT_EXAMPLES } from "../../services/domain/document-examples.ts";
import { api, removeDataDir, runEproof, startTestService, type TestService } from "./test-service.ts";

function readResults(file: string): any[] {
  return readFileSync(`${file}.results.jsonl`, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
}

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

  it("reports every bad row with its spreadsheet line (the header is line 1) and field, and issues nothing", async () => {
    const file = join(service.dataDir, "bad.csv");
    writeFileSync(file, [HEADER, row(1), row(2, { validUntil: "2025-01-01" }), row(3, { idMasked: "A1234567" })].join("\n"));
    const result = await runEproof(["issue", "--type", "licence", "--input", file], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("line 3: validUntil");
    expect(result.stderr).toContain("line 4: holder.idMasked");
    expect(result.stderr).toContain("nothing was issued");
    expect(await service.store.countUnanchored()).toBe(0);
  });

  it("issues a CSV through the batch API, writes a results file, and never issues a row twice when re-run", async () => {
    const file = join(service.dataDir, "licences.csv");
    writeFileSync(file, [HEADER, ...Array.from({ length: 25 }, (_, i) => row(i + 1))].join("\r\n"));
    const first = await runEproof(["issue", "--type", "licence", "--input", file, "--chunk", "10"], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("licence: issued 25, already issued 0 in");
    const results = readResults(file);
    expect(results).toHaveLength(25);
    expect(results[0]).toMatchObject({
      row: 1,
      line: 2,
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      documentNumber: "FFL-2026-000001",
      replayed: false,
      pdf: expect.stringContaining("/pdf"),
    });
    expect(results[24]).toMatchObject({ row: 25, line: 26, documentNumber: "FFL-2026-000025" });
    const looked = await api(service, "GET", `/api/v1/documents/${results[24].id}`);
    expect(looked.status).toBe(200);

    const again = await runEproof(["issue", "--type", "licence", "--input", file, "--chunk", "10"], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("licence: issued 0, already issued 25 in");
    const second = readResults(file);
    expect(second.map((r) => r.id)).toEqual(results.map((r) => r.id));
    expect(second.every((r) => r.replayed === true)).toBe(true);
    expect(second.map((r) => r.documentNumber)).toEqual(results.map((r) => r.documentNumber));
  });

  it("with --skip-bad-rows issues the good rows, lists the skipped ones in the results, and a fixed re-run adds only the fixed rows", async () => {
    const file = join(service.dataDir, "partly-bad.csv");
    const rows = [row(101), row(102, { idMasked: "A1234567" }), row(103)];
    writeFileSync(file, [HEADER, ...rows].join("\n"));
    const first = await runEproof(["issue", "--type", "licence", "--input", file, "--skip-bad-rows"], env);
    expect(first.code).toBe(1);
    expect(first.stderr).toContain("line 3: holder.idMasked");
    expect(first.stdout).toContain("licence: issued 2, already issued 0, skipped 1 bad row(s)");
    const results = readResults(file);
    expect(results.find((r) => r.row === 2)).toMatchObject({
      line: 3,
      documentNumber: "FFL-2026-000102",
      skipped: true,
      problems: [expect.objectContaining({ field: "holder.idMasked" })],
    });
    const issued = results.filter((r) => r.id).sort((a, b) => a.row - b.row);
    expect(issued.map((r) => r.row)).toEqual([1, 3]);

    // The officer fixes row 2 and re-runs: rows 1 and 3 keep their documents, row 2 is issued once.
    writeFileSync(file, [HEADER, row(101), row(102), row(103)].join("\n"));
    const second = await runEproof(["issue", "--type", "licence", "--input", file], env);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("licence: issued 1, already issued 2 in");
    const after = readResults(file).sort((a, b) => a.row - b.row);
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

  it.each(["licence", "permit", "subsidy-agreement", "certificate"])(
    "issues the row of eproof template %s as it is, from CSV and from JSON lines",
    async (type) => {
      const ids: string[] = [];
      for (const format of ["csv", "jsonl"]) {
        const template = await runEproof(["template", type, "--format", format], env);
        expect(template.code, template.stderr).toBe(0);
        const file = join(service.dataDir, `template-${type}.${format}`);
        writeFileSync(file, template.stdout);
        const issued = await runEproof(["issue", "--type", type, "--input", file], env);
        expect(issued.code, issued.stderr).toBe(0);
        const [result] = readResults(file);
        expect(result).toMatchObject({ row: 1, line: format === "csv" ? 2 : 1, documentNumber: DOCUMENT_EXAMPLES[type]?.documentNumber });
        const looked = await api(service, "GET", `/api/v1/documents/${result.id}`);
        expect(looked.status).toBe(200);
        expect(looked.body.type).toBe(type);
        ids.push(result.id);
        // The same document from either format is the same row: the second run finds it issued.
        if (format === "jsonl") expect(result.replayed).toBe(true);
      }
      expect(ids[1]).toBe(ids[0]);
    },
  );

  it('refuses a CSV with "a"b in it (RFC 4180), naming its line, before issuing anything', async () => {
    const file = join(service.dataDir, "bad-quote.csv");
    writeFileSync(file, [HEADER, row(201), row(202).replace("Food Factory Licence", '"Food" Factory Licence')].join("\n"));
    const result = await runEproof(["issue", "--type", "licence", "--input", file], env);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(/^eproof issue: .*bad-quote\.csv, line 3: a quoted cell goes on after its closing quote/);
    expect(existsSync(`${file}.results.jsonl`)).toBe(false);
  });

  it("names spreadsheet lines past a cell that spans lines, and file lines of JSON lines past empty ones", async () => {
    const csv = join(service.dataDir, "multiline.csv");
    const spanning = row(301).replace("12 Wang Tai Road", '"Flat B\n12 Wang Tai Road\nKowloon Bay"');
    writeFileSync(csv, [HEADER, spanning, "", row(302, { validUntil: "2025-01-01" })].join("\r\n"));
    const fromCsv = await runEproof(["issue", "--type", "licence", "--input", csv], env);
    expect(fromCsv.code).toBe(1);
    expect(fromCsv.stderr).toContain("line 6: validUntil");

    const jsonl = join(service.dataDir, "gaps.jsonl");
    const licence = DOCUMENT_EXAMPLES.licence as Record<string, unknown>;
    writeFileSync(jsonl, [JSON.stringify(licence), "", "", JSON.stringify({ ...licence, validUntil: "2025-01-01" }), ""].join("\n"));
    const fromJsonl = await runEproof(["issue", "--type", "licence", "--input", jsonl], env);
    expect(fromJsonl.code).toBe(1);
    expect(fromJsonl.stderr).toContain("line 4: validUntil");
  });

  it("explains itself: eproof issue --help exits 0, an unknown option is one line pointing to it and exits 2", async () => {
    const help = await runEproof(["issue", "--help"], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: eproof issue --type <type> --input <file\.csv\|file\.jsonl>/);
    expect(help.stdout).toContain("eproof template <type>");
    const wrong = await runEproof(["issue", "--type", "licence", "--inputs", "x.csv"], env);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toBe("eproof issue: unknown option --inputs; see eproof issue --help\n");
  });
});
