/**
 * The ProofJwtVerifier port: a wallet's OpenID4VCI proof JWT verified with the public key in its own
 * header (jose). Only ES256 on P-256 is accepted; the claims are checked by the domain
 * (services/domain/openid4vci.ts, checkProofClaims).
 */
import { compactVerify, decodeProtectedHeader, importJWK, type JWK } from "jose";
import type { ProofJwtVerifier } from "../../ports.ts";

const MAX_PROOF_LENGTH = 8_192;

export const proofJwtVerifier: ProofJwtVerifier = {
  async verify(jwt) {
    if (typeof jwt !== "string" || jwt.length > MAX_PROOF_LENGTH || jwt.split(".").length !== 3) return null;
    try {
      const header = decodeProtectedHeader(jwt) as Record<string, unknown>;
      const jwk = header.jwk as JWK | undefined;
      if (header.alg !== "ES256" || !jwk || typeof jwk !== "object" || jwk.kty !== "EC" || jwk.crv !== "P-256" || "d" in jwk) return null;
      const key = await importJWK({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y } as JWK, "ES256");
      const { payload } = await compactVerify(jwt, key, { algorithms: ["ES256"] });
      const claims = JSON.parse(new TextDecoder().decode(payload)) as unknown;
      if (!claims || typeof claims !== "object" || Array.isArray(claims)) return null;
      return { header, payload: claims as Record<string, unknown> };
    } catch {
      return null;
    }
  },
};
