/**
 * `eproof redact <file.json|file.pdf> --hide <field,…> [--out <file>]`: a holder's redacted copy.
 * Works offline with the same domain code as the service's POST /api/v1/redact; the copy still
 * verifies VALID and says which fields were withheld.
 */
import { writeFileSync } from "node:fs";
import { EProofError } from "../../services/errors.ts";
import { redactCopy } from "../../services/use-cases/redact-copy.ts";
import { type CliCommand, parseCommandLine, stringOption, UsageError } from "./arguments.ts";
import { completeCopy, readEProofText } from "./eproof-file.ts";

export const REDACT_USAGE = `usage: eproof redact <file.json|file.pdf> --hide <field,…> [--out <file.json>] [--service <url>]

Writes a copy of an e-Proof file that withholds the named fields (e.g. premises,conditions) and still
verifies VALID, saying which fields were withheld. Works offline. The key facts (document number,
holder or beneficiary, validity: what the QR code carries) and header fields cannot be hidden.

options:
  --hide <field,…>   the fields to withhold, separated by commas
  --out <file>       write the copy there (default: print it)
  --service <url>    the issuing service: completes a copy saved before anchoring with its anchor first
  -h, --help         this text`;

export interface RedactOptions {
  file?: string;
  hide?: string;
  out?: string;
  service?: string;
}

export async function redactCommand(options: RedactOptions): Promise<number> {
  if (!options.file) throw new UsageError("redact", "name the e-Proof file (.json) or PDF to redact");
  const hide = (options.hide ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  if (hide.length === 0) throw new UsageError("redact", "--hide <field,…> is required, e.g. --hide premises,conditions");
  const text = await readEProofText(options.file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new EProofError("BAD_REQUEST", `${options.file} is not an e-Proof file (not JSON)`);
  }
  // A redacted copy of a proofless copy is proofless too: complete it first, or say how.
  const { document, hint } = await completeCopy(parsed, options.service);
  if (hint) console.error(hint);
  const copy = `${JSON.stringify(redactCopy(document, hide), null, 2)}\n`;
  if (options.out) {
    writeFileSync(options.out, copy);
    console.error(`wrote ${options.out}: ${hide.join(", ")} withheld`);
  } else {
    process.stdout.write(copy);
  }
  return 0;
}

export const redactCli: CliCommand = {
  name: "redact",
  summary: "write a copy of an e-Proof file that withholds some fields and still verifies",
  usage: REDACT_USAGE,
  async run(args) {
    const { help, values, positionals } = parseCommandLine(
      "redact",
      args,
      { hide: { type: "string" }, out: { type: "string" }, service: { type: "string" } },
      1,
    );
    if (help) {
      console.log(REDACT_USAGE);
      return 0;
    }
    return redactCommand({
      file: positionals[0],
      hide: stringOption(values, "hide"),
      out: stringOption(values, "out"),
      service: stringOption(values, "service"),
    });
  },
};
