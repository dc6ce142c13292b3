/**
 * Webhook subscriptions over HTTP: register, list, delete, delivery log, and the key that verifies
 * notifications. Who may subscribe to what is the use case's (use-cases/manage-subscriptions.ts);
 * this file parses, checks the receiver's URL (SSRF guard) and answers. Admin keys get 403 (auth.ts).
 */
import type { Router } from "express";
import { z } from "zod";
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
import { type ApiDescription, describedRoutes, type RouteOperation } from "../api-description.ts";
import { requireSubscriber, subscriberOf } from "../auth.ts";
import type { HttpDeps, WebhookHttpDeps } from "../http-deps.ts";
import { authRefusals, bodyRefusals, deliveriesSchema, jsonResponse, jwksSchema, problem, subscriptionSchema } from "../response-schemas.ts";
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

const idParams = z.object({ id: z.string().meta({ description: "The subscription id" }) });
const notOwn = problem("No subscription with this id belongs to this key (NOT_FOUND)");
/** Officer keys (their department's documents and types) and relying-party keys; admin keys get 403. */
const subscriber: Pick<RouteOperation, "tags" | "security"> = { tags: ["subscriptions"], security: ["officerApiKey", "relyingPartyApiKey"] };

export function subscriptionRoutes(deps: HttpDeps, webhooks: WebhookHttpDeps, api: ApiDescription): Router {
  const routes = describedRoutes(api);
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

  routes.get(
    WEBHOOK_JWKS_PATH,
    {
      summary: "The key that signs webhook notifications (not a document-signing key)",
      tags: ["subscriptions"],
      responses: { "200": jsonResponse("The notification key set", jwksSchema) },
    },
    (_req, res) => {
      res.set("Cache-Control", "public, max-age=300").json(webhooks.jwks());
    },
  );

  routes.router.use("/api/v1/subscriptions", requireSubscriber(deps.store, deps.audit));

  routes.post(
    "/api/v1/subscriptions",
    {
      summary: "Register a webhook for status changes of some documents, or of a department's document type",
      description:
        "A relying-party key may follow any document id and any department's type (naming `department`); an officer key only its own department's documents and types; an admin key gets 403.",
      ...subscriber,
      requestBody: { required: true, content: { "application/json": { schema: subscriptionBody } } },
      responses: {
        "201": jsonResponse("The subscription", subscriptionSchema),
        ...bodyRefusals,
        ...authRefusals,
        "400": problem("Bad url or filter, or this key holds as many subscriptions as it may (BAD_REQUEST)"),
        "403": problem("An admin key, or an officer key outside its department (FORBIDDEN)"),
        "404": problem("Unknown document type (UNKNOWN_TYPE)"),
      },
    },
    async (req, res) => {
      const record = await createSubscription(manage, subscriberOf(res.locals), parseBody(subscriptionBody, req.body));
      res.status(201).json(view(publicUrl, record));
    },
  );

  routes.get(
    "/api/v1/subscriptions",
    {
      summary: "This API key's subscriptions",
      ...subscriber,
      responses: { "200": jsonResponse("The subscriptions", z.object({ subscriptions: z.array(subscriptionSchema) })), ...authRefusals },
    },
    async (_req, res) => {
      res.json({ subscriptions: (await listSubscriptions(manage, subscriberOf(res.locals))).map((s) => view(publicUrl, s)) });
    },
  );

  routes.get(
    "/api/v1/subscriptions/:id",
    {
      summary: "One subscription",
      ...subscriber,
      requestParams: { path: idParams },
      responses: { "200": jsonResponse("The subscription", subscriptionSchema), ...authRefusals, "404": notOwn },
    },
    async (req, res) => {
      res.json(view(publicUrl, await ownSubscription(manage, subscriberOf(res.locals), req.params.id)));
    },
  );

  routes.delete(
    "/api/v1/subscriptions/:id",
    {
      summary: "Delete a subscription and its pending deliveries",
      ...subscriber,
      requestParams: { path: idParams },
      responses: { "204": { description: "Deleted" }, ...authRefusals, "404": notOwn },
    },
    async (req, res) => {
      await deleteSubscription(manage, subscriberOf(res.locals), req.params.id);
      res.status(204).end();
    },
  );

  routes.get(
    "/api/v1/subscriptions/:id/deliveries",
    {
      summary: "Delivery log: each notification, its state and every attempt",
      ...subscriber,
      requestParams: { path: idParams },
      responses: { "200": jsonResponse("The deliveries", deliveriesSchema), ...authRefusals, "404": notOwn },
    },
    async (req, res) => {
      const { subscriptionId, deliveries } = await deliveriesOf(manage, subscriberOf(res.locals), req.params.id);
      // The body is the signed notification the receiver got; shown so a receiver can re-check one it missed.
      res.json({ subscriptionId, deliveries: deliveries.map(({ url: _url, ...d }) => d) });
    },
  );

  return routes.router;
}
