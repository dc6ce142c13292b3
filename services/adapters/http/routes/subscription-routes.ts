/**
 * Webhook subscriptions of relying parties: register, list, delete, delivery log, and the key that
 * verifies notifications. Any valid API key may subscribe for now (no relying-party role yet): a
 * subscription belongs to the key that made it, and only that key sees or deletes it.
 */
import { randomUUID } from "node:crypto";
import { Router } from "express";
import { documentTypes } from "../../../domain/document-types.ts";
import { EProofError } from "../../../errors.ts";
import type { SubscriptionRecord, Subscriptions } from "../../../ports.ts";
import { officerOf, requireOfficer } from "../auth.ts";
import type { HttpDeps } from "../http-deps.ts";
import { subscriptionBody } from "../subscription-schemas.ts";
import { parseBody } from "../validate-body.ts";

export interface WebhookHttpDeps {
  subscriptions: Subscriptions;
  /** The public key set that verifies notification JWSs. */
  jwks: () => { keys: Array<Record<string, string>> };
  maxSubscriptionsPerKey?: number;
}

export const WEBHOOK_JWKS_PATH = "/.well-known/eproof-webhook-jwks.json";

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** https anywhere; plain http only to this machine (a test receiver), never credentials in the URL. */
function checkedUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new EProofError("BAD_REQUEST", `url "${raw.slice(0, 100)}" is not an absolute URL`);
  }
  if (url.username || url.password) throw new EProofError("BAD_REQUEST", "url must not carry credentials");
  if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK.has(url.hostname))) {
    throw new EProofError("BAD_REQUEST", "url must be https (plain http is accepted only for localhost)");
  }
  url.hash = "";
  return url.toString();
}

function view(publicUrl: string, s: SubscriptionRecord) {
  const { owner: _owner, ...rest } = s;
  return {
    ...rest,
    links: {
      self: `${publicUrl}/api/v1/subscriptions/${s.id}`,
      deliveries: `${publicUrl}/api/v1/subscriptions/${s.id}/deliveries`,
      jwks: `${publicUrl}${WEBHOOK_JWKS_PATH}`,
    },
  };
}

export function subscriptionRoutes(deps: HttpDeps, webhooks: WebhookHttpDeps): Router {
  const router = Router();
  const { subscriptions } = webhooks;
  const publicUrl = deps.config.publicUrl;
  const maxPerKey = webhooks.maxSubscriptionsPerKey ?? 100;

  router.get(WEBHOOK_JWKS_PATH, (_req, res) => {
    res.set("Cache-Control", "public, max-age=300").json(webhooks.jwks());
  });

  router.use("/api/v1/subscriptions", requireOfficer(deps.store));

  async function own(owner: string, id: string): Promise<SubscriptionRecord> {
    const found = /^[\w-]{1,64}$/.test(id) ? await subscriptions.getSubscription(id) : null;
    if (!found || found.owner !== owner) throw new EProofError("NOT_FOUND", `no subscription ${id} of this API key`);
    return found;
  }

  router.post("/api/v1/subscriptions", async (req, res) => {
    const caller = officerOf(res.locals);
    const body = parseBody(subscriptionBody, req.body);
    if (body.docType !== undefined && !documentTypes.has(body.docType)) {
      throw new EProofError("UNKNOWN_TYPE", `unknown document type ${body.docType}; built-in types: ${[...documentTypes.keys()].join(", ")}`);
    }
    if ((await subscriptions.subscriptionsOf(caller.keyId)).length >= maxPerKey) {
      throw new EProofError("BAD_REQUEST", `an API key may hold at most ${maxPerKey} subscriptions; delete one first`);
    }
    const record: SubscriptionRecord = {
      id: randomUUID(),
      owner: caller.keyId,
      url: checkedUrl(body.url),
      documentIds: [...new Set(body.documentIds ?? [])],
      department: body.docType === undefined ? null : (body.department ?? caller.department),
      docType: body.docType ?? null,
      createdAt: new Date(deps.clock.now()).toISOString(),
    };
    await subscriptions.createSubscription(record);
    res.status(201).json(view(publicUrl, record));
  });

  router.get("/api/v1/subscriptions", async (_req, res) => {
    const caller = officerOf(res.locals);
    res.json({ subscriptions: (await subscriptions.subscriptionsOf(caller.keyId)).map((s) => view(publicUrl, s)) });
  });

  router.get("/api/v1/subscriptions/:id", async (req, res) => {
    res.json(view(publicUrl, await own(officerOf(res.locals).keyId, req.params.id)));
  });

  router.delete("/api/v1/subscriptions/:id", async (req, res) => {
    const caller = officerOf(res.locals);
    await own(caller.keyId, req.params.id);
    await subscriptions.deleteSubscription(caller.keyId, req.params.id);
    res.status(204).end();
  });

  router.get("/api/v1/subscriptions/:id/deliveries", async (req, res) => {
    const s = await own(officerOf(res.locals).keyId, req.params.id);
    const deliveries = await subscriptions.deliveriesOf(s.id);
    // The body is the signed notification the receiver got; shown so a receiver can re-check one it missed.
    res.json({ subscriptionId: s.id, deliveries: deliveries.map(({ url: _url, ...d }) => d) });
  });

  return router;
}
