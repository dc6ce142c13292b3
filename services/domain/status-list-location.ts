/**
 * Where a department's status lists are published (issue 15). One place for the URL scheme, used by
 * the exports (SD-JWT VC `status.status_list.uri`, VC 2.0 `credentialStatus`) and by the routes that
 * serve the lists.
 */

/** Entries per list: at least 131,072 for herd privacy (draft-ietf-oauth-status-list, Bitstring Status List §6.1). */
export const STATUS_LIST_SIZE = 131_072;

function base(publicUrl: string): string {
  return publicUrl.replace(/\/+$/, "");
}

/** The Token Status List (application/statuslist+jwt) of `department`'s list number `list`. */
export function tokenStatusListUri(publicUrl: string, department: string, list: number): string {
  return `${base(publicUrl)}/status-lists/${encodeURIComponent(department)}/${list}`;
}

/** The Bitstring Status List credential (application/vc+jwt) for one purpose of `department`'s list number `list`. */
export function bitstringStatusListUri(publicUrl: string, department: string, list: number, purpose: "revocation" | "suspension"): string {
  return `${base(publicUrl)}/status-lists/${encodeURIComponent(department)}/${list}/${purpose}`;
}
