/** Dispatches `eproof <command>`; each command lives in its own file. Returns the exit code. */
import { parseArgs } from "node:util";
import { isEProofError } from "../../services/errors.ts";
import { ADMIN_USAGE, adminCommand } from "./admin-command.ts";
import { issueCommand } from "./issue-command.ts";
import { redactCommand } from "./redact-command.ts";
import { verifyCommand } from "./verify-command.ts";

const USAGE = `usage:
  eproof verify <file.json|file.pdf> --rpc <url> (--registry <address> | --trust <file|url>) [--chain-id <id>]
      Verifies an e-Proof file or PDF against the chain, without the service. --trust takes a trust
      list (a saved or live /.well-known/eproof.json): every registry with its period, so documents
      anchored in an earlier registry keep verifying after a move.
      Prints the verdict as JSON; exit 0 only for VALID, 1 for any other verdict, 2 for bad usage.
  eproof issue --type <type> --input <file.csv|file.jsonl> [--skip-bad-rows] [--url <service>] [--api-key <key>] [--chunk <n>]
      Checks every row first and lists each problem; issues nothing if a row is bad, unless
      --skip-bad-rows (then exit 1 after issuing the good rows). Issues through the service's batch
      API with a progress bar, writing <input>.results.jsonl (row, id, links) as it goes.
      Re-running never issues a row twice (each row's content is its idempotency key).
      The API key comes from --api-key, EPROOF_API_KEY or data/dev-credentials.json.
  eproof redact <file.json|file.pdf> --hide <field,…> [--out <file.json>]
      Writes a copy that withholds the named fields (e.g. premises,conditions) and still verifies.
      Key facts and header fields cannot be hidden. Prints the copy unless --out is given.
${ADMIN_USAGE}`;

export async function runCli(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "verify": {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: { rpc: { type: "string" }, registry: { type: "string" }, trust: { type: "string" }, "chain-id": { type: "string" } },
        });
        return await verifyCommand({
          file: positionals[0],
          rpc: values.rpc,
          registry: values.registry,
          trust: values.trust,
          chainId: values["chain-id"],
        });
      }
      case "issue": {
        const { values } = parseArgs({
          args: rest,
          options: {
            type: { type: "string" },
            input: { type: "string" },
            url: { type: "string" },
            "api-key": { type: "string" },
            chunk: { type: "string" },
            "skip-bad-rows": { type: "boolean" },
          },
        });
        return await issueCommand({
          type: values.type,
          input: values.input,
          url: values.url,
          apiKey: values["api-key"],
          chunk: values.chunk,
          skipBadRows: values["skip-bad-rows"],
        });
      }
      case "redact": {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: { hide: { type: "string" }, out: { type: "string" } },
        });
        return await redactCommand({ file: positionals[0], hide: values.hide, out: values.out });
      }
      case "admin":
        return await adminCommand(rest);
      case undefined:
      case "help":
      case "--help":
      case "-h":
        console.log(USAGE);
        return command === undefined ? 2 : 0;
      default:
        console.error(`unknown command "${command}"\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    if (isEProofError(error) || (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS"))) {
      console.error(`eproof: ${(error as Error).message}`);
      return 2;
    }
    throw error;
  }
}
