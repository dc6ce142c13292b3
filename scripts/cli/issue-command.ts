/**
 * `eproof issue --type <type> --input <file.csv|file.jsonl> [--skip-bad-rows]`: validates every row
 * first and reports each problem (row, field, what is wrong); nothing is issued if any row is bad unless
 * `--skip-bad-rows` is given. Then it issues through the batch API in chunks with a progress bar (count,
 * rate, ETA) and appends to `<input>.results.jsonl` as it goes (one line per row). Each row's
 * idempotency key is derived from the row's own content (and its occurrence among identical rows), so
 * re-running after an interruption, or after fixing some rows, never issues a row twice.
 */
import { createHash } from "node:crypto";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { canonicalJson } from "../../services/domain/canonical-json.ts";
import { getDocumentType, validateDocumentData } from "../../services/domain/document-types.ts";
import { EProofError } from "../../services/errors.ts";
import { csvToObjects } from "./csv.ts";

interface IssueOptions {
  type?: string;
  input?: string;
  url?: string;
  apiKey?: string;
  chunk?: string;
  skipBadRows?: boolean;
}

/** The idempotency key of each row: its type and canonical content, and which copy of identical rows it is. */
function rowKeys(typeId: string, rows: unknown[]): string[] {
  const seen = new Map<string, number>();
  return rows.map((row) => {
    const digest = createHash("sha256")
      .update(`${typeId}\n${canonicalJson(row as never)}`)
      .digest("hex")
      .slice(0, 32);
    const copy = (seen.get(digest) ?? 0) + 1;
    seen.set(digest, copy);
    return `row:${digest}:${copy}`;
  });
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
  const badRows = new Set(bad.map((b) => b.row));
  if (bad.length > 0) {
    for (const b of bad) console.error(`row ${b.row}: ${b.field || "(row)"}: ${b.problem}`);
    if (!options.skipBadRows) {
      console.error(`${bad.length} problem(s) in ${badRows.size} row(s); nothing was issued (fix them, or pass --skip-bad-rows to issue the others).`);
      return 1;
    }
    console.error(`${bad.length} problem(s) in ${badRows.size} row(s); skipping those rows and issuing the other ${rows.length - badRows.size}.`);
  }

  const url = (options.url ?? process.env.EPROOF_URL ?? "http://localhost:8080").replace(/\/+$/, "");
  const apiKey = apiKeyFrom(options);
  const chunk = Math.max(1, Math.min(Number(options.chunk ?? 1000) || 1000, 10_000));
  const keys = rowKeys(type.id, rows);
  const good = rows.map((row, index) => ({ row, number: index + 1, key: keys[index] as string })).filter((each) => !badRows.has(each.number));
  const resultsPath = `${options.input}.results.jsonl`;
  writeFileSync(resultsPath, "");
  for (const number of badRows) {
    const problems = bad.filter((b) => b.row === number).map((b) => ({ field: b.field, problem: b.problem }));
    appendFileSync(resultsPath, `${JSON.stringify({ row: number, skipped: true, problems })}\n`);
  }
  const started = Date.now();
  // On a terminal the bar redraws in place; in a log (CI, a pipe) one line every ~10% keeps it readable.
  const interactive = process.stderr.isTTY === true;
  let lastLoggedTenth = 0;
  for (let offset = 0; offset < good.length; offset += chunk) {
    const slice = good.slice(offset, offset + chunk);
    const response = await fetch(`${url}/api/v1/batches`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ type: type.id, items: slice.map((each) => each.row), idempotencyKeys: slice.map((each) => each.key) }),
    }).catch(() => null);
    const body = (await response?.json().catch(() => ({}))) as {
      documents?: Array<{ id: string; links: Record<string, string> }>;
      error?: { message: string };
    };
    if (!response?.ok || !body?.documents) {
      if (interactive) process.stderr.write("\n");
      const why = response ? (body?.error?.message ?? String(response.status)) : `cannot reach ${url}`;
      console.error(`the service refused rows ${slice[0]?.number}-${slice.at(-1)?.number}: ${why}. Re-run the same command to resume.`);
      return 1;
    }
    appendFileSync(resultsPath, body.documents.map((d, i) => `${JSON.stringify({ row: slice[i]?.number, id: d.id, ...d.links })}\n`).join(""));
    const done = offset + slice.length;
    if (interactive) process.stderr.write(`\r${progress(done, good.length, started)}`);
    else if (Math.floor((done * 10) / good.length) > lastLoggedTenth || done === good.length) {
      lastLoggedTenth = Math.floor((done * 10) / good.length);
      process.stderr.write(`${progress(done, good.length, started)}\n`);
    }
  }
  if (interactive) process.stderr.write("\n");
  const seconds = (Date.now() - started) / 1000;
  console.log(`issued ${good.length} ${type.id} document(s) in ${seconds.toFixed(1)} s; results in ${resultsPath}`);
  return badRows.size > 0 ? 1 : 0;
}
