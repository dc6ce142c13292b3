/**
 * The departments' status lists (issue 15), public and unauthenticated, on every instance: the Token
 * Status List (`application/statuslist+jwt`) and the Bitstring Status List credentials
 * (`application/vc+jwt`, one per purpose). URLs as domain/status-list-location.ts builds them. Each
 * answer carries an ETag (304 to a matching If-None-Match) and a Cache-Control max-age of the list's ttl,
 * so relying parties see a status change within seconds without fetching unchanged lists again.
 */
import { createHash } from "node:crypto";
import type { Response, Router } from "express";
import { z } from "zod";
import { EProofError } from "../../../errors.ts";
import type { ServedStatusList, StatusListFormat } from "../../../use-cases/publish-status-lists.ts";
import { type ApiDescription, describedRoutes, type RouteOperation } from "../api-description.ts";
import { problem } from "../response-schemas.ts";

export const TOKEN_STATUS_LIST_PATH = "/status-lists/:department/:list";
export const BITSTRING_STATUS_LIST_PATH = "/status-lists/:department/:list/:purpose";

/** What the routes need: use-cases/publish-status-lists.ts's StatusLists. */
export interface StatusListHttpDeps {
  current(department: string, list: number, format: StatusListFormat): Promise<ServedStatusList>;
}

const DEPARTMENT = /^[A-Z0-9-]{2,31}$/;
const LIST = /^(0|[1-9]\d{0,8})$/;

function parse(department: string, list: string): { department: string; list: number } {
  if (!DEPARTMENT.test(department) || !LIST.test(list)) throw new EProofError("NOT_FOUND", `no status list ${department}/${list}`);
  return { department, list: Number(list) };
}

function send(req: { get(name: string): string | undefined }, res: Response, served: ServedStatusList): void {
  const etag = `"${createHash("sha256").update(served.jws).digest("base64url").slice(0, 32)}"`;
  res.set({ "Cache-Control": `public, max-age=${served.ttlSeconds}`, ETag: etag, "Last-Modified": new Date(served.issuedAt * 1000).toUTCString() });
  const match = req.get("if-none-match");
  if (match?.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag)) {
    res.status(304).end();
    return;
  }
  res.type(served.contentType).send(served.jws);
}

const listParams = {
  department: z.string().meta({ description: "The department code", example: "DEMO" }),
  list: z.string().meta({ description: "The department's list number (0, 1, …; 131,072 entries each)", example: "0" }),
};

function listOperation(summary: string, description: string, mediaType: string, path: z.ZodObject): RouteOperation {
  return {
    summary,
    description,
    tags: ["status lists"],
    requestParams: { path, header: z.object({ "If-None-Match": z.string().optional() }) },
    responses: {
      "200": {
        description: "The signed list",
        headers: z.object({ "Cache-Control": z.string().meta({ description: "public, max-age=<ttl> (a few seconds)" }), ETag: z.string() }),
        content: { [mediaType]: { schema: z.string() } },
      },
      "304": { description: "Unchanged since the ETag given in If-None-Match" },
      "404": problem("No such department, list or purpose (NOT_FOUND); a public instance answers so until an officer instance has signed the list"),
    },
  };
}

export function statusListRoutes(lists: StatusListHttpDeps, api: ApiDescription): Router {
  const routes = describedRoutes(api);
  routes.get(
    TOKEN_STATUS_LIST_PATH,
    listOperation(
      "A department's Token Status List (draft-ietf-oauth-status-list): a JWT signed with the department's key",
      "Header typ statuslist+jwt; payload sub (this URI), iat, exp, ttl, status_list {bits: 2, lst} (zlib DEFLATE, base64url). 0 VALID, 1 INVALID (revoked or superseded), 2 SUSPENDED. A document's index is `status.status_list.idx` of its SD-JWT VC. Public, no key; changes within seconds of a status change.",
      "application/statuslist+jwt",
      z.object(listParams),
    ),
    async (req, res) => {
      const { department, list } = parse(String(req.params.department), String(req.params.list));
      send(req, res, await lists.current(department, list, "token"));
    },
  );
  routes.get(
    BITSTRING_STATUS_LIST_PATH,
    listOperation(
      "A department's Bitstring Status List credential (W3C Recommendation, May 2025), secured as VC-JOSE-COSE",
      "A BitstringStatusListCredential for one purpose (revocation: revoked or superseded; suspension: suspended); encodedList is multibase base64url (u) of the GZIP of 131,072 bits. A document's index is the statusListIndex of its VC-JWT's credentialStatus.",
      "application/vc+jwt",
      z.object({ ...listParams, purpose: z.enum(["revocation", "suspension"]) }),
    ),
    async (req, res) => {
      const { department, list } = parse(String(req.params.department), String(req.params.list));
      const purpose = String(req.params.purpose);
      if (purpose !== "revocation" && purpose !== "suspension") throw new EProofError("NOT_FOUND", `no status purpose ${purpose}: revocation or suspension`);
      send(req, res, await lists.current(department, list, purpose));
    },
  );
  return routes.router;
}
