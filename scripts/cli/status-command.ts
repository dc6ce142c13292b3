/**
 * `eproof status <file.sd-jwt|file.vc-jwt>`: what the status lists a credential names say of it now,
 * the way any relying party reads them: the SD-JWT VC's Token Status List (`status.status_list`),
 * the VC-JWT's two Bitstring Status List credentials (`credentialStatus`, revocation and suspension).
 * Each list is fetched, its signature checked against the department's keys published as JWT VC
 * Issuer Metadata (`/.well-known/jwt-vc-issuer/...` of the credential's issuer), its issuer and URL
 * checked against the credential's, and decoded. The ledger itself is asked by `eproof verify`.
 */
import { es256 } from "../../services/adapters/signing/es256.ts";
import { readCompactJwt, splitSdJwt } from "../../services/domain/sd-jwt.ts";
import { bitstringBitAt, TOKEN_STATUS, tokenStatusAt } from "../../services/domain/status-list-formats.ts";
import { EProofError } from "../../services/errors.ts";
import { type CliCommand, parseCommandLine, UsageError } from "./arguments.ts";
import { readEProofText } from "./eproof-file.ts";
import { exportKindOf } from "./verify-command.ts";

export const STATUS_USAGE = `usage: eproof status <file.sd-jwt|file.vc-jwt>

Reads the status lists a credential export names, as any relying party would: the Token Status List
of an SD-JWT VC (or of a presentation of it), the two Bitstring Status List credentials (revocation,
suspension) of a VC-JWT. Checks each list's signature against the department's published keys (its
JWT VC Issuer Metadata), then prints VALID, REVOKED or SUSPENDED with each list's URL and index.
The lists follow the ledger within seconds; eproof verify asks the ledger itself.

options:
  -h, --help   this text

Exit code 0 only for VALID, 1 for REVOKED or SUSPENDED (or a list that cannot be read or trusted),
2 for bad usage.`;

/** A status list that cannot be fetched, trusted or read: the credential's status is unknown (exit code 1). */
class ListUnreadable extends Error {}

export type ListStatus = "VALID" | "REVOKED" | "SUSPENDED";

interface ListReading {
  format: "token" | "revocation" | "suspension";
  uri: string;
  index: number;
  /** The raw value at the index: the Token Status List's 0/1/2, a bit (0/1) of a Bitstring list. */
  value: number;
}

async function fetchText(url: string, accept: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept }, signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new ListUnreadable(`cannot fetch ${url}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!response.ok) throw new ListUnreadable(`cannot fetch ${url}: HTTP ${response.status}`);
  return (await response.text()).trim();
}

/** JWT VC Issuer Metadata (draft-ietf-oauth-sd-jwt-vc §5): /.well-known/jwt-vc-issuer inserted before the issuer URL's path. */
function issuerMetadataUrl(issuer: string): string {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new EProofError("INVALID_DOCUMENT", "the credential names no issuer URL");
  }
  return `${url.origin}/.well-known/jwt-vc-issuer${url.pathname.replace(/\/$/, "")}`;
}

/** The payload of a status list JWS signed by `issuer`'s published key `kid`, naming `uri`, unexpired (ListUnreadable otherwise). */
async function trustedListPayload(jws: string, uri: string, issuer: string, keys: Map<string, unknown>): Promise<Record<string, unknown>> {
  const { header, payload } = readCompactJwt(jws);
  const key = typeof header.kid === "string" ? keys.get(header.kid) : undefined;
  if (!key) throw new ListUnreadable(`the status list ${uri} is signed with a key its issuer does not publish`);
  const checked = await es256.verifyCompactJws(jws, key);
  if (!checked.ok) throw new ListUnreadable(`the status list ${uri} has a bad signature: ${checked.reason}`);
  const listIssuer = typeof payload.issuer === "string" ? payload.issuer : payload.iss;
  if (listIssuer !== issuer) throw new ListUnreadable(`the status list ${uri} is not the credential's issuer's`);
  const named = payload.sub ?? payload.id;
  if (named !== uri) throw new ListUnreadable(`the status list fetched from ${uri} names another URL`);
  const expires = typeof payload.exp === "number" ? payload.exp : typeof payload.validUntil === "string" ? Date.parse(payload.validUntil) / 1000 : Number.NaN;
  if (!(expires > Date.now() / 1000)) throw new ListUnreadable(`the status list ${uri} has expired`);
  return payload;
}

/** The department's published keys by kid, for the credential's issuer. */
async function issuerKeys(issuer: string): Promise<Map<string, unknown>> {
  const url = issuerMetadataUrl(issuer);
  let metadata: { issuer?: unknown; jwks?: { keys?: Array<{ kid?: unknown }> } };
  try {
    metadata = JSON.parse(await fetchText(url, "application/json"));
  } catch (error) {
    if (error instanceof ListUnreadable) throw error;
    throw new ListUnreadable(`the issuer metadata ${url} is not JSON`);
  }
  if (metadata.issuer !== issuer) throw new ListUnreadable(`the issuer metadata ${url} is not ${issuer}'s`);
  return new Map((metadata.jwks?.keys ?? []).filter((k) => typeof k.kid === "string").map((k) => [k.kid as string, k]));
}

/** What the credential's status lists say of it now. */
export async function readCredentialStatus(text: string, kind: "sd-jwt" | "vc-jwt"): Promise<{ status: ListStatus; readings: ListReading[] }> {
  const jwt = kind === "sd-jwt" ? splitSdJwt(text).jwt : text.trim();
  const { payload } = readCompactJwt(jwt);
  if (kind === "sd-jwt") {
    const issuer = String(payload.iss ?? "");
    const ref = (payload.status as { status_list?: { idx?: unknown; uri?: unknown } } | undefined)?.status_list;
    if (typeof ref?.uri !== "string" || !Number.isSafeInteger(ref.idx))
      throw new EProofError("INVALID_DOCUMENT", "the SD-JWT VC names no status list (status.status_list)");
    const keys = await issuerKeys(issuer);
    const list = await trustedListPayload(await fetchText(ref.uri, "application/statuslist+jwt"), ref.uri, issuer, keys);
    let value: number;
    try {
      value = tokenStatusAt(list.status_list, ref.idx as number);
    } catch (error) {
      throw new ListUnreadable(`the status list ${ref.uri} cannot be read: ${(error as Error).message}`);
    }
    const status: ListStatus = value === TOKEN_STATUS.VALID ? "VALID" : value === TOKEN_STATUS.SUSPENDED ? "SUSPENDED" : "REVOKED";
    return { status, readings: [{ format: "token", uri: ref.uri, index: ref.idx as number, value }] };
  }
  const issuer = typeof payload.issuer === "string" ? payload.issuer : String((payload.issuer as { id?: unknown } | undefined)?.id ?? "");
  const entries = ([] as unknown[]).concat(payload.credentialStatus ?? []) as Array<Record<string, unknown>>;
  const named = entries.filter((e) => e.type === "BitstringStatusListEntry" && (e.statusPurpose === "revocation" || e.statusPurpose === "suspension"));
  if (named.length === 0) throw new EProofError("INVALID_DOCUMENT", "the VC-JWT names no Bitstring Status List (credentialStatus)");
  const keys = await issuerKeys(issuer);
  const readings: ListReading[] = [];
  for (const entry of named) {
    const uri = String(entry.statusListCredential ?? "");
    const index = Number(entry.statusListIndex);
    const credential = await trustedListPayload(await fetchText(uri, "application/vc+jwt"), uri, issuer, keys);
    const subject = (credential.credentialSubject ?? {}) as { statusPurpose?: unknown; encodedList?: unknown };
    if (subject.statusPurpose !== entry.statusPurpose) throw new ListUnreadable(`the status list ${uri} is not a ${String(entry.statusPurpose)} list`);
    let set: boolean;
    try {
      set = bitstringBitAt(subject.encodedList, index);
    } catch (error) {
      throw new ListUnreadable(`the status list ${uri} cannot be read: ${(error as Error).message}`);
    }
    readings.push({ format: entry.statusPurpose as "revocation" | "suspension", uri, index, value: set ? 1 : 0 });
  }
  const set = (purpose: string) => readings.some((r) => r.format === purpose && r.value === 1);
  return { status: set("revocation") ? "REVOKED" : set("suspension") ? "SUSPENDED" : "VALID", readings };
}

const LIST_NAME = { token: "Token Status List", revocation: "Bitstring Status List (revocation)", suspension: "Bitstring Status List (suspension)" };

export async function statusCommand(options: { file?: string }): Promise<number> {
  if (!options.file) throw new UsageError("status", "name the credential export (.sd-jwt or .vc-jwt) whose status lists to read");
  const text = await readEProofText(options.file);
  const kind = exportKindOf(options.file, text);
  if (!kind) throw new UsageError("status", `${options.file} is not an SD-JWT VC (.sd-jwt) nor a VC-JWT (.vc-jwt)`);
  let result: Awaited<ReturnType<typeof readCredentialStatus>>;
  try {
    result = await readCredentialStatus(text, kind);
  } catch (error) {
    // A list that cannot be fetched or trusted says nothing good of the credential: not VALID.
    if (!(error instanceof ListUnreadable)) throw error;
    console.log(`UNKNOWN  ${error.message}`);
    return 1;
  }
  console.log(result.status);
  for (const r of result.readings) console.log(`  ${LIST_NAME[r.format]} ${r.uri} index ${r.index}: ${r.value}`);
  return result.status === "VALID" ? 0 : 1;
}

export const statusCli: CliCommand = {
  name: "status",
  summary: "read the status lists an SD-JWT VC or VC-JWT names: VALID, REVOKED or SUSPENDED",
  usage: STATUS_USAGE,
  async run(args) {
    const { help, positionals } = parseCommandLine("status", args, {}, 1);
    if (help) {
      console.log(STATUS_USAGE);
      return 0;
    }
    return statusCommand({ file: positionals[0] });
  },
};
