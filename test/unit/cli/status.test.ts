/**
 * `eproof status` as a relying party: it trusts a status list only when the key that signed it is one
 * the credential's issuer publishes (JWT VC Issuer Metadata), the list names itself and the issuer,
 * and it has not expired; then it answers the entry at the credential's index. A small HTTP server
 * plays the issuer; the lists are made by the service's own encoders and signed with jose.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CompactSign, exportJWK, generateKeyPair, type JWK } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { runCli } from "../../../scripts/cli/main.ts";
import {
  bitstringStatusListCredential,
  encodeBitstringStatusList,
  encodeTokenStatusList,
  tokenStatusListPayload,
} from "../../../services/domain/status-list-formats.ts";
import { STATUS_LIST_SIZE } from "../../../services/domain/status-list-location.ts";

const INDEX = 4242;
let server: Server;
let base: string;
let dir: string;
/** What the issuer's server answers, by path. */
const routes = new Map<string, string>();
let issuerKey: CryptoKey;
let otherKey: CryptoKey;
let publicJwk: JWK;

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const sign = (header: Record<string, unknown>, payload: unknown, key: CryptoKey) =>
  new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader({ alg: "ES256", kid: "DEMO-1", ...header }).sign(key);

async function publishToken(status: "ACTIVE" | "REVOKED" | "SUSPENDED", options: { key?: CryptoKey; exp?: number } = {}): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  const uri = `${base}/status-lists/DEMO/0`;
  const lst = encodeTokenStatusList([{ index: INDEX, status }], STATUS_LIST_SIZE);
  const payload = tokenStatusListPayload({ uri, issuer: `${base}/issuers/DEMO`, iat: now, exp: options.exp ?? now + 3600, ttl: 5, lst });
  routes.set("/status-lists/DEMO/0", await sign({ typ: "statuslist+jwt" }, payload, options.key ?? issuerKey));
}

async function publishBitstrings(status: "ACTIVE" | "REVOKED" | "SUSPENDED"): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  for (const purpose of ["revocation", "suspension"] as const) {
    const uri = `${base}/status-lists/DEMO/0/${purpose}`;
    const encodedList = encodeBitstringStatusList([{ index: INDEX, status }], STATUS_LIST_SIZE, purpose);
    const credential = bitstringStatusListCredential({
      uri,
      issuer: `${base}/issuers/DEMO`,
      validFrom: now,
      validUntil: now + 3600,
      ttlMs: 5000,
      purpose,
      encodedList,
    });
    routes.set(`/status-lists/DEMO/0/${purpose}`, await sign({ typ: "vc+jwt", cty: "vc" }, credential, issuerKey));
  }
}

/** A credential file naming the lists (the status command reads the claims only: the credential's own signature is verify's business). */
function credentialFile(kind: "sd-jwt" | "vc-jwt"): string {
  const header = b64({ alg: "ES256", kid: "DEMO-1", typ: kind === "sd-jwt" ? "dc+sd-jwt" : "vc+jwt" });
  const payload =
    kind === "sd-jwt"
      ? { iss: `${base}/issuers/DEMO`, status: { status_list: { idx: INDEX, uri: `${base}/status-lists/DEMO/0` } }, _sd: [], _sd_alg: "sha-256" }
      : {
          issuer: `${base}/issuers/DEMO`,
          credentialStatus: (["revocation", "suspension"] as const).map((purpose) => ({
            id: `${base}/status-lists/DEMO/0/${purpose}#${INDEX}`,
            type: "BitstringStatusListEntry",
            statusPurpose: purpose,
            statusListIndex: String(INDEX),
            statusListCredential: `${base}/status-lists/DEMO/0/${purpose}`,
          })),
        };
  const jwt = `${header}.${b64(payload)}.${Buffer.alloc(64).toString("base64url")}`;
  const file = join(dir, `licence.${kind}`);
  writeFileSync(file, kind === "sd-jwt" ? `${jwt}~` : jwt);
  return file;
}

let out: string[];
beforeAll(async () => {
  const pair = await generateKeyPair("ES256");
  issuerKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: "DEMO-1", alg: "ES256", use: "sig" };
  otherKey = (await generateKeyPair("ES256")).privateKey;
  server = createServer((req, res) => {
    const body = routes.get(req.url ?? "");
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), "eproof-status-"));
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  out = [];
  vi.restoreAllMocks();
  vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void out.push(args.join(" ")));
  vi.spyOn(console, "error").mockImplementation(() => undefined);
  routes.clear();
  routes.set("/.well-known/jwt-vc-issuer/issuers/DEMO", JSON.stringify({ issuer: `${base}/issuers/DEMO`, jwks: { keys: [publicJwk] } }));
});

describe("eproof status", () => {
  it("reads the SD-JWT VC's Token Status List: VALID (exit 0), REVOKED and SUSPENDED (exit 1), with the list's URL and the index", async () => {
    const file = credentialFile("sd-jwt");
    await publishToken("ACTIVE");
    expect(await runCli(["status", file])).toBe(0);
    expect(out).toEqual(["VALID", `  Token Status List ${base}/status-lists/DEMO/0 index ${INDEX}: 0`]);
    out = [];
    await publishToken("REVOKED");
    expect(await runCli(["status", file])).toBe(1);
    expect(out[0]).toBe("REVOKED");
    out = [];
    await publishToken("SUSPENDED");
    expect(await runCli(["status", file])).toBe(1);
    expect(out[0]).toBe("SUSPENDED");
  });

  it("reads the VC-JWT's two Bitstring Status List credentials: REVOKED from the revocation bit, SUSPENDED from the suspension bit", async () => {
    const file = credentialFile("vc-jwt");
    await publishBitstrings("ACTIVE");
    expect(await runCli(["status", file])).toBe(0);
    expect(out[0]).toBe("VALID");
    out = [];
    await publishBitstrings("REVOKED");
    expect(await runCli(["status", file])).toBe(1);
    expect(out).toEqual([
      "REVOKED",
      `  Bitstring Status List (revocation) ${base}/status-lists/DEMO/0/revocation index ${INDEX}: 1`,
      `  Bitstring Status List (suspension) ${base}/status-lists/DEMO/0/suspension index ${INDEX}: 0`,
    ]);
    out = [];
    await publishBitstrings("SUSPENDED");
    expect(await runCli(["status", file])).toBe(1);
    expect(out[0]).toBe("SUSPENDED");
  });

  it("trusts no list signed with a key the issuer does not publish, nor an expired one, nor one it cannot fetch: UNKNOWN, exit 1", async () => {
    const file = credentialFile("sd-jwt");
    await publishToken("ACTIVE", { key: otherKey });
    expect(await runCli(["status", file])).toBe(1);
    expect(out[0]).toMatch(/^UNKNOWN .*bad signature/);
    out = [];
    await publishToken("ACTIVE", { exp: Math.floor(Date.now() / 1000) - 10 });
    expect(await runCli(["status", file])).toBe(1);
    expect(out[0]).toMatch(/^UNKNOWN .*expired/);
    out = [];
    routes.delete("/status-lists/DEMO/0");
    expect(await runCli(["status", file])).toBe(1);
    expect(out[0]).toMatch(/^UNKNOWN .*HTTP 404/);
  });

  it("asks for a credential export, with exit code 2", async () => {
    expect(await runCli(["status"])).toBe(2);
    const json = join(dir, "eproof.json");
    writeFileSync(json, "{}");
    expect(await runCli(["status", json])).toBe(2);
  });
});
