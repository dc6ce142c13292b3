/**
 * OpenID4VCI 1.0 pre-authorized code flow against a running service, driven by a wallet client
 * library nobody here wrote (@openid4vc/openid4vci, @openid4vc/oauth2 0.4.6): resolving the offer,
 * both metadata documents, the token with the transaction code, a c_nonce, the proof JWT and the
 * credential. The SD-JWT VC is the service's own export (its format is checked in
 * credential-exports.test.ts); what is checked here is the flow and the key binding.
 */
import { createHash, randomBytes } from "node:crypto";
import { clientAuthenticationAnonymous, HashAlgorithm, type JwtSigner, setGlobalConfig } from "@openid4vc/oauth2";
import { Openid4vciClient, Openid4vciRetrieveCredentialsError } from "@openid4vc/openid4vci";
import { CompactSign, compactVerify, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashApiKey, newApiKey } from "../../services/adapters/http/auth.ts";
import { api, freePort, startTestService, stopTestService, type TestService, TYPICAL_LICENCE } from "./test-service.ts";

const MAX_TX_TRIES = 3;

interface WalletKey {
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function walletKey(): Promise<WalletKey> {
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
  const { kty, crv, x, y } = await exportJWK(publicKey);
  return { privateKey, publicJwk: { kty, crv, x, y } };
}

/** The library's client with the callbacks a wallet supplies: hashing, randomness, and signing with the wallet's key. */
function walletClient(key: WalletKey): Openid4vciClient {
  return new Openid4vciClient({
    callbacks: {
      hash: (data: Uint8Array, alg: HashAlgorithm) => {
        if (alg !== HashAlgorithm.Sha256) throw new Error(`unexpected hash ${alg}`);
        return createHash("sha256").update(data).digest();
      },
      generateRandom: (length: number) => randomBytes(length),
      clientAuthentication: clientAuthenticationAnonymous(),
      signJwt: async (_signer: JwtSigner, jwt) => ({
        jwt: await new CompactSign(new TextEncoder().encode(JSON.stringify(jwt.payload)))
          .setProtectedHeader(jwt.header as { alg: string })
          .sign(key.privateKey),
        signerJwk: key.publicJwk as never,
      }),
    },
  });
}

const signerOf = (key: WalletKey): JwtSigner => ({ method: "jwk", alg: "ES256", publicJwk: key.publicJwk as never });

/** A raw token request as a wallet sends it (form-encoded). */
async function tokenRequest(service: TestService, fields: Record<string, string>) {
  const response = await fetch(`${service.url}/api/v1/oid4vci/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "urn:ietf:params:oauth:grant-type:pre-authorized_code", ...fields }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function credentialRequest(service: TestService, accessToken: string, body: unknown) {
  const response = await fetch(`${service.url}/api/v1/oid4vci/credential`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${accessToken}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A proof JWT made by hand, for the proofs the library would not make. */
async function handMadeProof(key: WalletKey, claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: "ES256", typ: "openid4vci-proof+jwt", jwk: key.publicJwk, ...header })
    .sign(key.privateKey);
}

describe("OpenID4VCI issuance into a wallet (pre-authorized code)", () => {
  let service: TestService;
  let documentId: string;
  const logLines: string[] = [];

  beforeAll(async () => {
    setGlobalConfig({ allowInsecureUrls: true });
    const port = await freePort();
    // The credential issuer identifier is the public URL: the wallet reaches it as given in the offer.
    service = await startTestService({
      env: { PORT: String(port), EPROOF_PUBLIC_URL: `http://127.0.0.1:${port}`, EPROOF_OID4VCI_TX_CODE_MAX_TRIES: String(MAX_TX_TRIES) },
      logLines,
      logLevel: "debug",
    });
    const issued = await api(service, "POST", "/api/v1/documents", TYPICAL_LICENCE);
    expect(issued.status).toBe(202);
    documentId = issued.body.id;
  }, 120_000);

  afterAll(() => stopTestService(service));

  async function offer(body: Record<string, unknown> = {}) {
    const made = await api(service, "POST", `/api/v1/documents/${documentId}/credential-offer`, body);
    expect(made.status).toBe(201);
    return made.body as { offerId: string; credentialOfferLink: string; preAuthorizedCode: string; txCode: string | null; qrPng: string; expiresAt: string };
  }

  it("publishes the credential issuer and authorization server metadata the wallet library accepts", async () => {
    const client = walletClient(await walletKey());
    const metadata = await client.resolveIssuerMetadata(`http://127.0.0.1:${new URL(service.url).port}`);
    const licence = metadata.credentialIssuer.credential_configurations_supported["licence-sd-jwt-vc"] as Record<string, unknown>;
    expect(licence).toMatchObject({
      format: "dc+sd-jwt",
      cryptographic_binding_methods_supported: ["jwk"],
      proof_types_supported: { jwt: { proof_signing_alg_values_supported: ["ES256"] } },
    });
    expect(String(licence.vct)).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/credentials\/types\/licence\/1$/);
    expect(Object.keys(metadata.credentialIssuer.credential_configurations_supported).sort()).toEqual(
      ["certificate-sd-jwt-vc", "licence-sd-jwt-vc", "permit-sd-jwt-vc", "subsidy-agreement-sd-jwt-vc"].sort(),
    );
    expect(metadata.authorizationServers[0]).toMatchObject({ "pre-authorized_grant_anonymous_access_supported": true });
    expect(metadata.authorizationServers[0]?.token_endpoint).toBe(`${service.url}/api/v1/oid4vci/token`);
  });

  it("runs the whole flow with a wallet library: the SD-JWT VC it gets is bound to the wallet's key", async () => {
    const made = await offer({ txCode: true });
    expect(made.txCode).toMatch(/^\d{6}$/);
    expect(made.credentialOfferLink).toMatch(/^openid-credential-offer:\/\/\?credential_offer=/);
    expect(Buffer.from(made.qrPng, "base64").subarray(1, 4).toString()).toBe("PNG");

    const key = await walletKey();
    const client = walletClient(key);
    const credentialOffer = await client.resolveCredentialOffer(made.credentialOfferLink);
    const issuerMetadata = await client.resolveIssuerMetadata(credentialOffer.credential_issuer);
    const { accessTokenResponse } = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
      credentialOffer,
      issuerMetadata,
      txCode: made.txCode ?? undefined,
    });
    expect(accessTokenResponse.token_type).toBe("Bearer");
    const [configurationId] = credentialOffer.credential_configuration_ids;
    if (!configurationId) throw new Error("the offer names no credential configuration");
    const { c_nonce } = await client.requestNonce({ issuerMetadata });
    const { jwt } = await client.createCredentialRequestJwtProof({
      issuerMetadata,
      credentialConfigurationId: configurationId,
      signer: signerOf(key),
      nonce: c_nonce,
    });
    const response = await client.retrieveCredentials({
      issuerMetadata,
      accessToken: accessTokenResponse.access_token,
      credentialConfigurationId: configurationId,
      proofs: { jwt: [jwt] },
    });
    const first = response.credentialResponse.credentials?.[0];
    const credential = typeof first === "object" && first !== null && "credential" in first ? first.credential : undefined;
    expect(typeof credential).toBe("string");

    const [issuerJwt] = String(credential).split("~");
    const header = decodeProtectedHeader(String(issuerJwt));
    expect(header).toMatchObject({ typ: "dc+sd-jwt", alg: "ES256" });
    // Signed by DEMO's published key; the cnf.jwk is exactly the wallet's public key.
    const jwks = (await api(service, "GET", "/.well-known/jwks.json")).body as { keys: Array<JWK & { kid: string }> };
    const departmentKey = jwks.keys.find((k) => k.kid === header.kid);
    if (!departmentKey) throw new Error(`no published key ${String(header.kid)}`);
    const { kty, crv, x, y } = departmentKey;
    const verified = await compactVerify(String(issuerJwt), await importJWK({ kty, crv, x, y }, "ES256"));
    const payload = JSON.parse(new TextDecoder().decode(verified.payload)) as { cnf: { jwk: JWK }; eproof_id: string };
    expect(payload.cnf.jwk).toEqual(key.publicJwk);
    expect(payload.eproof_id).toBe(documentId);
    // The credential in the wallet is the document's SD-JWT VC: the verify API judges it VALID.
    const verdict = await api(service, "POST", "/api/v1/verify", { sdJwt: credential });
    expect(verdict.status).toBe(200);
    expect(verdict.body.verdict).toBe("VALID");
  });

  it("refuses an offer redeemed a second time", async () => {
    const made = await offer();
    expect((await tokenRequest(service, { "pre-authorized_code": made.preAuthorizedCode })).status).toBe(200);
    const again = await tokenRequest(service, { "pre-authorized_code": made.preAuthorizedCode });
    expect(again).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
  });

  it("refuses an unknown pre-authorized code and an unsupported grant", async () => {
    expect(await tokenRequest(service, { "pre-authorized_code": "a".repeat(64) })).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    expect(await tokenRequest(service, { grant_type: "authorization_code", code: "x" })).toMatchObject({
      status: 400,
      body: { error: "unsupported_grant_type" },
    });
  });

  it(`refuses a wrong or missing transaction code, and closes the offer after ${MAX_TX_TRIES} wrong tries`, async () => {
    const made = await offer({ txCode: true });
    const right = String(made.txCode);
    const wrong = right === "000000" ? "111111" : "000000";
    expect(await tokenRequest(service, { "pre-authorized_code": made.preAuthorizedCode })).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    for (let i = 1; i < MAX_TX_TRIES; i++) {
      expect(await tokenRequest(service, { "pre-authorized_code": made.preAuthorizedCode, tx_code: wrong })).toMatchObject({
        status: 400,
        body: { error: "invalid_grant" },
      });
    }
    // The missing code counted as a wrong one: the offer is now closed, and the right code comes too late.
    const late = await tokenRequest(service, { "pre-authorized_code": made.preAuthorizedCode, tx_code: right });
    expect(late).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    expect(String(late.body.error_description)).toMatch(/too many wrong transaction codes/);
  });

  it("accepts the right transaction code after fewer wrong tries than the limit", async () => {
    const made = await offer({ txCode: true });
    const wrong = made.txCode === "000000" ? "111111" : "000000";
    expect((await tokenRequest(service, { "pre-authorized_code": made.preAuthorizedCode, tx_code: wrong })).status).toBe(400);
    expect((await tokenRequest(service, { "pre-authorized_code": made.preAuthorizedCode, tx_code: String(made.txCode) })).status).toBe(200);
  });

  describe("proofs", () => {
    let accessToken: string;
    const key = { current: undefined as WalletKey | undefined };
    const issuer = () => `http://127.0.0.1:${new URL(service.url).port}`;
    const nonce = async () => (await (await fetch(`${service.url}/api/v1/oid4vci/nonce`, { method: "POST" })).json()).c_nonce as string;
    const request = (jwt: string) => credentialRequest(service, accessToken, { credential_configuration_id: "licence-sd-jwt-vc", proofs: { jwt: [jwt] } });

    beforeAll(async () => {
      key.current = await walletKey();
      const made = await offer();
      accessToken = String((await tokenRequest(service, { "pre-authorized_code": made.preAuthorizedCode })).body.access_token);
    });

    it("refuses a proof with a nonce the service never gave (invalid_nonce), through the wallet library", async () => {
      const wallet = key.current as WalletKey;
      const client = walletClient(wallet);
      const issuerMetadata = await client.resolveIssuerMetadata(issuer());
      const foreign = randomBytes(32).toString("hex");
      const { jwt } = await client.createCredentialRequestJwtProof({
        issuerMetadata,
        credentialConfigurationId: "licence-sd-jwt-vc",
        signer: signerOf(wallet),
        nonce: foreign,
      });
      const refused = await client
        .retrieveCredentials({ issuerMetadata, accessToken, credentialConfigurationId: "licence-sd-jwt-vc", proofs: { jwt: [jwt] } })
        .then(
          () => null,
          (error: unknown) => error,
        );
      expect(refused).toBeInstanceOf(Openid4vciRetrieveCredentialsError);
      expect((refused as Openid4vciRetrieveCredentialsError).response.credentialErrorResponseResult?.data).toMatchObject({ error: "invalid_nonce" });
    });

    it("refuses a nonce used a second time (invalid_nonce)", async () => {
      const wallet = key.current as WalletKey;
      const fresh = await nonce();
      const first = await request(await handMadeProof(wallet, { aud: issuer(), iat: Math.floor(Date.now() / 1000), nonce: fresh }));
      expect(first.status).toBe(200);
      const second = await request(await handMadeProof(wallet, { aud: issuer(), iat: Math.floor(Date.now() / 1000), nonce: fresh }));
      expect(second).toMatchObject({ status: 400, body: { error: "invalid_nonce" } });
    });

    it("refuses a stale proof, one for another issuer, one of another type, and one not signed by its header's key (invalid_proof)", async () => {
      const wallet = key.current as WalletKey;
      const other = await walletKey();
      const now = Math.floor(Date.now() / 1000);
      const cases = [
        await handMadeProof(wallet, { aud: issuer(), iat: now - 3_600, nonce: await nonce() }),
        await handMadeProof(wallet, { aud: "https://elsewhere.example", iat: now, nonce: await nonce() }),
        await handMadeProof(wallet, { aud: issuer(), iat: now, nonce: await nonce() }, { typ: "JWT" }),
        await handMadeProof(other, { aud: issuer(), iat: now, nonce: await nonce() }, { jwk: wallet.publicJwk }),
      ];
      for (const proof of cases) expect(await request(proof)).toMatchObject({ status: 400, body: { error: "invalid_proof" } });
    });

    it("answers malformed wallet requests with OAuth errors in the 4xx range, never 500", async () => {
      const form = async (body: string) =>
        (await fetch(`${service.url}/api/v1/oid4vci/token`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body })).status;
      expect(await form("")).toBe(400);
      expect(await form("grant_type=urn:ietf:params:oauth:grant-type:pre-authorized_code&pre-authorized_code=a&pre-authorized_code=b")).toBe(400);
      for (const body of [
        {},
        { credential_configuration_id: "licence-sd-jwt-vc" },
        { credential_configuration_id: "licence-sd-jwt-vc", proofs: "jwt" },
        { credential_configuration_id: "licence-sd-jwt-vc", proofs: { jwt: ["not.a.jwt"] } },
        { credential_configuration_id: "licence-sd-jwt-vc", proofs: { jwt: [42] } },
        { credential_configuration_id: "licence-sd-jwt-vc", proofs: { jwt: ["a", "b"] } },
        { credential_configuration_id: "licence-sd-jwt-vc", proof: { proof_type: "cwt", cwt: "x" } },
        [1, 2],
      ]) {
        const answer = await credentialRequest(service, accessToken, body);
        expect(answer.status, JSON.stringify(body)).toBe(400);
        expect(typeof answer.body.error, JSON.stringify(body)).toBe("string");
      }
    });

    it("refuses a credential request without a valid access token (401 invalid_token)", async () => {
      const wallet = key.current as WalletKey;
      const proof = await handMadeProof(wallet, { aud: issuer(), iat: Math.floor(Date.now() / 1000), nonce: await nonce() });
      const refused = await credentialRequest(service, "f".repeat(64), { credential_configuration_id: "licence-sd-jwt-vc", proofs: { jwt: [proof] } });
      expect(refused).toMatchObject({ status: 401, body: { error: "invalid_token" } });
    });

    it("refuses a configuration the token was not given for", async () => {
      const wallet = key.current as WalletKey;
      const proof = await handMadeProof(wallet, { aud: issuer(), iat: Math.floor(Date.now() / 1000), nonce: await nonce() });
      const refused = await credentialRequest(service, accessToken, { credential_configuration_id: "permit-sd-jwt-vc", proofs: { jwt: [proof] } });
      expect(refused).toMatchObject({ status: 400, body: { error: "unknown_credential_configuration" } });
    });
  });

  it("lets a wallet in a browser on another origin call the wallet endpoints (CORS, bearer header), but not the offer route", async () => {
    const preflight = await fetch(`${service.url}/api/v1/oid4vci/credential`, {
      method: "OPTIONS",
      headers: { origin: "https://wallet.example", "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    expect(preflight.headers.get("access-control-allow-headers")).toMatch(/Authorization/);
    const offerRoute = await fetch(`${service.url}/api/v1/documents/${documentId}/credential-offer`, {
      method: "POST",
      headers: { origin: "https://wallet.example" },
    });
    expect(offerRoute.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("does not let an officer of another department make an offer for this document", async () => {
    const otherKey = newApiKey();
    await service.store.insertApiKey(
      { id: "OTHER-officer-wallet", department: "OTHER", label: "other officer", types: [], revoked: false },
      hashApiKey(otherKey),
    );
    const refused = await api({ url: service.url, apiKey: otherKey }, "POST", `/api/v1/documents/${documentId}/credential-offer`, {});
    expect(refused.status).toBe(404);
    expect(refused.body.error.code).toBe("NOT_FOUND");
    const noKey = await fetch(`${service.url}/api/v1/documents/${documentId}/credential-offer`, { method: "POST" });
    expect(noKey.status).toBe(401);
    const badBody = await api(service, "POST", `/api/v1/documents/${documentId}/credential-offer`, { txCode: "yes", holder: "x" });
    expect(badBody.status).toBe(400);
  });

  it("audits offers created, redeemed, refused and credentials issued, without holder data, codes or keys; the log holds none either", async () => {
    const key = await walletKey();
    const made = await offer({ txCode: true });
    await tokenRequest(service, { "pre-authorized_code": made.preAuthorizedCode, tx_code: made.txCode === "123456" ? "654321" : "123456" });
    const token = await tokenRequest(service, { "pre-authorized_code": made.preAuthorizedCode, tx_code: String(made.txCode) });
    const issuer = `http://127.0.0.1:${new URL(service.url).port}`;
    const nonce = ((await (await fetch(`${service.url}/api/v1/oid4vci/nonce`, { method: "POST" })).json()) as { c_nonce: string }).c_nonce;
    const proof = await handMadeProof(key, { aud: issuer, iat: Math.floor(Date.now() / 1000), nonce });
    expect(
      (await credentialRequest(service, String(token.body.access_token), { credential_configuration_id: "licence-sd-jwt-vc", proofs: { jwt: [proof] } }))
        .status,
    ).toBe(200);

    const entries = (await service.store.audit.list({ documentId, limit: 1000 })).filter((e) => e.details.offerId === made.offerId);
    expect(entries.map((e) => e.action)).toEqual([
      "credential_offer.created",
      "credential_offer.refused",
      "credential_offer.redeemed",
      "credential_offer.credential_issued",
    ]);
    expect(entries[1]?.details).toMatchObject({ reason: "wrong-tx-code", txFailures: 1 });
    const holder = TYPICAL_LICENCE.data.holder as { name: { en: string; "zh-HK": string }; idMasked: string };
    const secrets = [
      made.preAuthorizedCode,
      String(token.body.access_token),
      nonce,
      String(key.publicJwk.x),
      holder.name.en,
      holder.name["zh-HK"],
      holder.idMasked,
    ];
    const written = JSON.stringify(entries) + logLines.join("\n");
    expect(logLines.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(written).not.toContain(secret);
    // Six digits could occur anywhere by chance (times, ids): the transaction code is looked for as a value.
    for (const entry of entries) expect(Object.values(entry.details)).not.toContain(String(made.txCode));
    expect(logLines.join("\n")).not.toContain(`"${String(made.txCode)}"`);
  });
});
