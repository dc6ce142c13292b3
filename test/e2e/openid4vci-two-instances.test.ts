/**
 * OpenID4VCI across two service instances on one PostgreSQL schema, behind one public URL (as
 * behind a load balancer): each step of the wallet's flow may reach either instance, and what one
 * instance has redeemed or used up, the other refuses.
 */
import { CompactSign, decodeJwt, exportJWK, generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningService } from "../../services/main.ts";
import { type SharedDeployment, startSharedDeployment } from "./shared-deployment.ts";
import { api, TYPICAL_LICENCE } from "./test-service.ts";

const PUBLIC_URL = "https://eproof.example.gov.hk";

async function post(url: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const form = body instanceof URLSearchParams;
  const response = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": form ? "application/x-www-form-urlencoded" : "application/json", ...headers },
    body: form ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const grant = (code: string, txCode: string) =>
  new URLSearchParams({ grant_type: "urn:ietf:params:oauth:grant-type:pre-authorized_code", "pre-authorized_code": code, tx_code: txCode });

describe("OpenID4VCI on two instances sharing PostgreSQL", () => {
  let shared: SharedDeployment;
  let a: RunningService;
  let b: RunningService;

  beforeAll(async () => {
    shared = await startSharedDeployment();
    a = await shared.startInstance({ EPROOF_PUBLIC_URL: PUBLIC_URL });
    b = await shared.startInstance({ EPROOF_PUBLIC_URL: PUBLIC_URL });
  }, 180_000);

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await shared?.stop();
  });

  it("redeems an offer made on one instance on the other, once, and issues with a nonce from either, once", async () => {
    const officer = { url: a.url, apiKey: shared.apiKey };
    const issued = await api(officer, "POST", "/api/v1/documents", TYPICAL_LICENCE);
    const offer = await api(officer, "POST", `/api/v1/documents/${issued.body.id}/credential-offer`, { txCode: true });
    expect(offer.status).toBe(201);
    const { preAuthorizedCode, txCode } = offer.body as { preAuthorizedCode: string; txCode: string };

    const [onA, onB] = await Promise.all([
      post(a.url, "/api/v1/oid4vci/token", grant(preAuthorizedCode, txCode)),
      post(b.url, "/api/v1/oid4vci/token", grant(preAuthorizedCode, txCode)),
    ]);
    expect([onA.status, onB.status].sort()).toEqual([200, 400]);
    const accessToken = String((onA.status === 200 ? onA : onB).body.access_token);

    const { c_nonce } = (await post(a.url, "/api/v1/oid4vci/nonce", {})).body as { c_nonce: string };
    const { privateKey, publicKey } = await generateKeyPair("ES256");
    const { kty, crv, x, y } = await exportJWK(publicKey);
    const proof = await new CompactSign(new TextEncoder().encode(JSON.stringify({ aud: PUBLIC_URL, iat: Math.floor(Date.now() / 1000), nonce: c_nonce })))
      .setProtectedHeader({ alg: "ES256", typ: "openid4vci-proof+jwt", jwk: { kty, crv, x, y } })
      .sign(privateKey);
    const request = { credential_configuration_id: "licence-sd-jwt-vc", proofs: { jwt: [proof] } };
    const credential = await post(b.url, "/api/v1/oid4vci/credential", request, { authorization: `Bearer ${accessToken}` });
    expect(credential.status).toBe(200);
    const [issuerJwt] = String((credential.body.credentials as Array<{ credential: string }>)[0]?.credential).split("~");
    expect(decodeJwt(String(issuerJwt)).cnf).toEqual({ jwk: { kty, crv, x, y } });
    const replayed = await post(a.url, "/api/v1/oid4vci/credential", request, { authorization: `Bearer ${accessToken}` });
    expect(replayed).toMatchObject({ status: 400, body: { error: "invalid_nonce" } });
  });
});
