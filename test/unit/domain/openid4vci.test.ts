/** OpenID4VCI's pure part: the metadata, the offer link, and the checks of a proof JWT's claims. */
import { describe, expect, it } from "vitest";
import { qrVersion } from "../../../services/adapters/qr/qr-code.ts";
import { documentTypes } from "../../../services/domain/document-types.ts";
import {
  authorizationServerMetadata,
  checkProofClaims,
  credentialConfigurationId,
  credentialIssuerMetadata,
  credentialOffer,
  credentialOfferLink,
  type DecodedProof,
  Oid4vciError,
  PRE_AUTHORIZED_CODE_GRANT,
  publicJwkOf,
  typeOfConfiguration,
} from "../../../services/domain/openid4vci.ts";

const ISSUER = "https://eproof.example.gov.hk";
const NOW = 1_764_633_600;
const JWK = { kty: "EC", crv: "P-256", x: "x-coordinate", y: "y-coordinate" };

function proof(header: Record<string, unknown> = {}, payload: Record<string, unknown> = {}): DecodedProof {
  return {
    header: { typ: "openid4vci-proof+jwt", alg: "ES256", jwk: JWK, ...header },
    payload: { aud: ISSUER, iat: NOW, nonce: "n-1", ...payload },
  };
}

function refusal(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    if (error instanceof Oid4vciError) return error.error;
    throw error;
  }
  return "accepted";
}

describe("OpenID4VCI metadata and offers", () => {
  it("offers one dc+sd-jwt configuration per document type, with its vct and both languages", () => {
    const metadata = credentialIssuerMetadata(`${ISSUER}/`) as {
      credential_issuer: string;
      credential_configurations_supported: Record<string, { format: string; vct: string; credential_metadata: { display: Array<{ locale: string }> } }>;
    };
    expect(metadata.credential_issuer).toBe(ISSUER);
    expect(Object.keys(metadata.credential_configurations_supported)).toEqual([...documentTypes.keys()].map(credentialConfigurationId));
    for (const [id, configuration] of Object.entries(metadata.credential_configurations_supported)) {
      expect(configuration.format).toBe("dc+sd-jwt");
      expect(configuration.vct).toBe(`${ISSUER}/credentials/types/${typeOfConfiguration(id)}/1`);
      expect(configuration.credential_metadata.display.map((d) => d.locale)).toEqual(["en", "zh-HK"]);
    }
  });

  it("maps each configuration id back to its type, and an unknown one to none", () => {
    for (const type of documentTypes.keys()) expect(typeOfConfiguration(credentialConfigurationId(type))).toBe(type);
    expect(typeOfConfiguration("passport-sd-jwt-vc")).toBeNull();
  });

  it("describes an authorization server that takes the pre-authorized code without client authentication", () => {
    expect(authorizationServerMetadata(ISSUER)).toMatchObject({
      issuer: ISSUER,
      token_endpoint: `${ISSUER}/api/v1/oid4vci/token`,
      grant_types_supported: [PRE_AUTHORIZED_CODE_GRANT],
      "pre-authorized_grant_anonymous_access_supported": true,
    });
  });

  it("carries the offer by value in the link, with a numeric 6-digit tx_code only when asked", () => {
    for (const txCode of [true, false]) {
      const offer = credentialOffer(ISSUER, { configurationId: "licence-sd-jwt-vc", preAuthorizedCode: "code&=?#", txCode });
      const link = new URL(credentialOfferLink(offer));
      expect(link.protocol).toBe("openid-credential-offer:");
      const decoded = JSON.parse(String(link.searchParams.get("credential_offer")));
      expect(decoded).toEqual(offer);
      const grant = decoded.grants[PRE_AUTHORIZED_CODE_GRANT];
      expect(grant["pre-authorized_code"]).toBe("code&=?#");
      expect(grant.tx_code === undefined ? null : { input_mode: grant.tx_code.input_mode, length: grant.tx_code.length }).toEqual(
        txCode ? { input_mode: "numeric", length: 6 } : null,
      );
    }
  });

  it("keeps the longest offer (the longest type's configuration, a transaction code) within QR version 22 at level Q", () => {
    const longest = [...documentTypes.keys()].map(credentialConfigurationId).sort((x, y) => y.length - x.length)[0] ?? "";
    const link = credentialOfferLink(credentialOffer(ISSUER, { configurationId: longest, preAuthorizedCode: "f".repeat(64), txCode: true }));
    expect(qrVersion(link)).toBeLessThanOrEqual(22);
  });
});

describe("the checks of a proof JWT's claims", () => {
  const check = (p: DecodedProof) => () => checkProofClaims(p, { credentialIssuer: ISSUER, nowSeconds: NOW, maxAgeSeconds: 300 });

  it("accepts a proof for this issuer with a recent iat, and returns its nonce", () => {
    expect(check(proof())()).toBe("n-1");
    expect(check(proof({}, { aud: ["https://other.example", ISSUER], iat: NOW - 299 }))()).toBe("n-1");
  });

  it("refuses another typ or alg, a missing or private jwk, and a kid or x5c beside it (invalid_proof)", () => {
    for (const header of [
      { typ: "JWT" },
      { alg: "ES384" },
      { jwk: undefined },
      { jwk: { ...JWK, d: "secret" } },
      { jwk: { ...JWK, crv: "P-384" } },
      { kid: "k" },
      { x5c: ["c"] },
    ]) {
      expect(refusal(check(proof(header))), JSON.stringify(header)).toBe("invalid_proof");
    }
  });

  it("refuses another audience, a missing, stale or future iat (invalid_proof), and a missing nonce (invalid_nonce)", () => {
    for (const payload of [{ aud: "https://other.example" }, { iat: undefined }, { iat: NOW - 301 }, { iat: NOW + 61 }]) {
      expect(refusal(check(proof({}, payload))), JSON.stringify(payload)).toBe("invalid_proof");
    }
    expect(refusal(check(proof({}, { nonce: undefined })))).toBe("invalid_nonce");
    expect(refusal(check(proof({}, { nonce: "" })))).toBe("invalid_nonce");
  });

  it("keeps only the public members of the holder's key for cnf.jwk", () => {
    expect(publicJwkOf({ ...JWK, d: "secret", kid: "wallet-chosen", alg: "ES256" })).toEqual(JWK);
  });
});
