/**
 * The status lists end to end (issue 15), on the whole service (embedded chain, SQLite, HTTP): a
 * document issued, given its place, revoked, suspended and reinstated through the officer API, and
 * the public lists at /status-lists/… turning within seconds, read by implementations nobody here
 * wrote (@sd-jwt/jwt-status-list, zlib gunzip, jose with the department's published key).
 */
import { gunzipSync } from "node:zlib";
import { getListFromStatusListJWT } from "@sd-jwt/jwt-status-list";
import { compactVerify, decodeProtectedHeader, importJWK, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bitstringStatusListUri, STATUS_LIST_SIZE, tokenStatusListUri } from "../../services/domain/status-list-location.ts";
import type { StatusListEntry } from "../../services/ports.ts";
import { api, startTestService, stopTestService, type TestService, TYPICAL_LICENCE, waitUntilAnchored } from "./test-service.ts";

/** A status change must show in the lists within this (the issue's "a few seconds"). */
const TURN_WITHIN_MS = 6_000;

describe("status lists that follow the ledger", () => {
  let service: TestService;
  let first: { id: string; entry: StatusListEntry };
  let second: { id: string; entry: StatusListEntry };

  async function issueWithPlace(): Promise<{ id: string; entry: StatusListEntry }> {
    const issued = await api(service, "POST", "/api/v1/documents", TYPICAL_LICENCE);
    expect(issued.status).toBe(202);
    const id = String(issued.body.id);
    await waitUntilAnchored(service, id);
    const entry = await service.statusLists.entryOf(id);
    if (!entry) throw new Error(`no status list entry for ${id}`);
    return { id, entry };
  }

  beforeAll(async () => {
    service = await startTestService();
    first = await issueWithPlace();
    second = await issueWithPlace();
  }, 120_000);

  afterAll(() => stopTestService(service));

  async function departmentKey(kid: string) {
    const response = await fetch(`${service.url}/.well-known/jwks.json`);
    const { keys } = (await response.json()) as { keys: Array<JWK & { kid: string }> };
    const key = keys.find((k) => k.kid === kid);
    if (!key) throw new Error(`no published key ${kid}`);
    return importJWK({ kty: key.kty, crv: key.crv, x: key.x, y: key.y, alg: "ES256" } as JWK, "ES256");
  }

  /** The Token Status List, its signature checked with DEMO's published key; the status of `entry`. */
  async function tokenStatus(entry: StatusListEntry): Promise<number> {
    const response = await fetch(`${service.url}/status-lists/${entry.department}/${entry.list}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/statuslist\+jwt/);
    const jwt = await response.text();
    const header = decodeProtectedHeader(jwt);
    expect(header).toMatchObject({ alg: "ES256", typ: "statuslist+jwt" });
    const { payload } = await compactVerify(jwt, await departmentKey(String(header.kid)));
    const claims = JSON.parse(new TextDecoder().decode(payload));
    // `sub` is the list's own URI, as the exports name it.
    expect(new URL(claims.sub).pathname).toBe(new URL(tokenStatusListUri("http://x", entry.department, entry.list)).pathname);
    expect(claims.status_list.bits).toBe(2);
    const list = getListFromStatusListJWT(jwt);
    expect(list.statusList.length).toBeGreaterThanOrEqual(131_072);
    return list.getStatus(entry.index);
  }

  /** The bit of `entry` in the Bitstring Status List credential of `purpose`, its signature checked. */
  async function bitstringBit(entry: StatusListEntry, purpose: "revocation" | "suspension"): Promise<number> {
    const response = await fetch(`${service.url}/status-lists/${entry.department}/${entry.list}/${purpose}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/vc\+jwt/);
    const jwt = await response.text();
    const header = decodeProtectedHeader(jwt);
    expect(header.typ).toBe("vc+jwt");
    const { payload } = await compactVerify(jwt, await departmentKey(String(header.kid)));
    const credential = JSON.parse(new TextDecoder().decode(payload));
    expect(credential["@context"]).toContain("https://www.w3.org/ns/credentials/v2");
    expect(credential.id.endsWith(new URL(bitstringStatusListUri("http://x", entry.department, entry.list, purpose)).pathname)).toBe(true);
    expect(credential.credentialSubject).toMatchObject({ type: "BitstringStatusList", statusPurpose: purpose });
    const encoded = String(credential.credentialSubject.encodedList);
    expect(encoded[0]).toBe("u");
    const bits = gunzipSync(Buffer.from(encoded.slice(1), "base64url"));
    expect(bits.length * 8).toBeGreaterThanOrEqual(STATUS_LIST_SIZE);
    return ((bits[entry.index >> 3] as number) >> (7 - (entry.index % 8))) & 1;
  }

  async function change(id: string, action: "revoke" | "suspend" | "reinstate"): Promise<void> {
    const answer = await api(service, "POST", `/api/v1/documents/${id}/${action}`, { reason: `test ${action}` });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  }

  const poll = { timeout: TURN_WITHIN_MS, interval: 250 };

  it("gives the two documents distinct places in DEMO's list 0", () => {
    expect(first.entry).toMatchObject({ department: "DEMO", list: 0 });
    expect(second.entry).toMatchObject({ department: "DEMO", list: 0 });
    expect(first.entry.index).not.toBe(second.entry.index);
  });

  it("lists an issued document VALID, then INVALID within seconds of its revocation", async () => {
    expect(await tokenStatus(first.entry)).toBe(0);
    expect(await bitstringBit(first.entry, "revocation")).toBe(0);
    await change(first.id, "revoke");
    await expect.poll(() => tokenStatus(first.entry), poll).toBe(1);
    await expect.poll(() => bitstringBit(first.entry, "revocation"), poll).toBe(1);
    expect(await bitstringBit(first.entry, "suspension")).toBe(0);
    expect(await tokenStatus(second.entry)).toBe(0);
  });

  it("lists a suspended document SUSPENDED, and VALID again once reinstated", async () => {
    await change(second.id, "suspend");
    await expect.poll(() => tokenStatus(second.entry), poll).toBe(2);
    await expect.poll(() => bitstringBit(second.entry, "suspension"), poll).toBe(1);
    expect(await bitstringBit(second.entry, "revocation")).toBe(0);
    await change(second.id, "reinstate");
    await expect.poll(() => tokenStatus(second.entry), poll).toBe(0);
    await expect.poll(() => bitstringBit(second.entry, "suspension"), poll).toBe(0);
  });

  it("answers with a short Cache-Control max-age and an ETag, and 304 to a matching If-None-Match", async () => {
    for (const path of ["/status-lists/DEMO/0", "/status-lists/DEMO/0/revocation", "/status-lists/DEMO/0/suspension"]) {
      const response = await fetch(`${service.url}${path}`);
      expect(response.status).toBe(200);
      const maxAge = Number(/max-age=(\d+)/.exec(response.headers.get("cache-control") ?? "")?.[1]);
      expect(maxAge).toBeGreaterThan(0);
      expect(maxAge).toBeLessThanOrEqual(10);
      const etag = response.headers.get("etag");
      expect(etag).toMatch(/^"[\w-]+"$/);
      const again = await fetch(`${service.url}${path}`, { headers: { "If-None-Match": String(etag) } });
      expect(again.status).toBe(304);
      expect(await again.text()).toBe("");
      const other = await fetch(`${service.url}${path}`, { headers: { "If-None-Match": '"another"' } });
      expect(other.status).toBe(200);
    }
  });

  it("answers 404 problem JSON for an unknown department, a list beyond the last and an unknown purpose, with no key", async () => {
    for (const path of ["/status-lists/NOPE/0", "/status-lists/DEMO/1", "/status-lists/DEMO/0/expiry", "/status-lists/demo/0", "/status-lists/DEMO/01"]) {
      const response = await fetch(`${service.url}${path}`);
      expect(response.status, path).toBe(404);
      expect(response.headers.get("content-type")).toMatch(/json/);
      expect((await response.json()).error.code).toBe("NOT_FOUND");
    }
  });
});
