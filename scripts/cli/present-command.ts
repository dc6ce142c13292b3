/**
 * `eproof present <file.sd-jwt> --disclose <field,…> [--out <file>]`: a holder's presentation of an
 * SD-JWT VC (RFC 9901 §4) that keeps only the named disclosures. Pure and offline: the issuer's
 * signature covers the digests of every field, so dropping disclosures needs no key; the claims that
 * are always disclosed (the e-Proof id, the document hash, the issuer, the validity window, the
 * status) stay, being plain claims of the signed JWT.
 */
import { writeFileSync } from "node:fs";
import { decodeDisclosure, joinSdJwt, readCompactJwt, splitSdJwt } from "../../services/domain/sd-jwt.ts";
import { EProofError } from "../../services/errors.ts";
import { type CliCommand, parseCommandLine, stringOption, UsageError } from "./arguments.ts";
import { readEProofText } from "./eproof-file.ts";

export const PRESENT_USAGE = `usage: eproof present <file.sd-jwt> --disclose <field,…> [--out <file.sd-jwt>]

Writes a presentation of an SD-JWT VC that discloses only the named fields (e.g.
documentNumber,validUntil): the other fields travel as their digests only, and the presentation still
verifies VALID (eproof verify, POST /api/v1/verify {"sdJwt": …}). Works offline. The e-Proof id, the
document hash, the issuer, the validity window and the status are always disclosed.
A credential bound to a wallet's key (cnf) also needs the wallet's key binding JWT: present it from
the wallet instead.

options:
  --disclose <field,…>   the fields to keep, separated by commas
  --out <file>           write the presentation there (default: print it)
  -h, --help             this text`;

/** The presentation of `sdJwt` that keeps only the disclosures of `names`; UsageError naming the disclosable fields for an unknown name. */
export function presentSdJwt(sdJwt: string, names: string[]): { presentation: string; bound: boolean } {
  const parts = splitSdJwt(sdJwt);
  const { payload } = readCompactJwt(parts.jwt);
  const disclosures = parts.disclosures.map(decodeDisclosure);
  const available = disclosures.map((d) => d.name);
  const unknown = names.filter((name) => !available.includes(name));
  if (unknown.length > 0) {
    throw new UsageError(
      "present",
      `${unknown.map((n) => `"${n.slice(0, 40)}"`).join(", ")} ${unknown.length === 1 ? "is not a field" : "are not fields"} this credential discloses; its fields: ${available.join(", ")}`,
    );
  }
  const kept = disclosures.filter((d) => names.includes(d.name)).map((d) => d.encoded);
  // A key binding JWT signs the disclosures it was made for: it cannot travel with fewer.
  return { presentation: joinSdJwt(parts.jwt, kept), bound: payload.cnf !== undefined };
}

export async function presentCommand(options: { file?: string; disclose?: string; out?: string }): Promise<number> {
  if (!options.file) throw new UsageError("present", "name the SD-JWT VC file (.sd-jwt) to present");
  const names = (options.disclose ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  if (names.length === 0) throw new UsageError("present", "--disclose <field,…> is required, e.g. --disclose documentNumber,validUntil");
  const text = await readEProofText(options.file);
  if (!text.includes("~"))
    throw new EProofError("BAD_REQUEST", `${options.file} is not an SD-JWT VC (no "~"): fetch one from GET /api/v1/documents/{id}/sd-jwt-vc`);
  const { presentation, bound } = presentSdJwt(text, names);
  if (bound) console.error("note: this credential is bound to a wallet's key (cnf): a verifier also needs the wallet's key binding JWT");
  if (options.out) {
    writeFileSync(options.out, `${presentation}\n`);
    console.error(`wrote ${options.out}: ${names.join(", ")} disclosed`);
  } else {
    process.stdout.write(`${presentation}\n`);
  }
  return 0;
}

export const presentCli: CliCommand = {
  name: "present",
  summary: "write a presentation of an SD-JWT VC that discloses only some fields",
  usage: PRESENT_USAGE,
  async run(args) {
    const { help, values, positionals } = parseCommandLine("present", args, { disclose: { type: "string" }, out: { type: "string" } }, 1);
    if (help) {
      console.log(PRESENT_USAGE);
      return 0;
    }
    return presentCommand({ file: positionals[0], disclose: stringOption(values, "disclose"), out: stringOption(values, "out") });
  },
};
