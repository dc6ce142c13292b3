/**
 * A stand-in for the SD-JWT VC export (the CredentialExports port) until the real one is merged:
 * an SD-JWT-shaped credential signed with the department's real key through key custody's
 * JoseSigner — header `typ: dc+sd-jwt`, one salted disclosure (the document number) whose digest is
 * in `_sd`, the e-Proof id always disclosed, `cnf.jwk` when bound to a wallet key. Enough for the
 * OpenID4VCI flow to run; it is not the export and says nothing about its format.
 */
import { createHash, randomBytes } from "node:crypto";
import { vctOf } from "../../services/domain/openid4vci.ts";
import { EProofError } from "../../services/errors.ts";
import type { ServiceExtras } from "../../services/main.ts";

const b64url = (data: string | Uint8Array): string => Buffer.from(data).toString("base64url");

export const standInSdJwtVc: NonNullable<ServiceExtras["credentialExports"]> = ({ store, signer, publicUrl }) => ({
  async sdJwtVc(documentId, options = {}) {
    const stored = await store.getDocument(documentId);
    if (!stored) throw new EProofError("NOT_FOUND", `no document ${documentId}`);
    const file = JSON.parse(stored.documentJson) as { header: { typeVersion: number }; data: Record<string, unknown> };
    const data = file.data;
    const disclosure = b64url(JSON.stringify([randomBytes(16).toString("base64url"), "documentNumber", data.documentNumber]));
    const payload = {
      iss: `${publicUrl}/issuers/${stored.department}`,
      vct: vctOf(publicUrl, stored.type, file.header.typeVersion),
      iat: Math.floor(Date.now() / 1000),
      eproofId: stored.id,
      _sd_alg: "sha-256",
      _sd: [createHash("sha256").update(disclosure).digest("base64url")],
      ...(options.holderJwk ? { cnf: { jwk: options.holderJwk } } : {}),
    };
    const { jws } = await signer.signJws(stored.department, { typ: "dc+sd-jwt" }, new TextEncoder().encode(JSON.stringify(payload)));
    return `${jws}~${disclosure}~`;
  },
});
