/**
 * `eproof admin <subcommand>`: the platform administrator's CLI. A thin client of the admin API
 * (/api/v1/admin, see services/adapters/http/routes/admin-routes.ts); it prints the service's JSON
 * answer. The one exception is `create-admin-key`, which writes an admin key straight into a
 * service's store (SQLite, or PostgreSQL with EPROOF_DATABASE_URL(_FILE)): the first admin key of a deployment cannot come from the API itself.
 */
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { ParseArgsOptionsConfig } from "node:util";
import { hashApiKey, newApiKey } from "../../services/adapters/http/auth.ts";
import { PgStore } from "../../services/adapters/store/pg-store.ts";
import { SqliteStore } from "../../services/adapters/store/sqlite-store.ts";
import { secret } from "../../services/config.ts";
import { EProofError } from "../../services/errors.ts";
import { type CliCommand, parseCommandLine, stringOption, UsageError } from "./arguments.ts";

function adminKeyFrom(given: string | undefined): string {
  const key = given ?? process.env.EPROOF_ADMIN_API_KEY;
  if (key) return key;
  const path = join(process.env.EPROOF_DATA_DIR ?? "data", "dev-credentials.json");
  if (existsSync(path)) {
    const stored = (JSON.parse(readFileSync(path, "utf8")) as { adminApiKey?: string }).adminApiKey;
    if (stored) return stored;
  }
  throw new UsageError("admin", "no admin API key: pass --api-key, set EPROOF_ADMIN_API_KEY, or run in the folder of `npm start` (data/dev-credentials.json)");
}

function need(sub: string, value: string | undefined, what: string): string {
  if (!value) throw new UsageError(`admin ${sub}`, `${what} is required`);
  return value;
}

function list(value: string | undefined): string[] | undefined {
  return value === undefined
    ? undefined
    : value
        .split(",")
        .map((v) => v.trim())
        .filter(Boolean);
}

const seg = encodeURIComponent;

/** Every option an admin subcommand may take; each subcommand names the ones it accepts. */
const OPTIONS: ParseArgsOptionsConfig = {
  url: { type: "string" },
  "api-key": { type: "string" },
  "name-en": { type: "string" },
  "name-zh": { type: "string" },
  types: { type: "string" },
  "no-anchorer": { type: "boolean" },
  "no-key": { type: "boolean" },
  grace: { type: "string" },
  at: { type: "string" },
  label: { type: "string" },
  role: { type: "string" },
  department: { type: "string" },
  document: { type: "string" },
  actor: { type: "string" },
  action: { type: "string" },
  after: { type: "string" },
  limit: { type: "string" },
  "data-dir": { type: "string" },
};

/** A request to the admin API: method, path and JSON body. */
type AdminRequest = [method: string, path: string, body?: unknown];

interface AdminSubcommand {
  name: string;
  /** What follows `eproof admin <name>`. */
  synopsis: string;
  /** One line in `eproof admin --help`. */
  summary: string;
  /** More for `eproof admin <name> --help`. */
  details?: string;
  /** The options it takes besides --url and --api-key. */
  options: string[];
  positionals: number;
  request(args: string[], value: (name: string) => string | undefined, flag: (name: string) => boolean): AdminRequest;
}

function sub(
  name: string,
  synopsis: string,
  summary: string,
  positionals: number,
  options: string[],
  request: AdminSubcommand["request"],
  details?: string,
): AdminSubcommand {
  return { name, synopsis, summary, positionals, options, request, ...(details ? { details } : {}) };
}

const code = (name: string, args: string[]) => seg(need(name, args[0], "the department code"));

const SUBCOMMANDS: AdminSubcommand[] = [
  sub(
    "onboard",
    "<CODE> --name-en <name> --name-zh <名稱> [--types licence,permit] [--no-anchorer] [--no-key]",
    "a new department: its bilingual name, document types, anchoring account and signing key",
    1,
    ["name-en", "name-zh", "types", "no-anchorer", "no-key"],
    (args, value, flag) => [
      "POST",
      "/api/v1/admin/departments",
      {
        code: need("onboard", args[0], "the department code"),
        name: { en: need("onboard", value("name-en"), "--name-en"), zhHK: need("onboard", value("name-zh"), "--name-zh") },
        ...(value("types") ? { types: list(value("types")) } : {}),
        ...(flag("no-anchorer") ? { anchorer: false } : {}),
        ...(flag("no-key") ? { signingKey: false } : {}),
      },
    ],
    "--types grants document types at once; --no-anchorer skips the department's anchoring account\n(generated in key custody), --no-key its first signing key.",
  ),
  sub("show", "<CODE>", "the department, its type grants, key windows and anchoring accounts", 1, [], (args) => [
    "GET",
    `/api/v1/admin/departments/${code("show", args)}`,
  ]),
  sub("suspend", "<CODE>", "stop the department issuing (its documents keep their status)", 1, [], (args) => [
    "POST",
    `/api/v1/admin/departments/${code("suspend", args)}/suspend`,
  ]),
  sub("reinstate", "<CODE>", "let a suspended department issue again", 1, [], (args) => [
    "POST",
    `/api/v1/admin/departments/${code("reinstate", args)}/reinstate`,
  ]),
  sub("grant", "<CODE> <type>", "allow the department to issue a document type", 2, [], (args) => [
    "POST",
    `/api/v1/admin/departments/${code("grant", args)}/types`,
    { type: need("grant", args[1], "the document type") },
  ]),
  sub("withdraw", "<CODE> <type>", "withdraw a document type from the department", 2, [], (args) => [
    "DELETE",
    `/api/v1/admin/departments/${code("withdraw", args)}/types/${seg(need("withdraw", args[1], "the document type"))}`,
  ]),
  sub("register-key", "<CODE>", "a new signing key, valid from now", 1, [], (args) => ["POST", `/api/v1/admin/departments/${code("register-key", args)}/keys`]),
  sub(
    "rotate-key",
    "<CODE> [--grace <seconds>]",
    "a new signing key now; the old ones retired after the grace (default 600 s)",
    1,
    ["grace"],
    (args, value) => [
      "POST",
      `/api/v1/admin/departments/${code("rotate-key", args)}/keys/rotate`,
      value("grace") ? { graceSeconds: Number(value("grace")) } : {},
    ],
  ),
  sub(
    "compromise-key",
    "<CODE> <kid> --at <ISO time>",
    "declare a signing key compromised from a moment on",
    2,
    ["at"],
    (args, value) => [
      "POST",
      `/api/v1/admin/departments/${code("compromise-key", args)}/keys/${seg(need("compromise-key", args[1], "the key id (kid)"))}/compromised`,
      { at: need("compromise-key", value("at"), "--at <ISO time>") },
    ],
    "--at is an ISO 8601 time with its offset and may be in the past (e.g. 2026-11-20T16:00:00+08:00):\ndocuments with this key anchored after it verify as UNKNOWN_ISSUER; those anchored before stay VALID.",
  ),
  sub("add-anchorer", "<CODE> [<account>]", "an anchoring account for the department (none given: a new one in key custody)", 2, [], (args) => [
    "POST",
    `/api/v1/admin/departments/${code("add-anchorer", args)}/anchorers`,
    args[1] ? { account: args[1] } : {},
  ]),
  sub("remove-anchorer", "<CODE> <account>", "remove an anchoring account on chain", 2, [], (args) => [
    "DELETE",
    `/api/v1/admin/departments/${code("remove-anchorer", args)}/anchorers/${seg(need("remove-anchorer", args[1], "the account"))}`,
  ]),
  sub("rotate-anchorer", "<CODE>", "a new anchoring account in custody; the previous one removed on chain", 1, [], (args) => [
    "POST",
    `/api/v1/admin/departments/${code("rotate-anchorer", args)}/anchorers/rotate`,
    {},
  ]),
  sub("publish-reasons", "<CODE> <code,…|none>", "reason codes the public verify answer may name (default none)", 2, [], (args) => {
    const given = need("publish-reasons", args[1], "the reason codes (e.g. 8, or none)");
    const reasonCodes = given === "none" ? [] : (list(given) ?? []).map(Number);
    return ["PUT", `/api/v1/admin/departments/${code("publish-reasons", args)}/publishable-reasons`, { reasonCodes }];
  }),
  sub(
    "create-key",
    "--department <CODE> --label <text> [--types licence,…] | --role admin|relying-party --label <text>",
    "an API key: an officer's (of a department), another admin's, or a relying party's",
    0,
    ["label", "role", "department", "types"],
    (_args, value) => [
      "POST",
      "/api/v1/admin/api-keys",
      {
        label: need("create-key", value("label"), "--label"),
        ...(value("role") ? { role: value("role") } : {}),
        ...(value("department") ? { department: value("department") } : {}),
        ...(value("types") ? { types: list(value("types")) } : {}),
      },
    ],
    "An officer's key (--department) may be limited to some types; a relying party's key\n(--role relying-party) can only manage status subscriptions. The key is printed once.",
  ),
  sub("list-keys", "", "every API key (never the secrets)", 0, [], () => ["GET", "/api/v1/admin/api-keys"]),
  sub("revoke-key", "<keyId>", "revoke an API key", 1, [], (args) => [
    "POST",
    `/api/v1/admin/api-keys/${seg(need("revoke-key", args[0], "the key id"))}/revoke`,
  ]),
  sub(
    "audit",
    "[--department <CODE>] [--document <id>] [--actor <keyId>] [--action <name>] [--after <seq>] [--limit <n>]",
    "the audit trail, filtered",
    0,
    ["department", "document", "actor", "action", "after", "limit"],
    (_args, value) => {
      const query = new URLSearchParams();
      for (const [option, param] of [
        ["department", "department"],
        ["document", "documentId"],
        ["actor", "actor"],
        ["action", "action"],
        ["after", "after"],
        ["limit", "limit"],
      ] as const) {
        const given = value(option);
        if (given) query.set(param, given);
      }
      return ["GET", `/api/v1/admin/audit${query.size > 0 ? `?${query}` : ""}`];
    },
    "--after <seq> pages on from an entry's sequence number.",
  ),
];

const CREATE_ADMIN_KEY_SYNOPSIS = "--data-dir <dir> --label <text>   (or --label <text> with EPROOF_DATABASE_URL(_FILE) set)";
const CREATE_ADMIN_KEY_USAGE = `usage: eproof admin create-admin-key ${CREATE_ADMIN_KEY_SYNOPSIS}

Offline: writes the first admin key of a deployment straight into the service's store (the admin API
cannot make the first one). The SQLite store in --data-dir, or PostgreSQL when EPROOF_DATABASE_URL or
EPROOF_DATABASE_URL_FILE is set (then no --data-dir). Prints the key once.

options:
  --data-dir <dir>   the service's data folder (SQLite)
  --label <text>     who the key is for
  -h, --help         this text`;

const COMMON_OPTIONS = `  --url <service>       the service (default EPROOF_URL or http://localhost:8080)
  --api-key <adminKey>  an admin API key (default EPROOF_ADMIN_API_KEY or data/dev-credentials.json)
  -h, --help            this text`;

function usageOf(s: AdminSubcommand): string {
  return `usage: eproof admin ${s.name}${s.synopsis ? ` ${s.synopsis}` : ""} [--url <service>] [--api-key <adminKey>]

${s.summary[0]?.toUpperCase()}${s.summary.slice(1)}.${s.details ? `\n${s.details}` : ""}
Prints the service's JSON answer; exit 0, or 1 when the service refuses or cannot be reached.

options:
${COMMON_OPTIONS}`;
}

export const ADMIN_USAGE = `usage: eproof admin <subcommand> [arguments] [--url <service>] [--api-key <adminKey>]

The platform administrator's commands: each is a client of the admin API and prints its JSON answer.
The admin API key comes from --api-key, EPROOF_ADMIN_API_KEY or data/dev-credentials.json's
adminApiKey. eproof admin <subcommand> --help explains one.

subcommands:
${SUBCOMMANDS.map((s) => `        ${s.name}${s.synopsis ? ` ${s.synopsis}` : ""}\n            ${s.summary}`).join("\n")}
        create-admin-key ${CREATE_ADMIN_KEY_SYNOPSIS}
            offline: the first admin key of a deployment, written into its store`;

/**
 * The first admin key, written straight into the store: PostgreSQL when EPROOF_DATABASE_URL or
 * EPROOF_DATABASE_URL_FILE is set (the service's own settings), else the SQLite file in --data-dir.
 */
async function createAdminKeyOffline(dataDir: string | undefined, label: string | undefined): Promise<number> {
  const databaseUrl = secret(process.env, "EPROOF_DATABASE_URL", (path) => readFileSync(path, "utf8"));
  if (databaseUrl && dataDir) {
    throw new EProofError("BAD_REQUEST", "EPROOF_DATABASE_URL(_FILE) is set and --data-dir is given: name one store, not both");
  }
  const keyLabel = need("create-admin-key", label, "--label");
  let store: Pick<SqliteStore, "insertApiKey" | "audit" | "close">;
  if (databaseUrl) {
    store = await PgStore.open({ connectionString: databaseUrl, maxConnections: 3 });
  } else {
    const dir = resolve(need("create-admin-key", dataDir, "--data-dir (or EPROOF_DATABASE_URL / EPROOF_DATABASE_URL_FILE for PostgreSQL)"));
    const path = join(dir, "eproof.sqlite");
    if (!existsSync(path)) throw new EProofError("BAD_REQUEST", `no e-Proof database at ${path}`);
    store = new SqliteStore(path);
  }
  try {
    const apiKey = newApiKey();
    const id = `ADMIN-admin-${randomUUID().slice(0, 8)}`;
    await store.insertApiKey({ id, department: "*", label: keyLabel, types: [], revoked: false, role: "admin" }, hashApiKey(apiKey));
    await store.audit.append([
      { actor: "cli:create-admin-key", role: "admin", action: "apikey.create", department: null, documentId: null, details: { keyId: id, role: "admin" } },
    ]);
    console.log(JSON.stringify({ id, role: "admin", apiKey }, null, 2));
    return 0;
  } finally {
    await store.close();
  }
}

async function runSubcommand(s: AdminSubcommand, args: string[]): Promise<number> {
  const options = Object.fromEntries(["url", "api-key", ...s.options].map((name) => [name, OPTIONS[name] as ParseArgsOptionsConfig[string]]));
  const { help, values, positionals } = parseCommandLine(`admin ${s.name}`, args, options, s.positionals);
  if (help) {
    console.log(usageOf(s));
    return 0;
  }
  const [method, path, body] = s.request(
    positionals,
    (name) => stringOption(values, name),
    (name) => values[name] === true,
  );
  const url = (stringOption(values, "url") ?? process.env.EPROOF_URL ?? "http://localhost:8080").replace(/\/+$/, "");
  const apiKey = adminKeyFrom(stringOption(values, "api-key"));
  let response: Response;
  try {
    response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(60_000),
    });
  } catch {
    console.error(`eproof admin: cannot reach ${url}`);
    return 1;
  }
  const answer = (await response.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
  if (!response.ok) {
    console.error(`eproof admin ${s.name}: ${response.status} ${answer?.error?.code ?? ""} ${answer?.error?.message ?? ""}`.trim());
    return 1;
  }
  console.log(JSON.stringify(answer, null, 2));
  return 0;
}

export async function adminCommand(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(ADMIN_USAGE);
    return name === undefined ? 2 : 0;
  }
  if (name === "create-admin-key") {
    const { help, values } = parseCommandLine("admin create-admin-key", rest, { "data-dir": { type: "string" }, label: { type: "string" } });
    if (help) {
      console.log(CREATE_ADMIN_KEY_USAGE);
      return 0;
    }
    return createAdminKeyOffline(stringOption(values, "data-dir"), stringOption(values, "label"));
  }
  const subcommand = SUBCOMMANDS.find((s) => s.name === name);
  if (!subcommand) throw new UsageError("admin", `unknown subcommand "${name}"`);
  return runSubcommand(subcommand, rest);
}

export const adminCli: CliCommand = {
  name: "admin",
  summary: "the platform administrator's commands (departments, keys, anchoring accounts, audit)",
  usage: ADMIN_USAGE,
  run: adminCommand,
};

/** Every admin subcommand's name (for the help tests). */
export const ADMIN_SUBCOMMANDS: readonly string[] = [...SUBCOMMANDS.map((s) => s.name), "create-admin-key"];
