/**
 * `eproof issue --type <type> --input <file.csv|file.jsonl> [--skip-bad-rows]`: validates every row
 * first and reports each problem (file line, field, what is wrong); nothing is issued if any row is
 * bad unless `--skip-bad-rows` is given. Then it issues through the batch API in chunks with a
 * progress bar (count, rate, ETA) and appends to `<input>.results.jsonl` as it goes (one line per
 * row). Each row's idempotency key is derived from the row's own content (and its occurrence among
 * identical rows), so re-running after an interruption, or after fixing some rows, never issues a row
 * twice; the summary counts the rows issued now apart from those the service already had.
 */
import { createHash } from "node:crypto";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { canonicalJson } from "../../services/domain/canonical-json.ts";
import { type DocumentTypeDefinition, documentTypes, getDocumentType, validateDocumentData } from "../../services/domain/document-types.ts";
import { EProofError } from "../../services/errors.ts";
import { type CliCommand, parseCommandLine, stringOption, UsageError } from "./arguments.ts";
import { columnsOf, describeColumns } from "./columns.ts";
import { csvToRows } from "./csv.ts";

interface IssueOptions {
  type?: string;
  input?: string;
  url?: string;
  apiKey?: string;
  chunk?: string;
  skipBadRows?: boolean;
}

/** A row of the input: its data, its position among the rows (1 = first data row) and its file line. */
interface InputRow {
  data: unknown;
  row: number;
  line: number;
}

/** One item of the answer of POST /api/v1/batches. */
interface IssuedItem {
  id: string;
  replayed?: boolean;
  links: Record<string, string>;
}

const TYPE_COLUMNS = [...documentTypes.values()].map((type) => `  ${type.id}\n${describeColumns(type, "      ")}`).join("\n");

export const ISSUE_USAGE = `usage: eproof issue --type <type> --input <file.csv|file.jsonl> [--skip-bad-rows] [--url <service>] [--api-key <key>] [--chunk <n>]

Issues one document per row of a CSV or JSON-lines file through the service's batch API.
Every row is checked first and each problem is listed with its file line (the CSV header is line 1,
so the first document is line 2); nothing is issued while a row is bad, unless --skip-bad-rows.
Rows are sent in chunks with a progress line, and <input>.results.jsonl gets one line per row:
its row and line, document id and number, whether it was already issued, and the links to its
JSON, PDF and QR code. Re-running the same command never issues a row twice (a row's content is
its idempotency key): the summary counts the rows issued now apart from those already issued.

Start a file with eproof template <type> (a header and an example row).

CSV columns: one column per field, the first line naming them.
  - a nested field is named by its dotted path: holder.name.en, holder.idMasked
  - a bilingual field is two columns, <field>.en and <field>.zh-HK (e.g. title.en, title.zh-HK)
  - a list has one column ending in [] whose items are separated by |: conditions[]
  - dates are YYYY-MM-DD; identity numbers are given masked (A123***(4)); amounts like 1500000.00
  - an empty cell leaves its optional field out; quote a cell holding a comma, quote or line
    break ("CHAN, Tai Man"), doubling the quotes inside it (RFC 4180); save as UTF-8
JSON lines: one document's data per line, as in the "data" of POST /api/v1/documents.

Columns of each type (the columns joined by + go together: all or none):
${TYPE_COLUMNS}

options:
  --type <type>       ${[...documentTypes.keys()].join(", ")}
  --input <file>      .csv, or JSON lines (any other name)
  --skip-bad-rows     issue the good rows, list the bad ones in the results, exit 1
  --url <service>     the service (default EPROOF_URL or http://localhost:8080)
  --api-key <key>     an officer's API key (default EPROOF_API_KEY or data/dev-credentials.json)
  --chunk <n>         rows per request, 1-10000 (default 1000)
  -h, --help          this text

Exit code 0 when every row is issued (now or before), 1 when a row is bad or the service refused,
2 for bad usage or an unreadable file.`;

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

function readRows(path: string, type: DocumentTypeDefinition): InputRow[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new EProofError("BAD_REQUEST", `cannot read ${path}`);
  }
  if (/\.csv$/i.test(path)) return csvToRows(text, columnsOf(type), path).map(({ data, line }, index) => ({ data, line, row: index + 1 }));
  const rows: InputRow[] = [];
  text.split(/\r\n|\n|\r/).forEach((content, index) => {
    if (content.trim() === "") return;
    try {
      rows.push({ data: JSON.parse(content) as unknown, line: index + 1, row: rows.length + 1 });
    } catch {
      throw new EProofError("BAD_REQUEST", `${path}, line ${index + 1}: not valid JSON`);
    }
  });
  return rows;
}

function apiKeyFrom(options: IssueOptions): string {
  const key = options.apiKey ?? process.env.EPROOF_API_KEY;
  if (key) return key;
  if (existsSync("data/dev-credentials.json")) return (JSON.parse(readFileSync("data/dev-credentials.json", "utf8")) as { apiKey: string }).apiKey;
  throw new UsageError("issue", "no API key: pass --api-key, set EPROOF_API_KEY, or run in the folder of `npm start` (data/dev-credentials.json)");
}

function progress(done: number, total: number, startedMs: number): string {
  const width = 30;
  const filled = Math.round((done / total) * width);
  const seconds = (Date.now() - startedMs) / 1000;
  const rate = seconds > 0 ? done / seconds : 0;
  const eta = rate > 0 ? Math.ceil((total - done) / rate) : 0;
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total} ${rate.toFixed(0)} docs/s ETA ${eta}s`;
}

/** The document number a person looks for in the results: the data's documentNumber (every built-in type has one). */
function documentNumberOf(data: unknown): string | undefined {
  const value = typeof data === "object" && data !== null ? (data as Record<string, unknown>).documentNumber : undefined;
  return typeof value === "string" ? value.trim() : undefined;
}

export async function issueCommand(options: IssueOptions): Promise<number> {
  if (!options.type) throw new UsageError("issue", `--type <type> is required (${[...documentTypes.keys()].join(", ")})`);
  if (!options.input) throw new UsageError("issue", "--input <file.csv|file.jsonl> is required");
  const type = getDocumentType(options.type);
  const rows = readRows(options.input, type);
  if (rows.length === 0) throw new EProofError("BAD_REQUEST", `${options.input} has no rows`);

  const bad = rows.flatMap((row) => {
    const result = validateDocumentData(type.id, row.data);
    return result.ok ? [] : result.problems.map((p) => ({ row: row.row, line: row.line, field: p.path, problem: p.message }));
  });
  const badRows = new Set(bad.map((b) => b.row));
  if (bad.length > 0) {
    for (const b of bad) console.error(`line ${b.line}: ${b.field || "(row)"}: ${b.problem}`);
    if (!options.skipBadRows) {
      console.error(
        `${bad.length} problem(s) in ${badRows.size} row(s) of ${options.input}; nothing was issued (fix them, or pass --skip-bad-rows to issue the others).`,
      );
      return 1;
    }
    console.error(`${bad.length} problem(s) in ${badRows.size} row(s); skipping those rows and issuing the other ${rows.length - badRows.size}.`);
  }

  const url = (options.url ?? process.env.EPROOF_URL ?? "http://localhost:8080").replace(/\/+$/, "");
  const apiKey = apiKeyFrom(options);
  const chunkGiven = options.chunk === undefined ? 1000 : Number(options.chunk);
  if (!Number.isInteger(chunkGiven) || chunkGiven < 1) throw new UsageError("issue", `--chunk takes a whole number of rows, not "${options.chunk}"`);
  const chunk = Math.min(chunkGiven, 10_000);
  const keys = rowKeys(
    type.id,
    rows.map((each) => each.data),
  );
  const good = rows.map((each, index) => ({ ...each, key: keys[index] as string })).filter((each) => !badRows.has(each.row));
  const resultsPath = `${options.input}.results.jsonl`;
  writeFileSync(resultsPath, "");
  for (const number of badRows) {
    const problems = bad.filter((b) => b.row === number).map((b) => ({ field: b.field, problem: b.problem }));
    const row = rows[number - 1] as InputRow;
    appendFileSync(resultsPath, `${JSON.stringify({ row: number, line: row.line, documentNumber: documentNumberOf(row.data), skipped: true, problems })}\n`);
  }
  const started = Date.now();
  // On a terminal the bar redraws in place; in a log (CI, a pipe) one line every ~10% keeps it readable.
  const interactive = process.stderr.isTTY === true;
  let lastLoggedTenth = 0;
  let issuedNow = 0;
  let replayed = 0;
  // Two requests in flight: the service builds and signs one while it stores the other. Answers are
  // taken in order; a chunk that fails leaves the one after it harmless (idempotency keys: a re-run replays it).
  const send = (offset: number) => {
    const slice = good.slice(offset, offset + chunk);
    const answer = fetch(`${url}/api/v1/batches`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ type: type.id, items: slice.map((each) => each.data), idempotencyKeys: slice.map((each) => each.key) }),
    })
      .then(async (response) => ({ response, body: (await response.json().catch(() => ({}))) as { documents?: IssuedItem[]; error?: { message: string } } }))
      .catch(() => ({ response: null, body: {} as { documents?: IssuedItem[]; error?: { message: string } } }));
    return { slice, answer };
  };
  let ahead = good.length > 0 ? send(0) : null;
  for (let offset = 0; offset < good.length; offset += chunk) {
    const current = ahead ?? send(offset);
    ahead = offset + chunk < good.length ? send(offset + chunk) : null;
    const { slice } = current;
    const { response, body } = await current.answer;
    if (!response?.ok || !body?.documents) {
      if (interactive) process.stderr.write("\n");
      const why = response ? (body?.error?.message ?? String(response.status)) : `cannot reach ${url}`;
      const [first, last] = [slice[0], slice.at(-1)];
      console.error(`the service refused the rows on lines ${first?.line}-${last?.line}: ${why}. Re-run the same command to resume.`);
      return 1;
    }
    const lines = body.documents.map((d, i) => {
      const input = slice[i] as (typeof slice)[number];
      if (d.replayed) replayed += 1;
      else issuedNow += 1;
      return `${JSON.stringify({ row: input.row, line: input.line, id: d.id, documentNumber: documentNumberOf(input.data), replayed: d.replayed === true, ...d.links })}\n`;
    });
    appendFileSync(resultsPath, lines.join(""));
    const done = offset + slice.length;
    if (interactive) process.stderr.write(`\r${progress(done, good.length, started)}`);
    else if (Math.floor((done * 10) / good.length) > lastLoggedTenth || done === good.length) {
      lastLoggedTenth = Math.floor((done * 10) / good.length);
      process.stderr.write(`${progress(done, good.length, started)}\n`);
    }
  }
  if (interactive) process.stderr.write("\n");
  const seconds = (Date.now() - started) / 1000;
  const skipped = badRows.size > 0 ? `, skipped ${badRows.size} bad row(s)` : "";
  console.log(`${type.id}: issued ${issuedNow}, already issued ${replayed}${skipped} in ${seconds.toFixed(1)} s; results in ${resultsPath}`);
  return badRows.size > 0 ? 1 : 0;
}

export const issueCli: CliCommand = {
  name: "issue",
  summary: "issue a CSV or JSON-lines file of documents through the batch API",
  usage: ISSUE_USAGE,
  async run(args) {
    const { help, values } = parseCommandLine("issue", args, {
      type: { type: "string" },
      input: { type: "string" },
      url: { type: "string" },
      "api-key": { type: "string" },
      chunk: { type: "string" },
      "skip-bad-rows": { type: "boolean" },
    });
    if (help) {
      console.log(ISSUE_USAGE);
      return 0;
    }
    return issueCommand({
      type: stringOption(values, "type"),
      input: stringOption(values, "input"),
      url: stringOption(values, "url"),
      apiKey: stringOption(values, "api-key"),
      chunk: stringOption(values, "chunk"),
      skipBadRows: values["skip-bad-rows"] === true,
    });
  },
};
