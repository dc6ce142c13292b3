/**
 * Webhook subscriptions over HTTP: register, list, delete, delivery log, and the key that verifies
 * notifications. Who may subscribe to what is the use case's (use-cases/manage-subscriptions.ts);
 * this file parses, checks the receiver's URL (SSRF guard) and answers. Admin keys get 403 (auth.ts).
 */
import { Router } from "express";
import { EProofError } from "../../../errors.ts";
import type { SubscriptionRecord } from "../../../ports.ts";
import {
  createSubscription,
  deleteSubscription,
  deliveriesOf,
  listSubscriptions,
  ownSubscription,
  type SubscriptionDeps,
} from "../../../use-cases/manage-subscriptions.ts";
import { requireSubscriber, subscriberOf } from "../auth.ts";
import type { HttpDeps, WebhookHttpDeps } from "../http-deps.ts";
import { subscriptionBody } from "../subscription-schemas.ts";
import { parseBody } from "../validate-body.ts";
import { WebhookDestinationRefused } from "../webhook-address.ts";
import { assertPublicDestination, type ResolveHost } from "../webhook-destination.ts";

export const WEBHOOK_JWKS_PATH = "/.well-known/eproof-webhook-jwks.json";

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * https to a public address; plain http and private addresses only when allowed (a test receiver on
 * this machine), never credentials in the URL. The delivery checks the address again (DNS may change).
 */
export async function checkedUrl(raw: string, allowPrivate: boolean, resolveHost: ResolveHost | undefined): Promise<string> {
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
  const publicUrl = deps.config.publicUrl;
  const manage: SubscriptionDeps = {
    subscriptions: webhooks.subscriptions,
    store: deps.store,
    ...(deps.audit ? { audit: deps.audit } : {}),
    clock: deps.clock,
    random: webhooks.random,
    checkUrl: (raw) => checkedUrl(raw, webhooks.allowPrivateAddresses === true, webhooks.resolveHost),
    ...(webhooks.maxSubscriptionsPerKey === undefined ? {} : { maxSubscriptionsPerKey: webhooks.maxSubscriptionsPerKey }),
  };

  router.get(WEBHOOK_JWKS_PATH, (_req, res) => {
    res.set("Cache-Control", "public, max-age=300").json(webhooks.jwks());
  });

  router.use("/api/v1/subscriptions", requireSubscriber(deps.store, deps.audit));

  router.post("/api/v1/subscriptions", async (req, res) => {
    const record = await createSubscription(manage, subscriberOf(res.locals), parseBody(subscriptionBody, req.body));
    res.status(201).json(view(publicUrl, record));
  });

  router.get("/api/v1/subscriptions", async (_req, res) => {
    res.json({ subscriptions: (await listSubscriptions(manage, subscriberOf(res.locals))).map((s) => view(publicUrl, s)) });
  });

  router.get("/api/v1/subscriptions/:id", async (req, res) => {
    res.json(view(publicUrl, await ownSubscription(manage, subscriberOf(res.locals), req.params.id)));
  });

  router.delete("/api/v1/subscriptions/:id", async (req, res) => {
    await deleteSubscription(manage, subscriberOf(res.locals), req.params.id);
    res.status(204).end();
  });

  router.get("/api/v1/subscriptions/:id/deliveries", async (req, res) => {
    const { subscriptionId, deliveries } = await deliveriesOf(manage, subscriberOf(res.locals), req.params.id);
    // The body is the signed notification the receiver got; shown so a receiver can re-check one it missed.
    res.json({ subscriptionId, deliveries: deliveries.map(({ url: _url, ...d }) => d) });
  });

  return router;
}
