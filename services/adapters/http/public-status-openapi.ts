/** OpenAPI path of the public status lookup (merged into /openapi.json by openapi.ts). */

const problem = { content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } };
const isoDate = { type: "string", description: "ISO 8601" };

const idParameter = { name: "id", in: "path", required: true, schema: { type: "string", pattern: "^[0-9a-f]{32}$" } };

/** The answer of a download (eproof.json, pdf, proof) asked for before the document's batch is on the ledger. */
export const notYetAnchored = {
  description: "Accepted, not yet anchored: come back after Retry-After seconds (error.code NOT_YET_ANCHORED); never a proofless copy",
  headers: { "Retry-After": { schema: { type: "integer" } } },
  ...problem,
};

export function publicStatusPaths(): Record<string, unknown> {
  return {
    "/api/v1/public/documents/{id}/proof": {
      get: {
        summary: "The anchor of a document this service issued: chain, registry, root, Merkle path, transaction, block (no personal data)",
        description:
          "Completes a copy saved before anchoring (npx eproof verify --service): put `anchor` into the e-Proof file and it verifies with the chain alone.",
        parameters: [idParameter],
        responses: {
          "200": {
            description: "The document's anchor",
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  required: ["id", "anchor"],
                  properties: {
                    id: { type: "string" },
                    anchor: {
                      type: "object",
                      required: ["chainId", "registry", "root", "proof", "txHash", "blockNumber"],
                      properties: {
                        chainId: { type: "integer" },
                        registry: { type: "string" },
                        root: { type: "string" },
                        proof: { type: "array", items: { type: "string" } },
                        txHash: { type: "string" },
                        blockNumber: { type: "integer" },
                      },
                    },
                  },
                },
              },
            },
          },
          "202": notYetAnchored,
          "400": { description: "Malformed id", ...problem },
          "404": { description: "No document with this id was issued here", ...problem },
        },
      },
    },
    "/api/v1/public/documents/{id}/status": {
      get: {
        summary: "A document's public status by id: type, issuing department, validity window and the ledger's status (no personal data)",
        description:
          "What a verifier may learn about a document without holding it, e.g. the successor of a replaced document: never the holder or any other claim field. The status is read from the chain.",
        parameters: [idParameter],
        responses: {
          "200": {
            description: "The document's public status",
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  required: ["id", "type", "typeVersion", "issuer", "issuedAt", "status", "verdict", "anchoring"],
                  properties: {
                    id: { type: "string" },
                    type: { type: "string" },
                    typeVersion: { type: "integer" },
                    issuer: {
                      type: "object",
                      properties: { code: { type: "string" }, name: { type: "object", properties: { en: { type: "string" }, "zh-HK": { type: "string" } } } },
                    },
                    issuedAt: isoDate,
                    validFrom: isoDate,
                    validUntil: isoDate,
                    status: { type: "string", enum: ["ACTIVE", "SUSPENDED", "REVOKED", "SUPERSEDED", "PENDING", "NOT_ANCHORED", "UNAVAILABLE"] },
                    statusChange: {
                      type: "object",
                      properties: {
                        status: { type: "string" },
                        scope: { type: "string", enum: ["document", "batch"] },
                        changedAt: isoDate,
                        reasonCode: { type: "integer" },
                      },
                    },
                    successor: { type: "string", description: "The newer document's id, when SUPERSEDED" },
                    verdict: { type: "string", description: "The verifier's overall verdict today (e.g. EXPIRED)" },
                    anchoring: {
                      type: ["object", "null"],
                      properties: {
                        chainId: { type: "integer" },
                        contract: { type: "string" },
                        txHash: { type: "string" },
                        blockNumber: { type: "integer" },
                        anchoredAt: isoDate,
                      },
                    },
                  },
                },
              },
            },
          },
          "400": { description: "Malformed id", ...problem },
          "404": { description: "No document with this id was issued here", ...problem },
        },
      },
    },
  };
}
