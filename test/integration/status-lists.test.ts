/**
 * The status lists over a real SQLite file and a real PostgreSQL schema (use-cases/publish-status-lists.ts
 * with the stores' StatusListRecords and the real key custody): places given once and never twice, lists
 * that follow the stored statuses, read back by @sd-jwt/jwt-status-list, zlib and jose, and an instance
 * without keys that serves what an instance with keys signed.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { getListFromStatusListJWT } from "@sd-jwt/jwt-status-list";
import { compactVerify, decodeProtectedHeader, importJWK } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StoreKeyCustody } from "../../services/adapters/signing/key-custody.ts";
import { PgStore } from "../../services/adapters/store/pg-store.ts";
import type { SqlStore } from "../../services/adapters/store/sql-store.ts";
import { SqliteStore } from "../../services/adapters/store/sqlite-store.ts";
import { statusListPlace } from "../../services/domain/status-list-index.ts";
import { STATUS_LIST_SIZE, tokenStatusListUri } from "../../services/domain/status-list-location.ts";
import type { OnChainStatus } from "../../services/domain/verification-record.ts";
import { isEProofError } from "../../services/errors.ts";
import { createLogger } from "../../services/logger.ts";
import type { CustodySigningKey } from "../../services/ports.ts";
import { type StatusListFormat, StatusLists } from "../../services/use-cases/publish-status-lists.ts";
import { createTestSchema, type TestSchema } from "./pg-test-db.ts";
import { doc } from "./store-contract.ts";

interface Harness {
  create(): Promise<void>;
  /** One more store (a service instance) on that database. */
  open(): Promise<SqlStore>;
  destroy(): Promise<void>;
}

const PUBLIC_URL = "https://eproof.example.gov.hk";
const random = { bytes: (n: number) => new Uint8Array(randomBytes(n)) };
const clock = { now: () => Date.now() };
const logger = createLogger("silent");

async function rejection(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

function statusListContract(name: string, harness: Harness): void {
  describe(`status lists on ${name}`, () => {
    const kek = randomBytes(32);
    const stores: SqlStore[] = [];

    beforeEach(() => harness.create());
    afterEach(async () => {
      for (const store of stores.splice(0)) await store.close();
      await harness.destroy();
    });

    async function instance(
      options: { keys?: boolean; random?: { bytes(n: number): Uint8Array } } = {},
    ): Promise<{ store: SqlStore; lists: StatusLists; custody: StoreKeyCustody }> {
      const store = await harness.open();
      stores.push(store);
      const custody = new StoreKeyCustody({ records: store, kek });
      const lists = new StatusLists(
        { records: store, ...(options.keys === false ? {} : { signer: custody }), clock, random: options.random ?? random, publicUrl: PUBLIC_URL, logger },
        { versionCacheMs: 0 },
      );
      return { store, lists, custody };
    }

    async function setStatus(store: SqlStore, documentId: string, status: OnChainStatus): Promise<void> {
      await store.recordStatusChanges([
        {
          documentId,
          status,
          reason: "test",
          reasonCode: 0,
          successor: null,
          actor: "test",
          txHash: `0x${randomBytes(32).toString("hex")}`,
          changedAt: new Date().toISOString(),
        },
      ]);
    }

    /** The Token Status List as served, checked with the department's key, and read by @sd-jwt/jwt-status-list. */
    async function tokenList(lists: StatusLists, key: CustodySigningKey, list = 0) {
      const served = await lists.current("DEMO", list, "token");
      expect(served.contentType).toBe("application/statuslist+jwt");
      const verified = await compactVerify(served.jws, await importJWK({ ...key.publicJwk, alg: "ES256" }, "ES256"));
      expect(verified.protectedHeader).toEqual({ alg: "ES256", kid: key.kid, typ: "statuslist+jwt" });
      const payload = JSON.parse(new TextDecoder().decode(verified.payload));
      expect(payload.sub).toBe(tokenStatusListUri(PUBLIC_URL, "DEMO", list));
      expect(payload.exp).toBeGreaterThan(payload.iat);
      expect(payload.ttl).toBeGreaterThan(0);
      return getListFromStatusListJWT(served.jws);
    }

    async function bitstring(lists: StatusLists, key: CustodySigningKey, purpose: StatusListFormat) {
      const served = await lists.current("DEMO", 0, purpose);
      expect(served.contentType).toBe("application/vc+jwt");
      const verified = await compactVerify(served.jws, await importJWK({ ...key.publicJwk, alg: "ES256" }, "ES256"));
      expect(decodeProtectedHeader(served.jws).typ).toBe("vc+jwt");
      const credential = JSON.parse(new TextDecoder().decode(verified.payload));
      expect(credential.type).toEqual(["VerifiableCredential", "BitstringStatusListCredential"]);
      expect(credential.credentialSubject).toMatchObject({ type: "BitstringStatusList", statusPurpose: purpose });
      const bits = gunzipSync(Buffer.from(String(credential.credentialSubject.encodedList).replace(/^u/, ""), "base64url"));
      expect(bits.length * 8).toBeGreaterThanOrEqual(131_072);
      return (index: number) => ((bits[index >> 3] as number) >> (7 - (index % 8))) & 1;
    }

    it("gives each document one place for good, the same from every instance, never one place twice", async () => {
      const a = await instance();
      const b = await instance();
      const documents = Array.from({ length: 120 }, (_, i) => doc(i + 1));
      await a.store.insertDocuments(documents);
      // Both instances ask for every document at once, twice: each document still gets one place.
      const asked = await Promise.all(documents.flatMap((d) => [a.lists.entryOf(d.id), b.lists.entryOf(d.id), b.lists.entryOf(d.id)]));
      for (let i = 0; i < documents.length; i++) {
        expect(asked[3 * i + 1]).toEqual(asked[3 * i]);
        expect(asked[3 * i + 2]).toEqual(asked[3 * i]);
      }
      const entries = asked.filter((_, i) => i % 3 === 0);
      expect(entries.every((e) => e?.department === "DEMO" && e.list === 0 && e.index >= 0 && e.index < STATUS_LIST_SIZE)).toBe(true);
      expect(new Set(entries.map((e) => e?.index)).size).toBe(documents.length);
      // The indexes are not the order of asking.
      const indexes = entries.map((e) => e?.index ?? 0);
      expect(indexes).not.toEqual([...indexes].sort((x, y) => x - y));
      expect(await a.lists.entryOf(documents[0]?.id ?? "")).toEqual(entries[0]);
    });

    it("places every document issued, without any export, in one run of the loop: one place each, distinct, in each department's own counter", async () => {
      const { store, lists } = await instance();
      const demo = Array.from({ length: 40 }, (_, i) => doc(i + 1));
      const td = Array.from({ length: 12 }, (_, i) => doc(100 + i, { department: "TD" }));
      await store.insertDocuments([...demo, ...td]);
      expect(await lists.placeNew()).toBe(52);
      const entries = await Promise.all([...demo, ...td].map((d) => store.statusListEntry(d.id)));
      expect(entries.slice(0, 40).every((e) => e?.department === "DEMO" && e.list === 0)).toBe(true);
      expect(entries.slice(40).every((e) => e?.department === "TD" && e.list === 0)).toBe(true);
      expect(new Set(entries.slice(0, 40).map((e) => e?.index)).size).toBe(40);
      expect(await store.statusListOrdinals("DEMO")).toBe(40);
      expect(await store.statusListOrdinals("TD")).toBe(12);
      // The indexes are not the order of issuance.
      const indexes = entries.slice(0, 40).map((e) => e?.index ?? 0);
      expect(indexes).not.toEqual([...indexes].sort((x, y) => x - y));
      // An export afterwards finds the place the loop gave; the next run has nothing left to place.
      expect(await lists.entryOf(demo[0]?.id ?? "")).toEqual(entries[0]);
      expect(await lists.placeNew()).toBe(0);
    });

    it("ends a run of the loop once it has caught up, while documents keep arriving: those wait for the next run", async () => {
      const { store } = await instance();
      await store.insertDocuments(Array.from({ length: 30 }, (_, i) => doc(i + 1)));
      // Issuance goes on during the run: each of the first bulk placements is followed by a new document.
      let next = 1_000;
      const issuing = new Proxy(store, {
        get(target, property) {
          if (property === "placeDocumentsWithoutEntry") {
            return async (...args: Parameters<SqlStore["placeDocumentsWithoutEntry"]>) => {
              const placed = await target.placeDocumentsWithoutEntry(...args);
              if (next < 1_003) await target.insertDocuments([doc(next++)]);
              return placed;
            };
          }
          const value = Reflect.get(target, property, target);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
      const lists = new StatusLists({ records: issuing, signer: new StoreKeyCustody({ records: store, kek }), clock, random, publicUrl: PUBLIC_URL, logger });
      expect(await lists.placeNew()).toBe(30);
      expect(await store.statusListEntry(doc(1_000).id)).toBeNull();
      expect(await lists.placeNew()).toBe(1);
      expect(await store.statusListEntry(doc(1_000).id)).not.toBeNull();
    });

    it("places in bulk exactly as the permutation says: the department's ordinals in seq order, through its secret", async () => {
      const secret = randomBytes(32);
      const { store, lists } = await instance({ random: { bytes: (n: number) => new Uint8Array(secret.subarray(0, n)) } });
      const documents = Array.from({ length: 25 }, (_, i) => doc(i + 1));
      await store.insertDocuments(documents);
      await lists.placeNew();
      const placed = await Promise.all(documents.map((d) => store.statusListEntry(d.id)));
      const expected = documents.map((_, ordinal) => ({ department: "DEMO", ...statusListPlace(secret.toString("hex"), ordinal) }));
      expect(placed).toEqual(expected);
    });

    it("places at the next run the documents issued after a run, after the ones an export placed first", async () => {
      const { store, lists } = await instance();
      await store.insertDocuments([doc(1), doc(2)]);
      await lists.placeNew();
      await store.insertDocuments([doc(3), doc(4), doc(5)]);
      const exported = await lists.entryOf(doc(4).id);
      expect(await lists.placeNew()).toBe(2);
      expect(await store.statusListEntry(doc(4).id)).toEqual(exported);
      const entries = await Promise.all([1, 2, 3, 4, 5].map((n) => store.statusListEntry(doc(n).id)));
      expect(new Set(entries.map((e) => e?.index)).size).toBe(5);
      expect(await store.statusListOrdinals("DEMO")).toBe(5);
    });

    it("never gives one place twice when two instances place at once while exports ask", async () => {
      const a = await instance();
      const b = await instance();
      const documents = Array.from({ length: 300 }, (_, i) => doc(i + 1));
      await a.store.insertDocuments(documents);
      const asked = await Promise.all([
        a.lists.placeNew(),
        b.lists.placeNew(),
        ...documents.filter((_, i) => i % 7 === 0).map((d) => b.lists.entryOf(d.id)),
        a.lists.placeNew(),
      ]);
      const placedInBulk = (asked[0] as number) + (asked[1] as number) + (asked[asked.length - 1] as number);
      expect(placedInBulk).toBeLessThanOrEqual(documents.length);
      const fromA = await Promise.all(documents.map((d) => a.store.statusListEntry(d.id)));
      const fromB = await Promise.all(documents.map((d) => b.store.statusListEntry(d.id)));
      expect(fromB).toEqual(fromA);
      expect(fromA.every((e) => e !== null && e.list === 0)).toBe(true);
      expect(new Set(fromA.map((e) => e?.index)).size).toBe(documents.length);
    });

    it("answers no place for a document the store does not hold", async () => {
      const { lists } = await instance();
      expect(await lists.entryOf("f".repeat(32))).toBeNull();
    });

    it("keeps each department's own counter: the first document of each is in its list 0", async () => {
      const { store, lists } = await instance();
      await store.insertDocuments([doc(1), doc(2, { department: "TD" })]);
      expect(await lists.entryOf(doc(1).id)).toMatchObject({ department: "DEMO", list: 0 });
      expect(await lists.entryOf(doc(2).id)).toMatchObject({ department: "TD", list: 0 });
      expect(await store.statusListOrdinals("DEMO")).toBe(1);
      expect(await store.statusListOrdinals("TD")).toBe(1);
    });

    it("marks revoked INVALID, suspended SUSPENDED and reinstated VALID again, in the Token and both Bitstring lists", async () => {
      const { store, lists, custody } = await instance();
      const key = await custody.createSigningKey("DEMO");
      await store.insertDocuments([doc(1), doc(2), doc(3), doc(4)]);
      const [revoked, suspended, superseded, valid] = await Promise.all([1, 2, 3, 4].map(async (n) => (await lists.entryOf(doc(n).id))?.index ?? -1));
      const before = await tokenList(lists, key);
      expect([revoked, suspended, superseded, valid].map((i) => before.getStatus(i as number))).toEqual([0, 0, 0, 0]);

      await setStatus(store, doc(1).id, "REVOKED");
      await setStatus(store, doc(2).id, "SUSPENDED");
      await setStatus(store, doc(3).id, "SUPERSEDED");
      const after = await tokenList(lists, key);
      expect([revoked, suspended, superseded, valid].map((i) => after.getStatus(i as number))).toEqual([1, 2, 1, 0]);
      const revocation = await bitstring(lists, key, "revocation");
      const suspension = await bitstring(lists, key, "suspension");
      expect([revoked, suspended, superseded, valid].map((i) => revocation(i as number))).toEqual([1, 0, 1, 0]);
      expect([revoked, suspended, superseded, valid].map((i) => suspension(i as number))).toEqual([0, 1, 0, 0]);

      await setStatus(store, doc(2).id, "ACTIVE");
      expect((await tokenList(lists, key)).getStatus(suspended as number)).toBe(0);
      expect((await bitstring(lists, key, "suspension"))(suspended as number)).toBe(0);
    });

    it("marks a document that was already revoked when it got its place", async () => {
      const { store, lists, custody } = await instance();
      const key = await custody.createSigningKey("DEMO");
      await store.insertDocuments([doc(1), doc(2)]);
      await lists.entryOf(doc(1).id);
      await tokenList(lists, key);
      await setStatus(store, doc(2).id, "REVOKED");
      const entry = await lists.entryOf(doc(2).id);
      expect((await tokenList(lists, key)).getStatus(entry?.index ?? -1)).toBe(1);
    });

    it("serves, on an instance without keys, the list an instance with keys signed, and follows it", async () => {
      const officer = await instance();
      const publicInstance = await instance({ keys: false });
      const key = await officer.custody.createSigningKey("DEMO");
      await officer.store.insertDocuments([doc(1)]);
      const entry = await officer.lists.entryOf(doc(1).id);
      // Nothing signed yet: the public instance has nothing to serve.
      expect(isEProofError(await rejection(publicInstance.lists.current("DEMO", 0, "token")), "NOT_FOUND")).toBe(true);
      await officer.lists.refreshAll();
      expect((await tokenList(publicInstance.lists, key)).getStatus(entry?.index ?? -1)).toBe(0);
      await setStatus(officer.store, doc(1).id, "REVOKED");
      expect(await officer.lists.refreshAll()).toBe(3);
      expect((await tokenList(publicInstance.lists, key)).getStatus(entry?.index ?? -1)).toBe(1);
      // Nothing changed: nothing is signed again.
      expect(await officer.lists.refreshAll()).toBe(0);
    });

    it("signs the lists again with the department's new key once it changed", async () => {
      const { store, lists, custody } = await instance();
      const first = await custody.createSigningKey("DEMO");
      await store.insertDocuments([doc(1)]);
      await lists.entryOf(doc(1).id);
      expect(decodeProtectedHeader((await lists.current("DEMO", 0, "token")).jws).kid).toBe(first.kid);
      const second = await custody.createSigningKey("DEMO");
      for (const format of ["token", "revocation", "suspension"] as const) {
        const { jws } = await lists.current("DEMO", 0, format);
        expect(decodeProtectedHeader(jws).kid).toBe(second.kid);
        await compactVerify(jws, await importJWK({ ...second.publicJwk, alg: "ES256" }, "ES256"));
      }
    });

    it("answers NOT_FOUND for a department without places and for a list beyond its last", async () => {
      const { store, lists, custody } = await instance();
      await custody.createSigningKey("DEMO");
      await store.insertDocuments([doc(1)]);
      expect(isEProofError(await rejection(lists.current("DEMO", 0, "token")), "NOT_FOUND")).toBe(true);
      await lists.entryOf(doc(1).id);
      await lists.current("DEMO", 0, "token");
      expect(isEProofError(await rejection(lists.current("DEMO", 1, "token")), "NOT_FOUND")).toBe(true);
      expect(isEProofError(await rejection(lists.current("NOPE", 0, "revocation")), "NOT_FOUND")).toBe(true);
    });
  });
}

let dir = "";
statusListContract("SQLite", {
  async create() {
    dir = mkdtempSync(join(tmpdir(), "eproof-status-lists-"));
  },
  async open() {
    return new SqliteStore(join(dir, "eproof.sqlite"));
  },
  async destroy() {
    rmSync(dir, { recursive: true, force: true });
  },
});

let schema: TestSchema | null = null;
statusListContract("PostgreSQL", {
  async create() {
    schema = await createTestSchema();
  },
  async open() {
    if (!schema) throw new Error("no schema");
    return PgStore.open({ connectionString: schema.url, maxConnections: 4 });
  },
  async destroy() {
    await schema?.drop();
    schema = null;
  },
});
