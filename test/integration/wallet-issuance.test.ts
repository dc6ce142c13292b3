/**
 * OpenID4VCI issuance (services/use-cases/issue-to-wallet.ts) over the real stores: on SQLite, and
 * on PostgreSQL with two instances sharing one schema (what one redeems or uses up, the other
 * cannot). A clock the test moves stands for time passing.
 */
import { randomBytes } from "node:crypto";
import { CompactSign, exportJWK, generateKeyPair } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { proofJwtVerifier } from "../../services/adapters/signing/proof-jwt.ts";
import { PgStore } from "../../services/adapters/store/pg-store.ts";
import type { SqlStore } from "../../services/adapters/store/sql-store.ts";
import { SqliteStore } from "../../services/adapters/store/sqlite-store.ts";
import { Oid4vciError } from "../../services/domain/openid4vci.ts";
import type { CredentialExports } from "../../services/ports.ts";
import { WalletIssuance, type WalletIssuanceSettings } from "../../services/use-cases/issue-to-wallet.ts";
import { createTestSchema, type TestSchema } from "./pg-test-db.ts";
import { doc } from "./store-contract.ts";

const PUBLIC_URL = "https://eproof.example.gov.hk";
const SETTINGS: WalletIssuanceSettings = { offerTtlMs: 600_000, tokenTtlMs: 600_000, nonceTtlMs: 300_000, maxTxFailures: 3 };
const OFFICER = { keyId: "DEMO-officer-1", department: "DEMO" };

/** Records which document and key each credential was asked for; the credential itself is opaque here. */
function recordingExports(): CredentialExports & { calls: Array<{ documentId: string; holderJwk: unknown }> } {
  const calls: Array<{ documentId: string; holderJwk: unknown }> = [];
  return {
    calls,
    async sdJwtVc(documentId, options) {
      calls.push({ documentId, holderJwk: options?.holderJwk });
      return `header.payload.signature~`;
    },
  };
}

function issuance(store: SqlStore, clock: { now(): number }, exports?: CredentialExports): WalletIssuance {
  return new WalletIssuance({
    offers: store.credentialOffers,
    documents: store,
    ...(exports ? { exports } : {}),
    proofs: proofJwtVerifier,
    audit: store.audit,
    clock,
    random: { bytes: (n) => randomBytes(n) },
    publicUrl: PUBLIC_URL,
    settings: SETTINGS,
  });
}

async function proof(nonce: string, nowMs: number): Promise<{ jwt: string; jwk: Record<string, unknown> }> {
  const { privateKey, publicKey } = await generateKeyPair("ES256");
  const { kty, crv, x, y } = await exportJWK(publicKey);
  const jwk = { kty, crv, x, y };
  const jwt = await new CompactSign(new TextEncoder().encode(JSON.stringify({ aud: PUBLIC_URL, iat: Math.floor(nowMs / 1000), nonce })))
    .setProtectedHeader({ alg: "ES256", typ: "openid4vci-proof+jwt", jwk })
    .sign(privateKey);
  return { jwt, jwk };
}

const grant = (code: string, txCode?: string) => ({
  grant_type: "urn:ietf:params:oauth:grant-type:pre-authorized_code",
  "pre-authorized_code": code,
  ...(txCode === undefined ? {} : { tx_code: txCode }),
});

async function refusal(work: Promise<unknown>): Promise<string> {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof Oid4vciError)) throw new Error(`expected an Oid4vciError, got ${String(error)}`);
  return error.error;
}

function walletIssuanceContract(name: string, open: () => Promise<[SqlStore, SqlStore]>, close: () => Promise<void>): void {
  describe(name, () => {
    afterEach(close);

    it("refuses an offer redeemed after it expired, and audits the refusal", async () => {
      const [store] = await open();
      await store.insertDocuments([doc(1)]);
      let now = Date.parse("2026-12-01T10:00:00Z");
      const wallet = issuance(store, { now: () => now });
      const offer = await wallet.createOffer(OFFICER, doc(1).id, { txCode: false });
      now += SETTINGS.offerTtlMs;
      expect(await refusal(wallet.token(grant(offer.preAuthorizedCode)))).toBe("invalid_grant");
      const audit = await store.audit.list({ documentId: doc(1).id });
      expect(audit.map((e) => [e.action, e.details.reason ?? null])).toEqual([
        ["credential_offer.created", null],
        ["credential_offer.refused", "expired"],
      ]);
    });

    it("redeems one offer once when wallets on two instances try it at the same time", async () => {
      const [first, second] = await open();
      await first.insertDocuments([doc(2)]);
      const clock = { now: () => Date.now() };
      const offer = await issuance(first, clock).createOffer(OFFICER, doc(2).id, { txCode: true });
      const attempts = await Promise.allSettled(
        [first, second, first, second, first, second].map((store) => issuance(store, clock).token(grant(offer.preAuthorizedCode, String(offer.txCode)))),
      );
      expect(attempts.filter((a) => a.status === "fulfilled")).toHaveLength(1);
      for (const failed of attempts.filter((a) => a.status === "rejected")) expect((failed.reason as Oid4vciError).error).toBe("invalid_grant");
    });

    it("locks an offer on the last allowed wrong transaction code, counted across instances", async () => {
      const [first, second] = await open();
      await first.insertDocuments([doc(3)]);
      const clock = { now: () => Date.now() };
      const offer = await issuance(first, clock).createOffer(OFFICER, doc(3).id, { txCode: true });
      const wrong = offer.txCode === "000000" ? "999999" : "000000";
      await Promise.allSettled([first, second, first].map((store) => issuance(store, clock).token(grant(offer.preAuthorizedCode, wrong))));
      expect(await refusal(issuance(second, clock).token(grant(offer.preAuthorizedCode, String(offer.txCode))))).toBe("invalid_grant");
      const audit = await first.audit.list({ documentId: doc(3).id, action: "credential_offer.refused" });
      expect(audit.map((e) => e.details.reason)).toEqual(["wrong-tx-code", "wrong-tx-code", "wrong-tx-code", "locked"]);
    });

    it("issues with a token and a nonce from the other instance, and a nonce only once", async () => {
      const [first, second] = await open();
      await first.insertDocuments([doc(4)]);
      const clock = { now: () => Date.now() };
      const exports = recordingExports();
      const offer = await issuance(first, clock).createOffer(OFFICER, doc(4).id, { txCode: false });
      const { access_token } = await issuance(first, clock).token(grant(offer.preAuthorizedCode));
      const { c_nonce } = await issuance(first, clock).nonce();
      const { jwt, jwk } = await proof(c_nonce, clock.now());
      const request = { credential_configuration_id: "licence-sd-jwt-vc", proofs: { jwt: [jwt] } };
      const issued = await issuance(second, clock, exports).credential({ accessToken: access_token, body: request });
      expect(issued.credentials).toHaveLength(1);
      expect(exports.calls).toEqual([{ documentId: doc(4).id, holderJwk: jwk }]);
      expect(await refusal(issuance(first, clock, exports).credential({ accessToken: access_token, body: request }))).toBe("invalid_nonce");
    });

    it("refuses an expired access token and an expired nonce", async () => {
      const [store] = await open();
      await store.insertDocuments([doc(5)]);
      let now = Date.now();
      const wallet = issuance(store, { now: () => now }, recordingExports());
      const offer = await wallet.createOffer(OFFICER, doc(5).id, { txCode: false });
      const { access_token } = await wallet.token(grant(offer.preAuthorizedCode));
      const { c_nonce } = await wallet.nonce();
      now += SETTINGS.nonceTtlMs;
      const late = await proof(c_nonce, now);
      expect(
        await refusal(
          wallet.credential({ accessToken: access_token, body: { credential_configuration_id: "licence-sd-jwt-vc", proofs: { jwt: [late.jwt] } } }),
        ),
      ).toBe("invalid_nonce");
      now += SETTINGS.tokenTtlMs;
      expect(
        await refusal(
          wallet.credential({ accessToken: access_token, body: { credential_configuration_id: "licence-sd-jwt-vc", proofs: { jwt: [late.jwt] } } }),
        ),
      ).toBe("invalid_token");
    });

    it("keeps only hashes of the pre-authorized code, the transaction code and the access token", async () => {
      const [store] = await open();
      await store.insertDocuments([doc(6)]);
      const wallet = issuance(store, { now: () => Date.now() });
      const offer = await wallet.createOffer(OFFICER, doc(6).id, { txCode: true });
      const { access_token } = await wallet.token(grant(offer.preAuthorizedCode, String(offer.txCode)));
      const redemption = await store.credentialOffers.redeemOffer(offer.preAuthorizedCode, null, Date.now(), 3);
      expect(redemption.outcome).toBe("unknown");
      expect(await store.credentialOffers.findAccessToken(access_token, Date.now())).toBeNull();
    });

    it("says it cannot issue when the SD-JWT VC export is not wired, after checking the token", async () => {
      const [store] = await open();
      await store.insertDocuments([doc(7)]);
      const wallet = issuance(store, { now: () => Date.now() });
      expect(wallet.canIssue).toBe(false);
      const offer = await wallet.createOffer(OFFICER, doc(7).id, { txCode: false });
      const { access_token } = await wallet.token(grant(offer.preAuthorizedCode));
      expect(await refusal(wallet.credential({ accessToken: "0".repeat(64), body: {} }))).toBe("invalid_token");
      expect(await refusal(wallet.credential({ accessToken: access_token, body: {} }))).toBe("credential_request_denied");
    });

    it("does not offer another department's document, nor a revoked one", async () => {
      const [store] = await open();
      await store.insertDocuments([doc(8), doc(9)]);
      await store.recordStatusChanges([
        {
          documentId: doc(9).id,
          status: "REVOKED",
          reason: "test",
          reasonCode: 6,
          successor: null,
          actor: "t",
          txHash: `0x${"1".repeat(64)}`,
          changedAt: "2026-12-01T10:00:00Z",
        },
      ]);
      const wallet = issuance(store, { now: () => Date.now() });
      await expect(wallet.createOffer({ keyId: "OTHER-officer", department: "OTHER" }, doc(8).id, { txCode: false })).rejects.toMatchObject({
        code: "NOT_FOUND",
      });
      await expect(wallet.createOffer(OFFICER, doc(9).id, { txCode: false })).rejects.toMatchObject({ code: "INVALID_STATUS_CHANGE" });
      await expect(wallet.createOffer({ ...OFFICER, types: ["permit"] }, doc(8).id, { txCode: false })).rejects.toMatchObject({ code: "FORBIDDEN" });
    });
  });
}

let sqlite: SqliteStore | null = null;
walletIssuanceContract(
  "WalletIssuance on SQLite",
  async () => {
    sqlite = new SqliteStore(":memory:");
    return [sqlite, sqlite];
  },
  async () => {
    await sqlite?.close();
    sqlite = null;
  },
);

let schema: TestSchema | null = null;
const pgStores: PgStore[] = [];
walletIssuanceContract(
  "WalletIssuance on PostgreSQL, two instances",
  async () => {
    schema = await createTestSchema();
    const first = await PgStore.open({ connectionString: schema.url, maxConnections: 4 });
    const second = await PgStore.open({ connectionString: schema.url, maxConnections: 4 });
    pgStores.push(first, second);
    return [first, second];
  },
  async () => {
    for (const store of pgStores.splice(0)) await store.close();
    await schema?.drop();
    schema = null;
  },
);
