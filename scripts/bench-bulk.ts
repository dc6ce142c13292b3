/**
 * `npm run bench:bulk [-- <rows>]` (default 40,000): the bulk-issuance run of the lifecycle issue, end
 * to end as an officer would do it. Starts the whole system (embedded chain + SQLite) in a temp folder,
 * writes a CSV of <rows> licences, runs `eproof issue --type licence --input <csv>` (validation,
 * batch API, progress bar, results file), and reports the CLI's wall time and the time until the
 * last document is anchored on chain.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "./bench/wait-for.ts";

const root = new URL("..", import.meta.url).pathname;
const rows = Number(process.argv[2] ?? 40_000);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

function csv(count: number): string {
  const header =
    "documentNumber,title.en,title.zh-HK,holder.name.en,holder.name.zh-HK,holder.idMasked,premises.en,premises.zh-HK,conditions[],validFrom,validUntil";
  const lines = [header];
  for (let i = 1; i <= count; i += 1) {
    lines.push(
      [
        `FFL-2026-${String(i).padStart(6, "0")}`,
        "Food Factory Licence",
        "食物製造廠牌照",
        `"CHAN, Tai Man ${i}"`,
        "陳大文",
        "A123***(4)",
        `${i} Wang Tai Road`,
        `宏泰道${i}號`,
        "Maximum 20 workers|Display this licence",
        "2026-01-01",
        "2027-12-31",
      ].join(","),
    );
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "eproof-bulk-"));
  const port = await freePort();
  const service: ChildProcess = spawn(process.execPath, [join(root, "services/main.ts")], {
    env: { ...process.env, PORT: String(port), EPROOF_DATA_DIR: dataDir, EPROOF_CHAIN_PORT: String(await freePort()), EPROOF_LOG_LEVEL: "warn" },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`${base}/healthz`, 60_000);
    const apiKey = (JSON.parse(readFileSync(join(dataDir, "dev-credentials.json"), "utf8")) as { apiKey: string }).apiKey;
    const input = join(dataDir, "licences.csv");
    writeFileSync(input, csv(rows));
    console.error(`issuing ${rows.toLocaleString("en")} rows with eproof issue…`);
    const started = Date.now();
    const code = await new Promise<number | null>((resolve) => {
      const cli = spawn(process.execPath, [join(root, "scripts/eproof.mjs"), "issue", "--type", "licence", "--input", input], {
        env: { ...process.env, EPROOF_URL: base, EPROOF_API_KEY: apiKey },
        stdio: ["ignore", "inherit", "inherit"],
      });
      cli.once("exit", resolve);
    });
    const issuedMs = Date.now() - started;
    if (code !== 0) throw new Error(`eproof issue exited with ${code}`);
    const results = readFileSync(`${input}.results.jsonl`, "utf8").trim().split("\n");
    if (results.length !== rows) throw new Error(`results file has ${results.length} lines, expected ${rows}`);
    for (;;) {
      const health = (await (await fetch(`${base}/healthz`)).json()) as { outbox?: { unanchored?: number } };
      if (health.outbox?.unanchored === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const anchoredMs = Date.now() - started;
    console.log(
      `bulk issuance, ${rows.toLocaleString("en")} rows: eproof issue ${(issuedMs / 1000).toFixed(1)} s ` +
        `(${((rows * 1000) / issuedMs).toFixed(0)} rows/s), all anchored after ${(anchoredMs / 1000).toFixed(1)} s`,
    );
  } finally {
    service.kill("SIGTERM");
    await new Promise((r) => service.once("exit", r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
