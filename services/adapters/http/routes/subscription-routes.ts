/**
 * Webhook subscriptions: register, list, delete, delivery log, and the key that verifies
 * notifications. Who may subscribe to what:
 * - a relying-party key: any document ids (those it holds) and any department's document type
 *   (`department` is then required, as the key has none);
 * - an officer key: only within its department: its department's documents and types;
 * - an admin key: nothing (403); administration and watching documents are kept apart.
 * A subscription belongs to the key that made it, and only that key sees or deletes it. Creating and
 * deleting one are audited (ids only: the receiver's URL may carry a token).
 */
import { randomUUID } from "node:crypto";
import { Router } from "express";
import { documentTypes } from "../../../domain/document-types.ts";
import { EProofError } from "../../../errors.ts";
import type { AuditEntry, SubscriptionRecord, Subscriptions } from "../../../ports.ts";
import { requireSubscriber, type Subscriber, subscriberOf } from "../auth.ts";
import type { HttpDeps } from "../http-deps.ts";
import { subscriptionBody } from "../subscription-schemas.ts";
import { parseBody } from "../validate-body.ts";
import { WebhookDestinationRefused } from "../webhook-address.ts";
import { assertPublicDestination, type ResolveHost } from "../webhook-destination.ts";

export interface WebhookHttpDeps {
  subscriptions: Subscriptions;
  /** The public key set that verifies notification JWSs. */
  jwks: () => { keys: Array<Record<string, string>> };
  maxSubscriptionsPerKey?: number;
  /** Accept loopback/private destinations and plain http to localhost (EPROOF_WEBHOOK_ALLOW_PRIVATE); default false. */
  allowPrivateAddresses?: boolean;
  /** DNS, replaceable in tests. */
  resolveHost?: ResolveHost;
}

export const WEBHOOK_JWKS_PATH = "/.well-known/eproof-webhook-jwks.json";

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * https to a public address; plain http and private addresses only when allowed (a test receiver on
 * this machine), never credentials in the URL. The delivery checks the address again (DNS may change).
 */
async function checkedUrl(raw: string, allowPrivate: boolean, resolveHost: ResolveHost | undefined): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new EProofError("BAD_REQUEST", `url "${raw.slice(0, 100)}" is not an absolute URL`);
  }
  if (url.username || url.password) throw new EProofError("BAD_REQUEST", "url must not carry credentials");
  if (url.protocol !== "https:" && !(allowPrivate && url.protocol === "http:" && LOOPBACK.has(url.hostname))) {
    throw new EProofError("BAD_REQUEST", "url must be https (plain http is accepted only for localhost, with EPROOF_WEBHOOK_ALLOW_PRIVATE=true)");
  }
  if (!allowPrivate) {
    try {
      await assertPublicDestination(url, resolveHost);
    } catch (error) {
      if (error instanceof WebhookDestinationRefused) throw new EProofError("BAD_REQUEST", `url ${error.message}`);
      throw error;
    }
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

  router.use("/api/v1/subscriptions", requireSubscriber(deps.store, deps.audit));

  async function audited(caller: Subscriber, action: string, subscriptionId: string): Promise<void> {
    const entry: AuditEntry = {
      actor: caller.keyId,
      role: caller.role,
      action,
      department: caller.department === "*" ? null : caller.department,
      documentId: null,
      details: { subscriptionId },
    };
    await deps.audit?.append([entry]);
  }

  /** An officer watches only its own department; a relying party any department (which it must name). */
  async function department(caller: Subscriber, body: { documentIds?: string[]; docType?: string; department?: string }): Promise<string | null> {
    if (caller.role === "relying-party") {
      if (body.docType !== undefined && body.department === undefined) {
        throw new EProofError("BAD_REQUEST", "give the issuing department of docType (a relying-party key has no department)");
      }
      return body.docType === undefined ? null : (body.department ?? null);
    }
    if (body.docType !== undefined) {
      if (body.department !== undefined && body.department !== caller.department) {
        throw new EProofError("FORBIDDEN", `an officer key may subscribe only to its own department's (${caller.department}) types; use a relying-party key`);
      }
      return caller.department;
    }
    for (const id of body.documentIds ?? []) {
      if ((await deps.store.getDocument(id))?.department !== caller.department) {
        throw new EProofError("FORBIDDEN", `document ${id} is not one of your department's; an officer key may follow only its department's documents`);
      }
    }
    return null;
  }

  async function own(owner: string, id: string): Promise<SubscriptionRecord> {
    const found = /^[\w-]{1,64}$/.test(id) ? await subscriptions.getSubscription(id) : null;
    if (!found || found.owner !== owner) throw new EProofError("NOT_FOUND", `no subscription ${id} of this API key`);
    return found;
  }

  router.post("/api/v1/subscriptions", async (req, res) => {
    const caller = subscriberOf(res.locals);
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
      url: await checkedUrl(body.url, webhooks.allowPrivateAddresses === true, webhooks.resolveHost),
      documentIds: [...new Set(body.documentIds ?? [])],
      department: await department(caller, body),
      docType: body.docType ?? null,
      createdAt: new Date(deps.clock.now()).toISOString(),
    };
    await subscriptions.createSubscription(record);
    await audited(caller, "subscription.create", record.id);
    res.status(201).json(view(publicUrl, record));
  });

  router.get("/api/v1/subscriptions", async (_req, res) => {
    const caller = subscriberOf(res.locals);
    res.json({ subscriptions: (await subscriptions.subscriptionsOf(caller.keyId)).map((s) => view(publicUrl, s)) });
  });

  router.get("/api/v1/subscriptions/:id", async (req, res) => {
    res.json(view(publicUrl, await own(subscriberOf(res.locals).keyId, req.params.id)));
  });

  router.delete("/api/v1/subscriptions/:id", async (req, res) => {
    const caller = subscriberOf(res.locals);
    await own(caller.keyId, req.params.id);
    await subscriptions.deleteSubscription(caller.keyId, req.params.id);
    await audited(caller, "subscription.delete", req.params.id);
    res.status(204).end();
  });

  router.get("/api/v1/subscriptions/:id/deliveries", async (req, res) => {
    const s = await own(subscriberOf(res.locals).keyId, req.params.id);
    const deliveries = await subscriptions.deliveriesOf(s.id);
    // The body is the signed notification the receiver got; shown so a receiver can re-check one it missed.
    res.json({ subscriptionId: s.id, deliveries: deliveries.map(({ url: _url, ...d }) => d) });
  });

  return router;
}
