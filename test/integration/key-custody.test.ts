/**
 * Key custody in the shared store, run against a real SQLite file and a real PostgreSQL schema:
 * several StoreKeyCustody instances on one database behave as instances of the service would.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { Wallet } from "ethers";
import { compactVerify, importJWK } from "jose";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { verifyJws } from "../../services/adapters/signing/es256.ts";
import { FileKeyRing } from "../../services/adapters/signing/file-key-ring.ts";
import { StoreKeyCustody } from "../../services/adapters/signing/key-custody.ts";
import { PgStore } from "../../services/adapters/store/pg-store.ts";
import { SqliteStore } from "../../services/adapters/store/sqlite-store.ts";
import { isEProofError } from "../../services/errors.ts";
import type { CustodyRecords } from "../../services/ports.ts";
import { createTestSchema, type TestSchema } from "./pg-test-db.ts";

interface CustodyHarness {
  /** A fresh, empty database. */
  create(): Promise<void>;
  /** One more store (a service instance) on that database. */
  open(): Promise<CustodyRecords & { close(): Promise<void> }>;
  /** Every row of the custody table, as text. */
  rawCustodyRows(): Promise<string>;
  destroy(): Promise<void>;
}

const claim = new TextEncoder().encode(JSON.stringify({ id: "0001", type: "licence" }));

async function rejection(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

function custodyContract(name: string, harness: CustodyHarness): void {
  describe(`StoreKeyCustody on ${name}`, () => {
    const kek = randomBytes(32);
    const stores: Array<{ close(): Promise<void> }> = [];
    const custodies: StoreKeyCustody[] = [];
    let dir = "";

    beforeEach(async () => {
      await harness.create();
      dir = mkdtempSync(join(tmpdir(), "eproof-custody-"));
    });
    afterEach(async () => {
      for (const custody of custodies.splice(0)) await custody.stop();
      for (const store of stores.splice(0)) await store.close();
      await harness.destroy();
      rmSync(dir, { recursive: true, force: true });
    });

    async function instance(options: { kek?: Uint8Array; loop?: boolean } = {}): Promise<StoreKeyCustody> {
      const records = await harness.open();
      stores.push(records);
      const custody = new StoreKeyCustody({ records, kek: options.kek ?? kek });
      custodies.push(custody);
      if (options.loop) custody.start();
      return custody;
    }

    it("creates a department's signing key and signs claims that verify with its public key", async () => {
      const custody = await instance();
      const key = await custody.createSigningKey("DEMO");
      expect(key).toMatchObject({ department: "DEMO", kid: "DEMO-1", keyNumber: 1, state: "ACTIVE" });
      expect(key.publicJwk).not.toHaveProperty("d");
      const { jws, jwk } = await custody.sign("DEMO", claim);
      expect(jwk).toEqual(key.publicJwk);
      expect(await verifyJws(jws, key.publicJwk)).toMatchObject({ ok: true, kid: "DEMO-1" });
      const verified = await compactVerify(jws, await importJWK({ ...key.publicJwk, alg: "ES256" }, "ES256"));
      expect(new TextDecoder().decode(verified.payload)).toBe(new TextDecoder().decode(claim));
      expect(await custody.currentSigningKey("DEMO")).toEqual(key);
    });

    it("signs other JOSE objects (exports, status lists) with the same key: alg ES256 and its kid, the caller's typ kept", async () => {
      const custody = await instance();
      const key = await custody.createSigningKey("DEMO");
      const { jws, kid, jwk } = await custody.signJws("DEMO", { typ: "dc+sd-jwt", alg: "none", kid: "forged" }, claim);
      expect({ kid, jwk }).toEqual({ kid: "DEMO-1", jwk: key.publicJwk });
      const verified = await compactVerify(jws, await importJWK({ ...key.publicJwk, alg: "ES256" }, "ES256"));
      expect(verified.protectedHeader).toEqual({ alg: "ES256", kid: "DEMO-1", typ: "dc+sd-jwt" });
      expect(new TextDecoder().decode(verified.payload)).toBe(new TextDecoder().decode(claim));
      expect(isEProofError(await rejection(custody.signJws("TD", {}, claim)), "FORBIDDEN")).toBe(true);
    });

    it("refuses to sign for a department without a signing key", async () => {
      const custody = await instance();
      expect(isEProofError(await rejection(custody.sign("TD", claim)), "FORBIDDEN")).toBe(true);
    });

    it("uses a key created through instance A on instance B after refresh, and within 2 s through B's loop", async () => {
      const a = await instance();
      const b = await instance({ loop: true });
      await b.refresh();
      expect(await b.currentSigningKey("DEMO")).toBeUndefined();

      const first = await a.createSigningKey("DEMO");
      await expect.poll(() => b.currentSigningKey("DEMO"), { timeout: 2_000, interval: 50 }).toEqual(first);

      const second = await a.createSigningKey("DEMO");
      await b.refresh();
      expect((await b.currentSigningKey("DEMO"))?.kid).toBe(second.kid);
      const { jws } = await b.sign("DEMO", claim);
      expect(await verifyJws(jws, second.publicJwk)).toMatchObject({ ok: true, kid: second.kid });
    });

    it("signs on instance B with a key just created through A, without waiting for a poll", async () => {
      const a = await instance();
      const b = await instance();
      await b.refresh();
      const key = await a.createSigningKey("DEMO");
      const { jws } = await b.sign("DEMO", claim);
      expect(await verifyJws(jws, key.publicJwk)).toMatchObject({ ok: true, kid: "DEMO-1" });
    });

    it("reloads custody for a department without a key at most once per 250 ms", async () => {
      const records = await harness.open();
      stores.push(records);
      let polls = 0;
      const counted: CustodyRecords = {
        insertCustodyKey: (key) => records.insertCustodyKey(key),
        custodyKeys: (since) => records.custodyKeys(since),
        setCustodyKeyState: (identity, state) => records.setCustodyKeyState(identity, state),
        custodyVersion: () => {
          polls += 1;
          return records.custodyVersion();
        },
      };
      let now = 1_000_000;
      const custody = new StoreKeyCustody({ records: counted, kek, clock: { now: () => now } });
      await custody.refresh();
      polls = 0;
      for (let i = 0; i < 5; i++) await rejection(custody.sign("TD", claim));
      expect(polls).toBe(1);
      now += 250;
      await rejection(custody.sign("TD", claim));
      await rejection(custody.sign("DEMO", claim));
      expect(polls).toBe(3);
    });

    it("makes instance B refuse to sign within 2 s of a compromise marked through A, never falling back to an older key", async () => {
      const a = await instance();
      const b = await instance({ loop: true });
      await a.createSigningKey("DEMO");
      const current = await a.createSigningKey("DEMO");
      expect((await b.sign("DEMO", claim)).jws).toContain(".");

      await a.setSigningKeyState(current.kid, "COMPROMISED");
      await expect
        .poll(
          async () => {
            const error = await b.sign("DEMO", claim).then(
              () => null,
              (e: unknown) => e,
            );
            return isEProofError(error, "FORBIDDEN") ? error.message : null;
          },
          { timeout: 2_000, interval: 50 },
        )
        .toMatch(/DEMO-2 was reported compromised.*administrator must rotate/);
      expect(isEProofError(await rejection(a.sign("DEMO", claim)), "FORBIDDEN")).toBe(true);
      expect((await b.signingKeys("DEMO")).map((k) => [k.kid, k.state])).toEqual([
        ["DEMO-1", "ACTIVE"],
        ["DEMO-2", "COMPROMISED"],
      ]);

      // A compromise is final, and the rotation that follows signs on B within 2 s too.
      await a.setSigningKeyState(current.kid, "RETIRED");
      expect((await a.currentSigningKey("DEMO"))?.state).toBe("COMPROMISED");
      const rotated = await a.createSigningKey("DEMO");
      await expect
        .poll(
          () =>
            b.sign("DEMO", claim).then(
              ({ jws }) => verifyJws(jws, rotated.publicJwk),
              () => null,
            ),
          { timeout: 2_000, interval: 50 },
        )
        .toMatchObject({
          ok: true,
          kid: "DEMO-3",
        });
    });

    it("never hands out one key number twice when two instances create keys concurrently", async () => {
      const a = await instance();
      const b = await instance();
      const created = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).createSigningKey("DEMO")));
      const numbers = created.map((key) => key.keyNumber).sort((x, y) => x - y);
      expect(numbers).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(new Set(created.map((key) => key.publicJwk.x)).size).toBe(10);
      await a.refresh();
      expect((await a.signingKeys("DEMO")).length).toBe(10);
      expect((await a.currentSigningKey("DEMO"))?.keyNumber).toBe(10);
    });

    it("numbers a new key above the floor the caller gives (the keys the chain lists) and above every stored one", async () => {
      const custody = await instance();
      expect((await custody.createSigningKey("DEMO", 7)).keyNumber).toBe(8);
      expect((await custody.createSigningKey("DEMO", 2)).keyNumber).toBe(9);
      expect((await custody.createSigningKey("TD")).keyNumber).toBe(1);
      const restarted = await instance();
      expect((await restarted.createSigningKey("DEMO")).keyNumber).toBe(10);
    });

    it("imports legacy key files once, keeps their numbers and signs with them, and never reuses a number after the folder is lost", async () => {
      const ring = new FileKeyRing(dir);
      ring.createKey("DEMO");
      const legacy = ring.createKey("DEMO");
      const a = await instance();
      const b = await instance();
      const [fromA, fromB] = await Promise.all([a.importLegacyKeyFiles(dir), b.importLegacyKeyFiles(dir)]);
      expect([...fromA, ...fromB].sort()).toEqual(["DEMO-1", "DEMO-2"]);
      expect(await a.importLegacyKeyFiles(dir)).toEqual([]);
      expect(await a.currentSigningKey("DEMO")).toMatchObject({ kid: "DEMO-2", publicJwk: legacy.publicJwk });
      const { jws } = await b.sign("DEMO", claim);
      expect(await verifyJws(jws, legacy.publicJwk)).toMatchObject({ ok: true, kid: "DEMO-2" });

      rmSync(dir, { recursive: true, force: true });
      expect(await a.importLegacyKeyFiles(dir)).toEqual([]);
      expect((await a.createSigningKey("DEMO")).keyNumber).toBe(3);
    });

    it("imports the earlier single anchoring account once, and hands its private key to adapters only", async () => {
      const legacy = new Wallet(`0x${randomBytes(32).toString("hex")}`);
      const a = await instance();
      const b = await instance();
      expect(await a.importAnchoringKey("DEMO", legacy.privateKey)).toBe(true);
      expect(await b.importAnchoringKey("DEMO", legacy.privateKey)).toBe(false);
      expect(await a.importAnchoringKey("DEMO", legacy.privateKey)).toBe(false);
      expect(await b.currentAnchoringAccount("DEMO")).toEqual({ department: "DEMO", number: 1, address: legacy.address, state: "ACTIVE" });
      expect(await b.anchoringPrivateKey("DEMO")).toBe(legacy.privateKey);
      expect(await b.anchoringPrivateKey("TD")).toBeUndefined();
      expect(isEProofError(await rejection(a.importAnchoringKey("TD", "0x1234")), "CONFIG_INVALID")).toBe(true);
    });

    it("gives each department its own anchoring account, the newest one current and earlier ones retired", async () => {
      const a = await instance();
      const b = await instance();
      const first = await a.createAnchoringAccount("DEMO");
      const second = await a.createAnchoringAccount("DEMO");
      const other = await b.createAnchoringAccount("TD");
      expect(second).toMatchObject({ department: "DEMO", number: 2, state: "ACTIVE" });
      expect(new Set([first.address, second.address, other.address]).size).toBe(3);
      await b.refresh();
      expect(await b.currentAnchoringAccount("DEMO")).toEqual(second);
      expect((await b.anchoringAccounts("DEMO")).map((account) => account.state)).toEqual(["RETIRED", "ACTIVE"]);
      expect((await b.anchoringAccounts()).map((account) => `${account.department}-${account.number}`)).toEqual(["DEMO-1", "DEMO-2", "TD-1"]);
      expect(new Wallet((await b.anchoringPrivateKey("DEMO")) as string).address).toBe(second.address);
    });

    it("keeps no private key in plaintext in the database", async () => {
      const ring = new FileKeyRing(dir);
      const legacy = ring.createKey("DEMO");
      const a = await instance();
      await a.importLegacyKeyFiles(dir);
      await a.createSigningKey("DEMO");
      const anchor = new Wallet(`0x${randomBytes(32).toString("hex")}`);
      await a.importAnchoringKey("DEMO", anchor.privateKey);
      await a.createAnchoringAccount("TD");

      const raw = await harness.rawCustodyRows();
      const secrets = [
        String((legacy.privateKey.export({ format: "jwk" }) as { d: string }).d),
        anchor.privateKey,
        anchor.privateKey.slice(2),
        String((await a.anchoringPrivateKey("TD"))?.slice(2)),
      ];
      expect(raw).toContain(anchor.address);
      for (const secret of secrets) expect(raw.toLowerCase()).not.toContain(secret.toLowerCase());
    });

    it("refuses to sign, rather than guess, when the store's keys were sealed under another custody key", async () => {
      const a = await instance();
      await a.createSigningKey("DEMO");
      const stranger = await instance({ kek: randomBytes(32) });
      expect(isEProofError(await rejection(stranger.sign("DEMO", claim)), "CONFIG_INVALID")).toBe(true);
    });
  });
}

let sqliteDir = "";
custodyContract("SQLite", {
  async create() {
    sqliteDir = mkdtempSync(join(tmpdir(), "eproof-custody-db-"));
  },
  async open() {
    return new SqliteStore(join(sqliteDir, "eproof.sqlite"));
  },
  async rawCustodyRows() {
    const db = new DatabaseSync(join(sqliteDir, "eproof.sqlite"));
    try {
      return JSON.stringify(db.prepare("SELECT * FROM custody_keys").all());
    } finally {
      db.close();
    }
  },
  async destroy() {
    rmSync(sqliteDir, { recursive: true, force: true });
  },
});

let schema: TestSchema | null = null;
custodyContract("PostgreSQL", {
  async create() {
    schema = await createTestSchema();
  },
  async open() {
    if (!schema) throw new Error("no schema");
    return PgStore.open({ connectionString: schema.url, maxConnections: 4 });
  },
  async rawCustodyRows() {
    if (!schema) throw new Error("no schema");
    const client = new pg.Client({ connectionString: schema.url });
    await client.connect();
    try {
      return JSON.stringify((await client.query("SELECT * FROM custody_keys")).rows);
    } finally {
      await client.end();
    }
  },
  async destroy() {
    await schema?.drop();
    schema = null;
  },
});
