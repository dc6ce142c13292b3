/**
 * OpenAPI paths of the status lists (issue 15), for /openapi.json. Not registered here: the lead adds
 * statusListPaths() to the document (openapi.ts, or the generated documentation that replaces it).
 */

const problem = { content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } };
const department = { name: "department", in: "path", required: true, schema: { type: "string", pattern: "^[A-Z0-9-]{2,31}$" } };
const list = {
  name: "list",
  in: "path",
  required: true,
  description: "The department's list number (0, 1, …; 131,072 entries each)",
  schema: { type: "string", pattern: "^(0|[1-9][0-9]*)$" },
};
const ifNoneMatch = { name: "If-None-Match", in: "header", required: false, schema: { type: "string" } };
const cacheHeaders = {
  "Cache-Control": { description: "public, max-age=<ttl> (a few seconds)", schema: { type: "string" } },
  ETag: { schema: { type: "string" } },
};

export function statusListPaths(): Record<string, unknown> {
  return {
    "/status-lists/{department}/{list}": {
      get: {
        summary: "A department's Token Status List (draft-ietf-oauth-status-list): a JWT signed with the department's key",
        description:
          "Header typ statuslist+jwt; payload sub (this URI), iat, exp, ttl, status_list {bits: 2, lst} (zlib DEFLATE, base64url). " +
          "0 VALID, 1 INVALID (revoked or superseded), 2 SUSPENDED. A document's index is `status.status_list.idx` of its SD-JWT VC. " +
          "Public, no key; changes within seconds of a status change on the ledger.",
        parameters: [department, list, ifNoneMatch],
        responses: {
          "200": { description: "The signed list", headers: cacheHeaders, content: { "application/statuslist+jwt": { schema: { type: "string" } } } },
          "304": { description: "Unchanged since the ETag given in If-None-Match" },
          "404": { description: "No such department or list (error.code NOT_FOUND)", ...problem },
        },
      },
    },
    "/status-lists/{department}/{list}/{purpose}": {
      get: {
        summary: "A department's Bitstring Status List credential (W3C Recommendation, May 2025), secured as VC-JOSE-COSE",
        description:
          "A BitstringStatusListCredential signed as application/vc+jwt: credentialSubject {type BitstringStatusList, statusPurpose, " +
          "encodedList (multibase base64url, 'u' prefix, of the GZIP of 131,072 bits)}. Revocation: revoked or superseded; suspension: suspended. " +
          "A document's index is `statusListIndex` of its VC's credentialStatus.",
        parameters: [
          department,
          list,
          { name: "purpose", in: "path", required: true, schema: { type: "string", enum: ["revocation", "suspension"] } },
          ifNoneMatch,
        ],
        responses: {
          "200": { description: "The signed credential", headers: cacheHeaders, content: { "application/vc+jwt": { schema: { type: "string" } } } },
          "304": { description: "Unchanged since the ETag given in If-None-Match" },
          "404": { description: "No such department, list or purpose (error.code NOT_FOUND)", ...problem },
        },
      },
    },
  };
}
