/**
 * `eproof template <type> [--format csv|jsonl]`: the file to start a bulk issuance from. The header
 * comes from the type's schema (columnsOf), the example row from DOCUMENT_EXAMPLES; both go through
 * the same reader and validation as `eproof issue`, so a template row issues as it is.
 */

import { DOCUMENT_EXAMPLES } from "../../services/domain/document-examples.ts";
import { documentTypes, getDocumentType } from "../../services/domain/document-types.ts";
import { type CliCommand, parseCommandLine, stringOption, UsageError } from "./arguments.ts";
import { cellOf, columnsOf } from "./columns.ts";
import { csvLine } from "./csv.ts";

const TYPES = [...documentTypes.keys()].join(", ");

export const TEMPLATE_USAGE = `usage: eproof template <type> [--format csv|jsonl]

Prints what a bulk issuance file for <type> looks like: a CSV header and one example row, or with
--format jsonl one example JSON line. Start your file from it, replace the example row with one row
per document, then issue it:

  npx eproof template licence > licences.csv
  npx eproof issue --type licence --input licences.csv

Types: ${TYPES}. eproof issue --help explains the columns.

options:
  --format csv|jsonl   csv (the default) or jsonl
  -h, --help           this text`;

/** The template text of a type: header and example row (csv), or one example line (jsonl). */
export function templateOf(typeId: string, format: "csv" | "jsonl" = "csv"): string {
  const type = getDocumentType(typeId);
  const example = DOCUMENT_EXAMPLES[type.id];
  if (!example) throw new Error(`no template example for the document type ${type.id}`);
  if (format === "jsonl") return `${JSON.stringify(example)}\n`;
  const columns = columnsOf(type);
  return `${csvLine(columns.map((c) => c.header))}\n${csvLine(columns.map((c) => cellOf(c, example)))}\n`;
}

export const templateCli: CliCommand = {
  name: "template",
  summary: "print a CSV header and example row (or a JSON line) to start a bulk issuance file",
  usage: TEMPLATE_USAGE,
  async run(args) {
    const { help, values, positionals } = parseCommandLine("template", args, { format: { type: "string" } }, 1);
    if (help) {
      console.log(TEMPLATE_USAGE);
      return 0;
    }
    const [typeId] = positionals;
    if (!typeId) throw new UsageError("template", `name a document type (${TYPES})`);
    const format = stringOption(values, "format") ?? "csv";
    if (format !== "csv" && format !== "jsonl") throw new UsageError("template", `--format is csv or jsonl, not "${format}"`);
    process.stdout.write(templateOf(typeId, format));
    return 0;
  },
};
