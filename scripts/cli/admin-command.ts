/**
 * `eproof admin <subcommand>`: the platform administrator's CLI. A thin client of the admin API
 * (/api/v1/admin, see services/adapters/http/routes/admin-routes.ts); it prints the service's JSON
 * answer. The one exception is `create-admin-key`, which writes an admin key straight into a
 * service's store (SQLite, or PostgreSQL with EPROOF_DATABASE_URL(_FILE)): the first admin key of a deployment cannot come from the API itself.
 */
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { hashApiKey, newApiKey } from "../../services/adapters/http/auth.ts";
import { PgStore } from "../../services/adapters/store/pg-store.ts";
import { SqliteStore } from "../../services/adapters/store/sqlite-store.ts";
import { secret } from "../../services/config.ts";
import { EProofError } from "../../services/errors.ts";

export const ADMIN_USAGE = `  eproof admin <subcommand> [--url <service>] [--api-key <adminKey>]
      The platform administrator's commands (the admin API key comes from --api-key,
      EPROOF_ADMIN_API_KEY or data/dev-credentials.json's adminApiKey). Each prints the JSON answer.
        onboard <CODE> --name-en <name> --name-zh <名稱> [--types licence,permit] [--no-anchorer] [--no-key]
        show <CODE>                           department, type grants, key windows, anchorers
        suspend <CODE> | reinstate <CODE>
        grant <CODE> <type> | withdraw <CODE> <type>
        register-key <CODE>                   a new signing key, valid from now
        rotate-key <CODE> [--grace <seconds>] new key now; old ones retired after the grace (default 600)
        compromise-key <CODE> <kid> --at <ISO time>
        add-anchorer <CODE> [<account>] | remove-anchorer <CODE> <account>
                                              (no account: the department's own, generated in key custody)
        rotate-anchorer <CODE>                a new anchoring account in custody; the previous one removed on chain
        publish-reasons <CODE> <code,…|none>  reason codes the public verify answer may name (default none)
        create-key --department <CODE> --label <text> [--types licence,…]   an officer's API key
        create-key --role admin --label <text>                              another admin key
        create-key --role relying-party --label <text>                      a relying party's key (status subscriptions only)
        list-keys | revoke-key <keyId>
        audit [--department <CODE>] [--document <id>] [--actor <keyId>] [--action <name>] [--after <seq>] [--limit <n>]
        create-admin-key --data-dir <dir> --label <text>   offline: first admin key of a SQLite deployment
        create-admin-key --label <text>    ditto on PostgreSQL, with EPROOF_DATABASE_URL(_FILE) set`;

function adminKeyFrom(given: string | undefined): string {
  const key = given ?? process.env.EPROOF_ADMIN_API_KEY;
  if (key) return key;
  const path = join(process.env.EPROOF_DATA_DIR ?? "data", "dev-credentials.json");
  if (existsSync(path)) {
    const stored = (JSON.parse(readFileSync(path, "utf8")) as { adminApiKey?: string }).adminApiKey;
    if (stored) return stored;
  }
  throw new EProofError(
    "BAD_REQUEST",
    "no admin API key: pass --api-key, set EPROOF_ADMIN_API_KEY, or run in the folder of `npm start` (data/dev-credentials.json)",
  );
}

function need(value: string | undefined, what: string): string {
  if (!value) throw new EProofError("BAD_REQUEST", `${what} is required; see eproof --help`);
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

/** The request a subcommand makes: [method, path, body?]. */
function requestFor(sub: string, args: string[], v: Record<string, string | boolean | undefined>): [string, string, unknown?] {
  const str = (name: string) => (typeof v[name] === "string" ? (v[name] as string) : undefined);
  const code = () => seg(need(args[0], "the department code"));
  switch (sub) {
    case "onboard":
      return [
        "POST",
        "/api/v1/admin/departments",
        {
          code: need(args[0], "the department code"),
          name: { en: need(str("name-en"), "--name-en"), zhHK: need(str("name-zh"), "--name-zh") },
          ...(str("types") ? { types: list(str("types")) } : {}),
          ...(v["no-anchorer"] ? { anchorer: false } : {}),
          ...(v["no-key"] ? { signingKey: false } : {}),
        },
      ];
    case "show":
      return ["GET", `/api/v1/admin/departments/${code()}`];
    case "suspend":
    case "reinstate":
      return ["POST", `/api/v1/admin/departments/${code()}/${sub}`];
    case "grant":
      return ["POST", `/api/v1/admin/departments/${code()}/types`, { type: need(args[1], "the document type") }];
    case "withdraw":
      return ["DELETE", `/api/v1/admin/departments/${code()}/types/${seg(need(args[1], "the document type"))}`];
    case "register-key":
      return ["POST", `/api/v1/admin/departments/${code()}/keys`];
    case "rotate-key":
      return ["POST", `/api/v1/admin/departments/${code()}/keys/rotate`, str("grace") ? { graceSeconds: Number(str("grace")) } : {}];
    case "compromise-key":
      return [
        "POST",
        `/api/v1/admin/departments/${code()}/keys/${seg(need(args[1], "the key id (kid)"))}/compromised`,
        { at: need(str("at"), "--at <ISO time>") },
      ];
    case "add-anchorer":
      return ["POST", `/api/v1/admin/departments/${code()}/anchorers`, args[1] ? { account: args[1] } : {}];
    case "remove-anchorer":
      return ["DELETE", `/api/v1/admin/departments/${code()}/anchorers/${seg(need(args[1], "the account"))}`];
    case "rotate-anchorer":
      return ["POST", `/api/v1/admin/departments/${code()}/anchorers/rotate`, {}];
    case "publish-reasons": {
      const given = need(args[1], "the reason codes (e.g. 8, or none)");
      const reasonCodes = given === "none" ? [] : (list(given) ?? []).map(Number);
      return ["PUT", `/api/v1/admin/departments/${code()}/publishable-reasons`, { reasonCodes }];
    }
    case "create-key":
      return [
        "POST",
        "/api/v1/admin/api-keys",
        {
          label: need(str("label"), "--label"),
          ...(str("role") ? { role: str("role") } : {}),
          ...(str("department") ? { department: str("department") } : {}),
          ...(str("types") ? { types: list(str("types")) } : {}),
        },
      ];
    case "list-keys":
      return ["GET", "/api/v1/admin/api-keys"];
    case "revoke-key":
      return ["POST", `/api/v1/admin/api-keys/${seg(need(args[0], "the key id"))}/revoke`];
    case "audit": {
      const query = new URLSearchParams();
      for (const [option, param] of [
        ["department", "department"],
        ["document", "documentId"],
        ["actor", "actor"],
        ["action", "action"],
        ["after", "after"],
        ["limit", "limit"],
      ] as const) {
        const value = str(option);
        if (value) query.set(param, value);
      }
      return ["GET", `/api/v1/admin/audit${query.size > 0 ? `?${query}` : ""}`];
    }
    default:
      throw new EProofError("BAD_REQUEST", `unknown admin subcommand "${sub}"; see eproof --help`);
  }
}

/**
 * The first admin key, written straight into the store: PostgreSQL when EPROOF_DATABASE_URL or
 * EPROOF_DATABASE_URL_FILE is set (the service's own settings), else the SQLite file in --data-dir.
 */
async function createAdminKeyOffline(dataDir: string | undefined, label: string | undefined): Promise<number> {
  const databaseUrl = secret(process.env, "EPROOF_DATABASE_URL", (path) => readFileSync(path, "utf8"));
  if (databaseUrl && dataDir) {
    throw new EProofError("BAD_REQUEST", "EPROOF_DATABASE_URL(_FILE) is set and --data-dir is given: name one store, not both");
  }
  const keyLabel = need(label, "--label");
  let store: Pick<SqliteStore, "insertApiKey" | "audit" | "close">;
  if (databaseUrl) {
    store = await PgStore.open({ connectionString: databaseUrl, maxConnections: 3 });
  } else {
    const dir = resolve(need(dataDir, "--data-dir (or EPROOF_DATABASE_URL / EPROOF_DATABASE_URL_FILE for PostgreSQL)"));
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

export async function adminCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
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
    },
  });
  if (!sub) throw new EProofError("BAD_REQUEST", "name an admin subcommand; see eproof --help");
  if (sub === "create-admin-key") return createAdminKeyOffline(values["data-dir"], values.label);
  const [method, path, body] = requestFor(sub, positionals, values);
  const url = (values.url ?? process.env.EPROOF_URL ?? "http://localhost:8080").replace(/\/+$/, "");
  const apiKey = adminKeyFrom(values["api-key"]);
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
    console.error(`eproof admin ${sub}: ${response.status} ${answer?.error?.code ?? ""} ${answer?.error?.message ?? ""}`.trim());
    return 1;
  }
  console.log(JSON.stringify(answer, null, 2));
  return 0;
}
