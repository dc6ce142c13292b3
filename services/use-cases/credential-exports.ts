/**
 * The credential exports of a stored, anchored document (issue 15): its SD-JWT VC (optionally bound
 * to a wallet's key, for OpenID4VCI) and its VC 2.0 VC-JWT, each signed with the department's key
 * current at export time. What is anchored does not change: both carry the anchored document's
 * field digests or salts and its anchor (docs/standards.md). The CredentialExports port.
 */
import type { ExportInput } from "../domain/credential-export.ts";
import { joinSdJwt } from "../domain/sd-jwt.ts";
import { sdJwtVcParts } from "../domain/sd-jwt-vc.ts";
import type { AnchorBlock, EProofDocument, JsonValue } from "../domain/types.ts";
import { vcJwtParts } from "../domain/vc-jwt.ts";
import { EProofError } from "../errors.ts";
import type { Clock, CredentialExports, DocumentStore, JoseSigner, KeyCustody, StatusListPositions, StoredDocument } from "../ports.ts";
import { awaitAnchoredCopy, eproofFile, type TrustAnchor } from "./document-files.ts";

export interface CredentialExportDeps {
  store: Pick<DocumentStore, "getDocument">;
  /** Signs with the department's current key (alg ES256 and kid set by the adapter). */
  signer: JoseSigner;
  /** The department's current key, whose public JWK goes into the protected header (so a verifier needs no directory). */
  keys: Pick<KeyCustody, "currentSigningKey">;
  trust: TrustAnchor;
  clock: Clock;
  publicUrl: string;
  /** Where each document's status is published; without it the exports carry no status entry. */
  statusLists?: StatusListPositions;
  /** How long sdJwtVc(id) waits for a document's batch to be anchored (the outbox seals within about a second). */
  anchorWaitMs?: number;
}

type AnchoredDocument = EProofDocument & { anchor: AnchorBlock };

/** A public JWK only: a holder key with a private part ("d") is refused, never embedded. */
function assertPublicJwk(jwk: Record<string, unknown>): void {
  if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk) || typeof jwk.kty !== "string")
    throw new EProofError("BAD_REQUEST", "the holder key is not a JWK");
  if ("d" in jwk || "p" in jwk || "k" in jwk) throw new EProofError("BAD_REQUEST", "the holder key must be a public JWK (it holds a private part)");
}

export class CredentialExporter implements CredentialExports {
  readonly #deps: CredentialExportDeps;

  constructor(deps: CredentialExportDeps) {
    this.#deps = deps;
  }

  /** The port: the SD-JWT VC of an anchored document by id (NOT_FOUND unknown; CHAIN_UNAVAILABLE while its batch is not yet anchored). */
  async sdJwtVc(documentId: string, options: { holderJwk?: Record<string, unknown> } = {}): Promise<string> {
    return this.sdJwtVcOf(await this.#anchored(documentId), options);
  }

  /** The VC-JWT of an anchored document by id. */
  async vcJwt(documentId: string): Promise<string> {
    return this.vcJwtOf(await this.#anchored(documentId));
  }

  /** The SD-JWT VC of a stored document whose batch is anchored (the officer route has waited for that). */
  async sdJwtVcOf(stored: StoredDocument, options: { holderJwk?: Record<string, unknown> } = {}): Promise<string> {
    if (options.holderJwk) assertPublicJwk(options.holderJwk);
    const document = this.#file(stored);
    const { jws, disclosures } = await this.#sign(stored, async (input) => {
      const parts = sdJwtVcParts(document, { ...input, ...(options.holderJwk ? { holderJwk: options.holderJwk } : {}) });
      return { header: parts.header, payload: parts.payload, extra: parts.disclosures };
    });
    return joinSdJwt(jws, disclosures);
  }

  /** The VC-JWT of a stored document whose batch is anchored. */
  async vcJwtOf(stored: StoredDocument): Promise<string> {
    const document = this.#file(stored);
    return (await this.#sign(stored, async (input) => ({ ...vcJwtParts(document, input), extra: [] }))).jws;
  }

  #file(stored: StoredDocument): AnchoredDocument {
    const file = eproofFile(stored, this.#deps.trust);
    if (!file.anchor) throw new EProofError("CHAIN_UNAVAILABLE", `document ${stored.id} is not yet anchored; retry in a few seconds`);
    return file as AnchoredDocument;
  }

  async #anchored(documentId: string): Promise<StoredDocument> {
    const lookup = async () => {
      const stored = await this.#deps.store.getDocument(documentId);
      if (!stored) throw new EProofError("NOT_FOUND", `no document ${documentId}`);
      return stored;
    };
    const copy = await awaitAnchoredCopy(lookup, this.#deps.trust, { waitMs: this.#deps.anchorWaitMs ?? 5_000, clock: this.#deps.clock });
    if (!copy.anchored) throw new EProofError("CHAIN_UNAVAILABLE", `document ${documentId} is not yet anchored; retry in ${copy.retryAfterSeconds} s`);
    return copy.stored;
  }

  /**
   * Signs the parts built for the department's current key. The key's public JWK is in the header,
   * so it must be the key that signs: if the key was rotated between the two (another instance),
   * the parts are built again for the key that signed.
   */
  async #sign(
    stored: StoredDocument,
    build: (input: ExportInput) => Promise<{ header: Record<string, JsonValue>; payload: Record<string, JsonValue>; extra: string[] }>,
  ): Promise<{ jws: string; disclosures: string[] }> {
    const department = stored.department;
    const entry = (await this.#deps.statusLists?.entryOf(stored.id)) ?? null;
    const status = entry ? { list: entry.list, index: entry.index } : null;
    const current = await this.#deps.keys.currentSigningKey(department);
    if (!current) throw new EProofError("FORBIDDEN", `department ${department} has no signing key; the administrator must create one`);
    let jwk: Record<string, string> = current.publicJwk;
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const input: ExportInput = { publicUrl: this.#deps.publicUrl, issuedAt: Math.floor(this.#deps.clock.now() / 1000), jwk, status };
      const parts = await build(input);
      const signed = await this.#deps.signer.signJws(department, parts.header, new TextEncoder().encode(JSON.stringify(parts.payload)));
      if (sameKey(signed.jwk, jwk)) return { jws: signed.jws, disclosures: parts.extra };
      jwk = signed.jwk;
    }
    throw new EProofError("INTERNAL", `department ${department}'s signing key changed twice during one export`);
  }
}

function sameKey(a: Record<string, string>, b: Record<string, string>): boolean {
  return a.x === b.x && a.y === b.y && a.crv === b.crv;
}
