/** Reading an e-Proof file as the CLI commands take it: the JSON itself, or a PDF that carries it. */
import { readFileSync } from "node:fs";
import { extractEProofJson } from "../../services/adapters/pdf/document-pdf.ts";
import { EProofError } from "../../services/errors.ts";

/**
 * The e-Proof JSON text of `file`: the file's own text, or the JSON a PDF carries as its attachment.
 * Throws EProofError("BAD_REQUEST") for a file that cannot be read. Parsing is left to the caller,
 * which decides what a non-JSON text means (the verifier reports it as TAMPERED, redact refuses it).
 */
export async function readEProofText(file: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    throw new EProofError("BAD_REQUEST", `cannot read ${file}`);
  }
  const isPdf = bytes.subarray(0, 5).toString("latin1") === "%PDF-";
  return isPdf ? await extractEProofJson(new Uint8Array(bytes)) : bytes.toString("utf8");
}
