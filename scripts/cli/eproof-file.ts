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

/**
 * A copy saved before its batch was anchored carries no anchor, so the chain alone cannot vouch for
 * it. With `service` (the issuing service's public URL) the anchor is fetched from its public,
 * personal-data-free `GET /api/v1/public/documents/{id}/proof` and put into the copy; without it the
 * copy is returned as it is and `hint` says exactly how to complete it.
 */
export async function completeCopy(document: unknown, service: string | undefined): Promise<{ document: unknown; hint?: string }> {
  const d = document as { anchor?: unknown; header?: { id?: unknown } } | null;
  if (typeof d !== "object" || d === null || d.anchor !== undefined) return { document };
  const id = typeof d.header?.id === "string" && /^[0-9a-f]{32}$/.test(d.header.id) ? d.header.id : null;
  if (id === null) return { document };
  if (!service) {
    return {
      document,
      hint: `this copy carries no anchor (it was saved before its batch reached the ledger): add --service <the issuing service's URL> to complete it from <service>/api/v1/public/documents/${id}/proof, or download it again`,
    };
  }
  let response: Response;
  try {
    response = await fetch(`${service.replace(/\/+$/, "")}/api/v1/public/documents/${id}/proof`, { signal: AbortSignal.timeout(15_000) });
  } catch (error) {
    throw new EProofError("CHAIN_UNAVAILABLE", `cannot reach ${service} for the anchor of ${id}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (response.status === 202) {
    const after = response.headers.get("retry-after") ?? "a few";
    return { document, hint: `the issuing service has not anchored ${id} yet: try again in ${after} s` };
  }
  if (!response.ok) throw new EProofError("BAD_REQUEST", `${service} answered ${response.status} for the anchor of ${id}: it did not issue this document`);
  const { anchor } = (await response.json()) as { anchor?: unknown };
  // The fetched anchor is only a pointer: the verifier still checks the Merkle path and the chain.
  return { document: { ...d, anchor } };
}
