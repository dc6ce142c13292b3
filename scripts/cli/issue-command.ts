/**
 * `eproof issue --type <type> --input <file.csv|file.jsonl>`: validates every row first (nothing is
 * issued if any row is bad), then issues through the batch API in chunks with a progress bar, and
 * writes `<input>.results.jsonl` (one line per row). Each row's idempotency key is derived from the
 * file's content and the row number, so re-running after an interruption never issues a row twice.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { getDocumentType, validateDocumentData } from "../../services/domain/document-types.ts";
import { EProofError } from "../../services/errors.ts";
import { csvToObjects } from "./csv.ts";

interface IssueOptions {
  type?: string;
  input?: string;
  url?: string;
  apiKey?: string;
  chunk?: string;
}

function readRows(path: string): unknown[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new EProofError("BAD_REQUEST", `cannot read ${path}`);
  }
  if (/\.csv$/i.test(path)) return csvToObjects(text);
  return text.split(/\r?\n/).flatMap((line, index) => {
    if (line.trim() === "") return [];
    try {
      return [JSON.parse(line) as unknown];
    } catch {
      throw new EProofError("BAD_REQUEST", `line ${index + 1} of ${path} is not valid JSON`);
    }
  });
}

function apiKeyFrom(options: IssueOptions): string {
  const key = options.apiKey ?? process.env.EPROOF_API_KEY;
  if (key) return key;
  if (existsSync("data/dev-credentials.json")) return (JSON.parse(readFileSync("data/dev-credentials.json", "utf8")) as { apiKey: string }).apiKey;
  throw new EProofError("BAD_REQUEST", "no API key: pass --api-key, set EPROOF_API_KEY, or run in the folder of `npm start` (data/dev-credentials.json)");
}

function progress(done: number, total: number, startedMs: number): string {
  const width = 30;
  const filled = Math.round((done / total) * width);
  const seconds = (Date.now() - startedMs) / 1000;
  const rate = seconds > 0 ? done / seconds : 0;
  const eta = rate > 0 ? Math.ceil((total - done) / rate) : 0;
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total} ${rate.toFixed(0)} docs/s ETA ${eta}s`;
}

export async function issueCommand(options: IssueOptions): Promise<number> {
  if (!options.type) throw new EProofError("BAD_REQUEST", "--type <type> is required (licence, permit, subsidy-agreement, certificate)");
  if (!options.input) throw new EProofError("BAD_REQUEST", "--input <file.csv|file.jsonl> is required");
  const type = getDocumentType(options.type);
  const rows = readRows(options.input);
  if (rows.length === 0) throw new EProofError("BAD_REQUEST", `${options.input} has no rows`);

  const bad = rows.flatMap((row, index) => {
    const result = validateDocumentData(type.id, row);
    return result.ok ? [] : result.problems.map((p) => ({ row: index + 1, field: p.path, problem: p.message }));
  });
  if (bad.length > 0) {
    for (const b of bad) console.error(`row ${b.row}: ${b.field || "(row)"}: ${b.problem}`);
    console.error(`${bad.length} problem(s) in ${new Set(bad.map((b) => b.row)).size} row(s); nothing was issued.`);
    return 1;
  }

  const url = (options.url ?? process.env.EPROOF_URL ?? "http://localhost:8080").replace(/\/+$/, "");
  const apiKey = apiKeyFrom(options);
  const chunk = Math.max(1, Math.min(Number(options.chunk ?? 1000) || 1000, 10_000));
  const fileKey = createHash("sha256").update(readFileSync(options.input)).digest("hex").slice(0, 16);
  const results: string[] = [];
  const started = Date.now();
  for (let offset = 0; offset < rows.length; offset += chunk) {
    const items = rows.slice(offset, offset + chunk);
    const response = await fetch(`${url}/api/v1/batches`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ type: type.id, items, idempotencyKeys: items.map((_, i) => `${fileKey}:${offset + i + 1}`) }),
    });
    const body = (await response.json().catch(() => ({}))) as { documents?: Array<{ id: string; links: Record<string, string> }>; error?: { message: string } };
    if (!response.ok || !body.documents) {
      process.stderr.write("\n");
      console.error(
        `the service refused rows ${offset + 1}-${offset + items.length}: ${body.error?.message ?? response.status}. Re-run the same command to resume.`,
      );
      return 1;
    }
    body.documents.forEach((d, i) => {
      results.push(JSON.stringify({ row: offset + i + 1, id: d.id, ...d.links }));
    });
    process.stderr.write(`\r${progress(offset + items.length, rows.length, started)}`);
  }
  process.stderr.write("\n");
  const resultsPath = `${options.input}.results.jsonl`;
  writeFileSync(resultsPath, `${results.join("\n")}\n`);
  console.log(`issued ${rows.length} ${type.id} document(s); results in ${resultsPath}`);
  return 0;
}
