/**
 * Issuance into a holder's wallet, OpenID4VCI 1.0 pre-authorized code flow: an officer makes an
 * offer for one document (optionally guarded by a transaction code handed over out of band), the
 * wallet redeems its code once for a short-lived access token, asks for a c_nonce, proves
 * possession of its key, and gets the document's SD-JWT VC bound to that key.
 *
 * Every secret (pre-authorized code, transaction code, access token, c_nonce) is stored as a hash
 * only, in the shared database, so any instance can answer any step. Offers are audited (created,
 * redeemed, refused, credential issued) with ids and reasons only: nothing about the holder, not even
 * the wallet's key.
 */
import { getDocumentType } from "../domain/document-types.ts";
import {
  checkProofClaims,
  credentialConfigurationId,
  credentialOffer,
  credentialOfferLink,
  Oid4vciError,
  PRE_AUTHORIZED_CODE_GRANT,
  publicJwkOf,
  TX_CODE_LENGTH,
} from "../domain/openid4vci.ts";
import { sha256Hex } from "../domain/sha256.ts";
import { EProofError } from "../errors.ts";
import type { AuditEntry, AuditLog, Clock, CredentialExports, CredentialOfferRecords, DocumentStore, ProofJwtVerifier, Random } from "../ports.ts";

export interface WalletIssuanceSettings {
  /** How long an offer may be redeemed, ms. */
  offerTtlMs: number;
  /** How long an access token works at the credential endpoint, ms. */
  tokenTtlMs: number;
  /** How long a c_nonce may be used (and how old a proof may be), ms. */
  nonceTtlMs: number;
  /** Wrong transaction codes after which an offer is dead. */
  maxTxFailures: number;
}

export interface WalletIssuanceDeps {
  offers: CredentialOfferRecords;
  documents: Pick<DocumentStore, "getDocument">;
  /** The SD-JWT VC export; absent on a build without it: the credential endpoint says so. */
  exports?: CredentialExports;
  proofs: ProofJwtVerifier;
  audit: AuditLog;
  clock: Clock;
  random: Random;
  /** The credential issuer identifier. */
  publicUrl: string;
  settings: WalletIssuanceSettings;
}

export interface CreatedOffer {
  offerId: string;
  documentId: string;
  credentialConfigurationId: string;
  credentialOffer: Record<string, unknown>;
  /** `openid-credential-offer://?credential_offer=…` */
  link: string;
  preAuthorizedCode: string;
  /** The six digits to hand to the holder out of band; null when none was asked for. */
  txCode: string | null;
  expiresAt: string;
}

export interface CredentialRequestInput {
  /** The bearer access token (from `Authorization: Bearer …`), or undefined. */
  accessToken: string | undefined;
  body: unknown;
}

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const hashOf = (secret: string): string => sha256Hex(secret);
/** The transaction code is hashed with its offer's code: six digits alone would fall to a lookup table. */
const txCodeHashOf = (preAuthorizedCode: string, txCode: string): string => sha256Hex(`${preAuthorizedCode}:${txCode}`);

export class WalletIssuance {
  readonly #deps: WalletIssuanceDeps;

  constructor(deps: WalletIssuanceDeps) {
    this.#deps = deps;
  }

  /** Whether the credential endpoint can hand out credentials (the SD-JWT VC export is wired). */
  get canIssue(): boolean {
    return this.#deps.exports !== undefined;
  }

  /**
   * An offer for `documentId`, which must be the officer's department's (else NOT_FOUND, as for
   * every officer route) and of a type the officer's key covers. A revoked or superseded document is not offered.
   */
  async createOffer(officer: { keyId: string; department: string; types?: string[] }, documentId: string, options: { txCode: boolean }): Promise<CreatedOffer> {
    const { offers, documents, clock, random, audit, settings, publicUrl } = this.#deps;
    const stored = await documents.getDocument(documentId);
    if (!stored || stored.department !== officer.department) throw new EProofError("NOT_FOUND", `no document ${documentId} issued by ${officer.department}`);
    if (stored.status.status === "REVOKED" || stored.status.status === "SUPERSEDED") {
      throw new EProofError("INVALID_STATUS_CHANGE", `a ${stored.status.status.toLowerCase()} document is not offered to a wallet`);
    }
    getDocumentType(stored.type);
    if (officer.types && officer.types.length > 0 && !officer.types.includes(stored.type)) {
      throw new EProofError("FORBIDDEN", `this API key may not offer ${stored.type} documents`);
    }
    const configurationId = credentialConfigurationId(stored.type);
    const offerId = hex(random.bytes(16));
    const preAuthorizedCode = hex(random.bytes(32));
    const txCode = options.txCode ? this.#newTxCode() : null;
    const now = clock.now();
    const expiresAt = now + settings.offerTtlMs;
    await offers.createOffer({
      id: offerId,
      documentId,
      department: officer.department,
      configurationId,
      codeHash: hashOf(preAuthorizedCode),
      txCodeHash: txCode ? txCodeHashOf(preAuthorizedCode, txCode) : null,
      createdBy: officer.keyId,
      createdAt: now,
      expiresAt,
    });
    await audit.append([
      this.#entry(officer.keyId, officer.department, documentId, "credential_offer.created", {
        offerId,
        configurationId,
        txCode: txCode !== null,
        expiresAt: new Date(expiresAt).toISOString(),
      }),
    ]);
    const offer = credentialOffer(publicUrl, { configurationId, preAuthorizedCode, txCode: txCode !== null });
    return {
      offerId,
      documentId,
      credentialConfigurationId: configurationId,
      credentialOffer: offer,
      link: credentialOfferLink(offer),
      preAuthorizedCode,
      txCode,
      expiresAt: new Date(expiresAt).toISOString(),
    };
  }

  /** The token endpoint (RFC 6749 §4 with OpenID4VCI's pre-authorized code grant, §6). */
  async token(body: Record<string, unknown>): Promise<{ access_token: string; token_type: "Bearer"; expires_in: number }> {
    const { offers, clock, random, audit, settings } = this.#deps;
    const grantType = body.grant_type;
    if (typeof grantType !== "string") throw new Oid4vciError("invalid_request", "grant_type is missing");
    if (grantType !== PRE_AUTHORIZED_CODE_GRANT) throw new Oid4vciError("unsupported_grant_type", `only ${PRE_AUTHORIZED_CODE_GRANT} is supported`);
    const code = body["pre-authorized_code"];
    if (typeof code !== "string" || code.length === 0 || code.length > 200) throw new Oid4vciError("invalid_request", "pre-authorized_code is missing");
    const txCode = body.tx_code;
    if (txCode !== undefined && (typeof txCode !== "string" || txCode.length > 64)) throw new Oid4vciError("invalid_request", "tx_code must be a string");
    const now = clock.now();
    const redemption = await offers.redeemOffer(hashOf(code), txCode === undefined ? null : txCodeHashOf(code, txCode), now, settings.maxTxFailures);
    if (redemption.outcome === "unknown") throw new Oid4vciError("invalid_grant", "this pre-authorized code is not known");
    const offer = redemption.offer;
    if (redemption.outcome !== "redeemed") {
      const reason = redemption.outcome === "wrong-tx-code" && txCode === undefined ? "missing-tx-code" : redemption.outcome;
      const details: AuditEntry["details"] = { offerId: offer.id, reason, txFailures: offer.txFailures };
      if (redemption.outcome === "wrong-tx-code") details.locked = redemption.locked;
      await audit.append([this.#entry(offer.createdBy, offer.department, offer.documentId, "credential_offer.refused", details)]);
      const locked = redemption.outcome === "wrong-tx-code" && redemption.locked;
      throw new Oid4vciError("invalid_grant", locked ? `${REFUSALS[reason]}; ${REFUSALS.locked}` : REFUSALS[reason]);
    }
    const accessToken = hex(random.bytes(32));
    await offers.insertAccessToken({
      tokenHash: hashOf(accessToken),
      offerId: offer.id,
      documentId: offer.documentId,
      department: offer.department,
      configurationId: offer.configurationId,
      createdBy: offer.createdBy,
      expiresAt: now + settings.tokenTtlMs,
    });
    await audit.append([this.#entry(offer.createdBy, offer.department, offer.documentId, "credential_offer.redeemed", { offerId: offer.id })]);
    return { access_token: accessToken, token_type: "Bearer", expires_in: Math.floor(settings.tokenTtlMs / 1000) };
  }

  /** The nonce endpoint (OpenID4VCI 1.0 §7): a fresh c_nonce, usable once. */
  async nonce(): Promise<{ c_nonce: string; c_nonce_expires_in: number }> {
    const { offers, clock, random, settings } = this.#deps;
    const nonce = hex(random.bytes(32));
    const now = clock.now();
    await offers.insertNonce(hashOf(nonce), now, now + settings.nonceTtlMs);
    return { c_nonce: nonce, c_nonce_expires_in: Math.floor(settings.nonceTtlMs / 1000) };
  }

  /** The credential endpoint (OpenID4VCI 1.0 §8): the SD-JWT VC bound to the key the proof JWT proves. */
  async credential(input: CredentialRequestInput): Promise<{ credentials: Array<{ credential: string }> }> {
    const { offers, clock, proofs, audit, settings, publicUrl } = this.#deps;
    const now = clock.now();
    const token = input.accessToken ? await offers.findAccessToken(hashOf(input.accessToken), now) : null;
    if (!token) throw new Oid4vciError("invalid_token", "the access token is missing, unknown or expired; redeem the offer again");
    const exports = this.#deps.exports;
    if (!exports)
      throw new Oid4vciError("credential_request_denied", "this service cannot export SD-JWT VCs yet; the offer was redeemed but no credential can be issued");
    const body = (input.body ?? {}) as Record<string, unknown>;
    if (typeof body !== "object" || Array.isArray(body)) throw new Oid4vciError("invalid_credential_request", "send a JSON object");
    const requested = body.credential_configuration_id;
    if (typeof requested !== "string") throw new Oid4vciError("invalid_credential_request", "credential_configuration_id is missing");
    if (requested !== token.configurationId) {
      throw new Oid4vciError("unknown_credential_configuration", `this access token is for ${token.configurationId}`);
    }
    const jwt = singleProofJwt(body);
    const decoded = await proofs.verify(jwt);
    if (!decoded) throw new Oid4vciError("invalid_proof", "the proof JWT does not verify with the jwk in its header (ES256)");
    const nonce = checkProofClaims(decoded, {
      credentialIssuer: publicUrl,
      nowSeconds: Math.floor(now / 1000),
      maxAgeSeconds: Math.ceil(settings.nonceTtlMs / 1000),
    });
    if (!(await offers.consumeNonce(hashOf(nonce), now))) {
      throw new Oid4vciError("invalid_nonce", "the proof's nonce is unknown, used or expired; ask the nonce endpoint for a fresh one");
    }
    const holderJwk = publicJwkOf(decoded.header.jwk as Record<string, unknown>);
    const credential = await exports.sdJwtVc(token.documentId, { holderJwk });
    await audit.append([
      this.#entry(token.createdBy, token.department, token.documentId, "credential_offer.credential_issued", {
        offerId: token.offerId,
        configurationId: token.configurationId,
      }),
    ]);
    return { credentials: [{ credential }] };
  }

  /** Six uniformly drawn digits (rejection sampling: no digit more likely than another). */
  #newTxCode(): string {
    const limit = 4_294_000_000; // the largest multiple of 10^6 below 2^32
    for (;;) {
      const b = this.#deps.random.bytes(4);
      const value = (((b[0] ?? 0) << 24) >>> 0) + ((b[1] ?? 0) << 16) + ((b[2] ?? 0) << 8) + (b[3] ?? 0);
      if (value < limit) return String(value % 10 ** TX_CODE_LENGTH).padStart(TX_CODE_LENGTH, "0");
    }
  }

  #entry(actor: string, department: string, documentId: string, action: string, details: AuditEntry["details"]): AuditEntry {
    // The officer who made the offer answers for what is done with it; the wallet has no identity here.
    return { actor, role: "officer", action, department, documentId, details: { ...details, via: action === "credential_offer.created" ? "api" : "wallet" } };
  }
}

const REFUSALS: Record<"expired" | "used" | "locked" | "wrong-tx-code" | "missing-tx-code", string> = {
  expired: "this offer has expired; ask the officer for a new one",
  used: "this offer has already been used; ask the officer for a new one",
  locked: "this offer was closed after too many wrong transaction codes; ask the officer for a new one",
  "wrong-tx-code": "the transaction code is wrong",
  "missing-tx-code": "this offer needs the transaction code the officer gave the holder (tx_code)",
};

/** The one jwt proof of a request: `proofs: {jwt: [one]}` (1.0) or `proof: {proof_type: "jwt", jwt}` (earlier drafts). */
function singleProofJwt(body: Record<string, unknown>): string {
  const proofs = body.proofs as Record<string, unknown> | undefined;
  const proof = body.proof as Record<string, unknown> | undefined;
  if (proofs !== undefined && proof !== undefined) throw new Oid4vciError("invalid_credential_request", "send proofs or proof, not both");
  if (proofs !== undefined) {
    if (typeof proofs !== "object" || proofs === null) throw new Oid4vciError("invalid_credential_request", "proofs must be an object");
    const jwts = proofs.jwt;
    if (!Array.isArray(jwts) || Object.keys(proofs).length !== 1) throw new Oid4vciError("invalid_proof", "proofs must hold jwt proofs only");
    if (jwts.length !== 1) throw new Oid4vciError("invalid_credential_request", "one credential per request: send exactly one jwt proof");
    if (typeof jwts[0] !== "string") throw new Oid4vciError("invalid_proof", "a jwt proof is a compact JWS string");
    return jwts[0];
  }
  if (proof !== undefined && typeof proof === "object" && proof !== null) {
    if (proof.proof_type !== "jwt" || typeof proof.jwt !== "string") throw new Oid4vciError("invalid_proof", 'proof must be {proof_type: "jwt", jwt}');
    return proof.jwt;
  }
  throw new Oid4vciError("invalid_proof", "the credential is bound to the wallet's key: send a jwt proof");
}
