/**
 * The departments' status lists (issue 15), public and unauthenticated, on every instance: the Token
 * Status List (`application/statuslist+jwt`) and the Bitstring Status List credentials
 * (`application/vc+jwt`, one per purpose). URLs as domain/status-list-location.ts builds them. Each
 * answer carries an ETag (304 to a matching If-None-Match) and a Cache-Control max-age of the list's ttl,
 * so relying parties see a status change within seconds without fetching unchanged lists again.
 */
import { createHash } from "node:crypto";
import { type Response, Router } from "express";
import { EProofError } from "../../../errors.ts";
import type { ServedStatusList, StatusListFormat } from "../../../use-cases/publish-status-lists.ts";

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

export function statusListRoutes(lists: StatusListHttpDeps): Router {
  const router = Router();
  router.get(TOKEN_STATUS_LIST_PATH, async (req, res) => {
    const { department, list } = parse(String(req.params.department), String(req.params.list));
    send(req, res, await lists.current(department, list, "token"));
  });
  router.get(BITSTRING_STATUS_LIST_PATH, async (req, res) => {
    const { department, list } = parse(String(req.params.department), String(req.params.list));
    const purpose = String(req.params.purpose);
    if (purpose !== "revocation" && purpose !== "suspension") throw new EProofError("NOT_FOUND", `no status purpose ${purpose}: revocation or suspension`);
    send(req, res, await lists.current(department, list, purpose));
  });
  return router;
}
