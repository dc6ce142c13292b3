/**
 * The public documents the credential exports point to: the SD-JWT VC Type Metadata of each document
 * type and version (draft-ietf-oauth-sd-jwt-vc §6, what `vct` resolves to) and the e-Proof JSON-LD
 * context of the VC 2.0 exports. Pure: built from the document types and the service's public URL.
 */
import { eproofContextUrl, vctUrl } from "./credential-locations.ts";
import type { DocumentTypeDefinition } from "./document-types.ts";
import type { JsonValue } from "./types.ts";
import { ANCHOR_EVIDENCE_TYPE } from "./vc-jwt.ts";

/** The e-Proof claims that are always disclosed (never selectively disclosable). */
const ALWAYS_DISCLOSED = ["eproof_id", "document_hash", "eproof"];

function label(name: string): string {
  const words = name.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** SD-JWT VC Type Metadata: every data field selectively disclosable ("always" an SD claim), the e-Proof claims never. */
export function typeMetadata(publicUrl: string, type: DocumentTypeDefinition): Record<string, JsonValue> {
  const fields = Object.keys((type.jsonSchema.properties ?? {}) as Record<string, unknown>);
  return {
    vct: vctUrl(publicUrl, type.id, type.version),
    name: `e-Proof ${type.title.en} (${type.id}@${type.version})`,
    description: `A ${type.title.en.toLowerCase()} issued by a Hong Kong government department and anchored on the e-Proof ledger`,
    display: [
      { locale: "en", name: type.title.en },
      { locale: "zh-HK", name: type.title["zh-HK"] },
    ],
    claims: [
      ...fields.map((name) => ({ path: [name], sd: "always", display: [{ locale: "en", label: label(name) }] })),
      ...ALWAYS_DISCLOSED.map((name) => ({ path: [name], sd: "never" })),
    ],
  };
}

/**
 * The e-Proof JSON-LD context: the credential types, the anchor evidence and the schema hash.
 * Data fields fall to the VC 2.0 context's @vocab (issuer-dependent terms) and keep their JSON shape.
 */
export function eproofContext(
  publicUrl: string,
  types: Iterable<DocumentTypeDefinition>,
  credentialTypeName: (type: string) => string,
): Record<string, JsonValue> {
  const vocab = `${eproofContextUrl(publicUrl)}#`;
  const terms: Record<string, JsonValue> = {};
  for (const type of types) terms[credentialTypeName(type.id)] = `${vocab}${credentialTypeName(type.id)}`;
  return {
    "@context": {
      "@protected": true,
      ...terms,
      [ANCHOR_EVIDENCE_TYPE]: {
        "@id": `${vocab}${ANCHOR_EVIDENCE_TYPE}`,
        "@context": {
          "@protected": true,
          eproofId: `${vocab}eproofId`,
          documentHash: `${vocab}documentHash`,
          chainId: `${vocab}chainId`,
          registry: `${vocab}registry`,
          merkleRoot: `${vocab}merkleRoot`,
          merkleProof: { "@id": `${vocab}merkleProof`, "@container": "@list" },
          txHash: `${vocab}txHash`,
          blockNumber: `${vocab}blockNumber`,
          documentHeader: { "@id": `${vocab}documentHeader`, "@type": "@json" },
          fieldSalts: { "@id": `${vocab}fieldSalts`, "@type": "@json" },
        },
      },
      schemaHash: `${vocab}schemaHash`,
    },
  };
}
